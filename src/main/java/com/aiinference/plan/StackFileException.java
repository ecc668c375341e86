package com.aiinference.plan;

import com.aiinference.core.DomainException;

/** A project or stack file that cannot be read as Pulumi would read it: missing, not YAML, a key set twice. */
public final class StackFileException extends DomainException {
    private static final long serialVersionUID = 1L;

    public StackFileException(String message) {
        super(message);
    }
}
