package com.aiinference.loadtest.engine;

import java.util.concurrent.atomic.DoubleAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The part of a run during which requests were being sent (from the end of the warm-up until the duration ran out,
 * {@code --max-requests} were sent, or the run was stopped), and the steady-state rates estimated from it.
 *
 * <p>Counting the requests that <em>end</em> inside the window reads low: nothing ends in the window's first
 * answer-length, so a closed loop of N users with answers of L seconds over a window of W seconds shows about
 * N (W - L) / (W L) instead of N / L. Instead, every request (warm-up ones included) counts for the share of its
 * lifetime (origin to end) that lies inside the window: the <em>work</em> done in it. In steady state that work
 * grows at exactly the completion rate, so work / window is unbiased from the window's first second, on runs only a
 * few answers long.
 *
 * <p>The load itself may still be building up inside the window: users started over a ramp-up, or an open loop that
 * started empty (its first answers are not yet in flight). The rates divide by the window's <em>effective</em>
 * length, the window weighted by how full the load was at each moment, so they estimate the rate the full load
 * sustains:
 * <ul>
 *   <li>closed loop: the mean over users of the part of the window after the user started;</li>
 *   <li>open loop: at time t after the first arrival, the share of the steady-state work being done is
 *       E[min(1, t / L)] over answer lengths L (measured), integrated over the window.</li>
 * </ul>
 * With a warm-up at least as long as the answers (or no ramp-up), the effective length is the window itself.
 *
 * <p>Thread-safe: the engine's event loops record into it without a lock.
 */
public final class SendWindow {
    private final long loadStartNanos;
    private final long fromNanos;
    private final LoadShape load;
    private volatile long endNanos;
    private final DoubleAdder work = new DoubleAdder();
    private final DoubleAdder succeededWork = new DoubleAdder();
    private final DoubleAdder outputTokens = new DoubleAdder();
    private final DoubleAdder inputTokens = new DoubleAdder();

    /**
     * @param loadStartNanos  when the load started (the first user or arrival)
     * @param fromNanos       the window's start (the end of the warm-up)
     * @param plannedEndNanos the window's planned end ({@link Long#MAX_VALUE}: none)
     * @param load            how load was offered; null: full from its start (one fixed set of senders)
     */
    SendWindow(long loadStartNanos, long fromNanos, long plannedEndNanos, LoadShape load) {
        this.loadStartNanos = loadStartNanos;
        this.fromNanos = fromNanos;
        this.endNanos = plannedEndNanos;
        this.load = load;
    }

    /** Sending stopped at {@code nanos} (earlier than planned). */
    synchronized void closedAt(long nanos) {
        endNanos = Math.max(fromNanos, Math.min(endNanos, nanos));
    }

    /** A request (measured or warm-up) lived from {@code originNanos} to {@code endNanosOfRequest}. */
    void ended(long originNanos, long endNanosOfRequest, boolean ok, long outputTokens, long inputTokens) {
        double share = shareInside(originNanos, endNanosOfRequest, fromNanos, endNanos);
        if (share <= 0) {
            return;
        }
        work.add(share);
        if (ok) {
            succeededWork.add(share);
            this.outputTokens.add(share * outputTokens);
            this.inputTokens.add(share * Math.max(0, inputTokens));
        }
    }

    /** The share of a request's lifetime [origin, end] that lies inside [from, to]; an instant answer counts whole. */
    static double shareInside(long origin, long end, long from, long to) {
        if (end <= origin) {
            return origin >= from && origin <= to ? 1 : 0;
        }
        long lo = Math.max(origin, from);
        long hi = Math.min(end, to);
        return hi <= lo ? 0 : (double) (hi - lo) / (end - origin);
    }

    long endNanos() {
        return endNanos;
    }

    /**
     * The rates, or null when the window holds no successful work or has no length (e.g. {@code --max-requests}
     * reached at once): the caller then divides by the whole measured time.
     *
     * @param latencyMicros answer lengths of the measured successes (for an open loop's build-up)
     */
    WindowRates rates(Histogram latencyMicros) {
        if (endNanos == Long.MAX_VALUE || succeededWork.sum() <= 0) {
            return null;
        }
        double a = (fromNanos - loadStartNanos) / 1e9;
        double b = (endNanos - loadStartNanos) / 1e9;
        double effective = effectiveSeconds(load, a, b, latencyMicros);
        if (!(effective > 1e-3)) {
            return null;
        }
        return new WindowRates(b - a, effective, work.sum() / effective, succeededWork.sum() / effective,
                outputTokens.sum() / effective, inputTokens.sum() / effective);
    }

    /**
     * The window [a, b] (seconds from the load's start) weighted by how full the load was: its length once every
     * sender is busy.
     */
    static double effectiveSeconds(LoadShape load, double a, double b, Histogram latencyMicros) {
        if (load instanceof LoadShape.ClosedLoop closed) {
            double ramp = closed.rampUp().toNanos() / 1e9;
            int users = closed.users();
            if (users == 1 || ramp <= 0 || ramp * (users - 1) / users <= a) {
                return b - a;
            }
            double sum = 0;
            for (int u = 0; u < users; u++) {
                double started = ramp * u / users;
                sum += Math.max(0, b - Math.max(a, started));
            }
            return sum / users;
        }
        if (load instanceof LoadShape.OpenLoop && latencyMicros != null && latencyMicros.getTotalCount() > 0) {
            double sum = 0;
            long count = 0;
            for (HistogramIterationValue v : latencyMicros.recordedValues()) {
                double l = latencyMicros.medianEquivalentValue(v.getValueIteratedTo()) / 1e6;
                sum += v.getCountAtValueIteratedTo() * openLoopShare(l, a, b);
                count += v.getCountAtValueIteratedTo();
            }
            return sum / count;
        }
        return b - a;
    }

    /**
     * The integral over [a, b] of min(1, t / l): an open loop that started empty at 0 with answers of l seconds does
     * that share of its steady-state work at time t.
     */
    static double openLoopShare(double l, double a, double b) {
        if (l <= a) {
            return b - a;
        }
        if (l >= b) {
            return (b * b - a * a) / (2 * l);
        }
        return (l * l - a * a) / (2 * l) + (b - l);
    }
}
