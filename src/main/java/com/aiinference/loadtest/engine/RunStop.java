package com.aiinference.loadtest.engine;

import java.util.Objects;

/**
 * Why a run stopped before its end, beside {@link ErrorKind} (how one request ended). A run without a
 * {@code RunStop} sent requests for its whole window (or up to {@code --max-requests}).
 *
 * @param kind   who or what stopped it
 * @param reason one line for the report and stderr
 */
public record RunStop(Kind kind, String reason) {

    /** Who or what stopped a run. */
    public enum Kind {
        /** The user (Ctrl-C): what was measured stands; requests cut by the stop are counted apart. */
        USER,
        /** {@code --max-error-rate} was exceeded. */
        MAX_ERROR_RATE,
        /** Every request failed for a while (a wrong target, or a server that went away): see {@link FailureStreak}. */
        ALL_FAILING,
        /** The HTTP client refused a request before sending it (every request is built alike). */
        CLIENT_ERROR,
        /** The run passed its hard time bound (a bug guard). */
        TIME_LIMIT
    }

    public RunStop {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /** Stopped by the user (not an abort: the run's figures stand, its exit code is the interrupt's). */
    public static RunStop byUser(String reason) {
        return new RunStop(Kind.USER, reason);
    }

    /** Whether the run was aborted by a failure (anything but the user's stop). */
    public boolean aborted() {
        return kind != Kind.USER;
    }

    /** How requests still in flight at this stop end. */
    ErrorKind inFlightOutcome() {
        return kind == Kind.USER ? ErrorKind.STOPPED_BY_USER : ErrorKind.ABORTED;
    }
}
