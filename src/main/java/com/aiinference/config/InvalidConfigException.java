package com.aiinference.config;

import java.util.List;

/**
 * The stack's config was refused: each problem is one line naming the key, the value and the rule. Thrown before any
 * resource is registered.
 */
public class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
