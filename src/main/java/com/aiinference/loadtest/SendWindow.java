package com.aiinference.loadtest;

/**
 * The part of a run during which requests were being sent: from the end of the warm-up until the duration ran
 * out, {@code --max-requests} were sent, or the run was stopped. Rates (requests/s, tokens/s, the capacity figure)
 * count only requests that ended inside it and divide by its length, so the drain tail (the last answers finishing
 * after sending stopped, with fewer and fewer in flight) neither dilutes a closed loop's rate nor shortens an open
 * loop's. Not thread-safe: {@link Metrics} calls it under its lock.
 */
final class SendWindow {
    private final long fromNanos;
    private long endNanos;
    private long ended;
    private long succeeded;
    private long outputTokens;
    private long inputTokens;

    SendWindow(long fromNanos, long plannedEndNanos) {
        this.fromNanos = fromNanos;
        this.endNanos = plannedEndNanos;
    }

    /** Sending stopped at {@code nanos} (earlier than planned). */
    void closedAt(long nanos) {
        endNanos = Math.max(fromNanos, Math.min(endNanos, nanos));
    }

    /** A measured request ended; it counts when it ended inside the window. */
    void ended(long endNanosOfRequest, boolean ok, long outputTokens, long inputTokens) {
        if (endNanosOfRequest > endNanos) {
            return;
        }
        ended++;
        if (ok) {
            succeeded++;
            this.outputTokens += outputTokens;
            this.inputTokens += Math.max(0, inputTokens);
        }
    }

    /**
     * What ended inside the window and the window's length; when the window holds no success or lasted under a
     * second (e.g. {@code --max-requests} reached at once), null: the caller then divides by the whole measured time.
     */
    Figures figures() {
        double seconds = (endNanos - fromNanos) / 1e9;
        if (succeeded == 0 || seconds < 1) {
            return null;
        }
        return new Figures(seconds, ended, succeeded, outputTokens, inputTokens);
    }

    long endNanos() {
        return endNanos;
    }

    /** Requests that ended (and succeeded) inside a window of {@code seconds}, with their tokens. */
    record Figures(double seconds, long ended, long succeeded, long outputTokens, long inputTokens) {}
}
