package com.aiinference.loadtest.engine;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stops a run when everything fails: a wrong URL or a server that went away answers thousands of requests a
 * second with 404s or refused connections, and a report of them proves nothing. Trips when the last
 * {@link #MIN_FAILURES} or more requests to end all failed (no success in between) and either the streak has
 * lasted {@link #MIN_SPAN_NANOS} or it holds {@link #FAST_FAILURES} requests. A server that answers some requests
 * (even 1 in 50) never trips it: {@code --max-error-rate} is the gate for partial failure. Thread-safe.
 */
final class FailureStreak {
    static final int MIN_FAILURES = 20;
    static final int FAST_FAILURES = 500;
    static final long MIN_SPAN_NANOS = 5_000_000_000L;

    /** Written under the lock; read without it by the common case, a success while no streak runs. */
    private volatile long streak;
    private long streakStartNanos;
    private final Map<String, Long> kinds = new TreeMap<>();

    /** One request ended at {@code nanos}; returns the stop reason when the streak trips, else null. */
    String ended(String errorKey, long nanos) {
        if (errorKey == null && streak == 0) {
            return null; // the event loops' common case, without the lock
        }
        return endedLocked(errorKey, nanos);
    }

    private synchronized String endedLocked(String errorKey, long nanos) {
        if (errorKey == null) {
            streak = 0;
            kinds.clear();
            return null;
        }
        if (streak == 0) {
            streakStartNanos = nanos;
        }
        streak++;
        kinds.merge(errorKey, 1L, Long::sum);
        boolean tripped = streak >= MIN_FAILURES
                && (nanos - streakStartNanos >= MIN_SPAN_NANOS || streak >= FAST_FAILURES);
        if (!tripped) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        kinds.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return String.format(Locale.ROOT, "the last %d requests all failed (%s) over %.1fs: stopped early", streak, sb,
                (nanos - streakStartNanos) / 1e9);
    }
}
