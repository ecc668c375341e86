package com.aiinference.loadtest;

/**
 * The part of a run during which requests were being sent: from the end of the warm-up until the duration ran
 * out, {@code --max-requests} were sent, or the run was stopped. Rates (requests/s, tokens/s, the capacity figure)
 * count only requests that ended inside it and divide by its length, so the drain tail (the last answers finishing
 * after sending stopped, with fewer and fewer in flight) neither dilutes a closed loop's rate nor shortens an open
 * loop's. Thread-safe: the engine's event loops record into it without a lock.
 */
final class SendWindow {
    private final long fromNanos;
    private volatile long endNanos;
    private final java.util.concurrent.atomic.LongAdder ended = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder succeeded = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder outputTokens = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder inputTokens = new java.util.concurrent.atomic.LongAdder();

    SendWindow(long fromNanos, long plannedEndNanos) {
        this.fromNanos = fromNanos;
        this.endNanos = plannedEndNanos;
    }

    /** Sending stopped at {@code nanos} (earlier than planned). */
    synchronized void closedAt(long nanos) {
        endNanos = Math.max(fromNanos, Math.min(endNanos, nanos));
    }

    /** A measured request ended; it counts when it ended inside the window. */
    void ended(long endNanosOfRequest, boolean ok, long outputTokens, long inputTokens) {
        if (endNanosOfRequest > endNanos) {
            return;
        }
        ended.increment();
        if (ok) {
            this.outputTokens.add(outputTokens);
            this.inputTokens.add(Math.max(0, inputTokens));
            succeeded.increment();
        }
    }

    /**
     * What ended inside the window and the window's length; when the window holds no success or lasted under a
     * second (e.g. {@code --max-requests} reached at once), null: the caller then divides by the whole measured time.
     */
    Figures figures() {
        double seconds = (endNanos - fromNanos) / 1e9;
        if (succeeded.sum() == 0 || seconds < 1) {
            return null;
        }
        return new Figures(seconds, ended.sum(), succeeded.sum(), outputTokens.sum(), inputTokens.sum());
    }

    /** What ended inside the window so far, whatever its length (for a mergeable record; {@code seconds} is 0). */
    Figures counts() {
        return new Figures(0, ended.sum(), succeeded.sum(), outputTokens.sum(), inputTokens.sum());
    }

    long endNanos() {
        return endNanos;
    }

    /** Requests that ended (and succeeded) inside a window of {@code seconds}, with their tokens. */
    record Figures(double seconds, long ended, long succeeded, long outputTokens, long inputTokens) {}
}
