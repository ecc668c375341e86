package com.aiinference.core;

/**
 * An expected failure of domain code: bad config, a chart that refuses its values, an unreadable stack file, a
 * cluster that cannot be reached. The message is one line that names what is wrong. Domain code throws subclasses of
 * this; only the command line maps them to exit codes ({@code cli.ExitCodes}, exit 2).
 */
public abstract class DomainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected DomainException(String message) {
        super(message);
    }

    protected DomainException(String message, Throwable cause) {
        super(message, cause);
    }
}
