package com.aiinference.config;

import com.aiinference.core.DomainException;
import java.util.List;

/**
 * The stack's config was refused: each problem is one line naming the key, the value and the rule. Thrown before any
 * resource is registered.
 */
public class InvalidConfigException extends DomainException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public InvalidConfigException(List<String> problems) {
        this("", problems);
    }

    private InvalidConfigException(String source, List<String> problems) {
        super(source + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** The same problems, the message prefixed with where the config came from ({@code Pulumi.dev.yaml: ...}). */
    public InvalidConfigException in(Object source) {
        return new InvalidConfigException(source + ": ", problems);
    }

    public List<String> problems() {
        return problems;
    }
}
