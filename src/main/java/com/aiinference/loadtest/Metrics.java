package com.aiinference.loadtest;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Collects what each request did into HdrHistograms (microseconds, 3 significant digits, up to an hour) and a
 * per-second time line. Called once per finished request, under one lock: a request's whole record (its ITLs
 * included) goes in at once, so a reader never sees half a request.
 */
final class Metrics {
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int MAX_SAMPLES = 4000;
    private static final int BINS = 40;

    private final long startNanos;
    private final long measureFromNanos;
    private final Histogram latency = histogram();
    private final Histogram ttft = histogram();
    private final Histogram itl = histogram();
    private final Histogram tpot = histogram();
    /** Since the last progress tick, for the rolling p50/p95 of the progress line. */
    private Histogram interval = histogram();
    private long intervalTokens;
    private final Map<String, Long> errors = new TreeMap<>();
    private final TreeMap<Integer, Second> seconds = new TreeMap<>();
    private final List<LoadTestResult.Sample> samples = new ArrayList<>();
    private final Random sampling = new Random(7);
    private long seen;
    private long measuredSeen;
    private long total;
    private long succeeded;
    private long warmupRequests;
    private long warmupFinished;
    private long outputTokens;
    private long inputTokens;
    private boolean inputTokensCounted;
    private long stoppedByUser;
    private final SendWindow window;
    private long withServerCount;
    private long withChunkCount;
    private double serverSpeedSum;
    private long serverSpeedCount;
    private long lastMeasuredEndNanos;
    private long inFlight;
    private long peakInFlight;

    Metrics(long startNanos, long measureFromNanos, long plannedEndNanos) {
        this.startNanos = startNanos;
        this.measureFromNanos = measureFromNanos;
        this.lastMeasuredEndNanos = measureFromNanos;
        this.window = new SendWindow(measureFromNanos, plannedEndNanos);
    }

    /** Sending stopped at {@code nanos}, before the planned end (max-requests, a stop): closes the send window. */
    synchronized void sendingStopped(long nanos) {
        window.closedAt(nanos);
    }

    private static Histogram histogram() {
        return new Histogram(1, HIGHEST_MICROS, 3);
    }

    private static final class Second {
        final boolean warmup;
        final Histogram latency = new Histogram(2);
        final Histogram ttft = new Histogram(2);
        long requests;
        long failed;
        long inFlight;
        long inFlightAtEnd;
        long tokens;

        Second(boolean warmup) {
            this.warmup = warmup;
        }
    }

    private Second second(long nanos) {
        int s = (int) Math.max(0, (nanos - startNanos) / 1_000_000_000L);
        return seconds.computeIfAbsent(s, k -> new Second(warmupSecond(k)));
    }

    /**
     * A time-line second is a warm-up row only when it lies wholly in the warm-up, so every measured request (it ends
     * after the warm-up) falls in a measured row; with a warm-up of whole seconds nothing changes at the edge.
     */
    private boolean warmupSecond(int k) {
        return startNanos + (k + 1) * 1_000_000_000L <= measureFromNanos;
    }

    /** A request is about to be sent; returns whether it is measured (started after the warm-up). */
    synchronized boolean started(long startNanos) {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        Second s = second(System.nanoTime());
        s.inFlight = Math.max(s.inFlight, inFlight);
        s.inFlightAtEnd = inFlight;
        boolean measured = startNanos >= measureFromNanos;
        if (measured) {
            total++;
        } else {
            warmupRequests++;
        }
        return measured;
    }

    /** A request ended. Exactly once per {@link #started}. */
    synchronized void finished(RequestRecord r) {
        Second s = second(r.endNanos());
        s.inFlight = Math.max(s.inFlight, inFlight);
        inFlight--;
        s.inFlightAtEnd = inFlight;
        seen++;
        if (r.stoppedByUser()) {
            // Cut by the user's stop: neither success nor failure, in no row and no figure.
            if (r.measured()) {
                total--;
                stoppedByUser++;
            } else {
                warmupFinished++;
            }
            return;
        }
        if (!r.measured()) {
            warmupFinished++;
            // A warm-up request that ends after the warm-up is in no row: measured rows count measured requests only,
            // so they add up to the total.
            if (s.warmup) {
                s.requests++;
                if (!r.ok()) {
                    s.failed++;
                }
            }
            if (r.ok()) {
                // Warm-up answers still show on the progress line, never in the results.
                record(interval, Math.max(1, (r.endNanos() - r.originNanos()) / 1000));
                intervalTokens += r.outputTokens();
            }
            return;
        }
        s.requests++;
        measuredSeen++;
        lastMeasuredEndNanos = Math.max(lastMeasuredEndNanos, r.endNanos());
        window.ended(r.endNanos(), r.ok(), r.outputTokens(), r.inputTokens());
        long latencyMicros = Math.max(1, (r.endNanos() - r.originNanos()) / 1000);
        addSample(r, latencyMicros);
        if (!r.ok()) {
            s.failed++;
            errors.merge(r.errorKey(), 1L, Long::sum);
            return;
        }
        succeeded++;
        record(latency, latencyMicros);
        record(interval, latencyMicros);
        s.latency.recordValue(latencyMicros);
        if (r.firstTokenNanos() > 0) {
            long ttftMicros = Math.max(1, (r.firstTokenNanos() - r.originNanos()) / 1000);
            record(ttft, ttftMicros);
            s.ttft.recordValue(ttftMicros);
        }
        for (int i = 0; i < r.itlCount(); i++) {
            record(itl, Math.max(1, r.itlNanos()[i] / 1000));
        }
        long tokens = r.outputTokens();
        if (r.tokensFromServer()) {
            withServerCount++;
        } else {
            withChunkCount++;
        }
        if (r.firstTokenNanos() > 0 && tokens > 1) {
            record(tpot, Math.max(1, (r.endNanos() - r.firstTokenNanos()) / 1000 / (tokens - 1)));
        }
        if (r.serverEvalDurationNanos() > 0 && r.serverEvalCount() > 0) {
            serverSpeedSum += r.serverEvalCount() * 1e9 / r.serverEvalDurationNanos();
            serverSpeedCount++;
        }
        outputTokens += tokens;
        if (r.inputTokens() >= 0) {
            inputTokens += r.inputTokens();
            inputTokensCounted = true;
        }
        intervalTokens += tokens;
        s.tokens += tokens;
    }

    private void addSample(RequestRecord r, long latencyMicros) {
        LoadTestResult.Sample sample = new LoadTestResult.Sample((r.endNanos() - startNanos) / 1e9,
                latencyMicros / 1000.0, r.ok());
        long n = measuredSeen;
        // Reservoir sampling keeps a uniform sample of all measured requests in bounded memory.
        if (samples.size() < MAX_SAMPLES) {
            samples.add(sample);
        } else {
            long j = (long) (sampling.nextDouble() * n);
            if (j < MAX_SAMPLES) {
                samples.set((int) j, sample);
            }
        }
    }

    private static void record(Histogram h, long micros) {
        h.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /** For the progress line. */
    record Snapshot(long inFlight, long finished, long measuredFinished, long failed, long warmupRequests,
                    double p50Ms, double p95Ms, double tokensPerSecond, boolean rolling) {}

    private final java.util.ArrayDeque<Histogram> recent = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<double[]> recentTokens = new java.util.ArrayDeque<>();

    /**
     * Counters now, and p50/p95/tokens-per-second over the last {@code window} calls (a rolling window, so a
     * one-second live line still has answers to show when they take longer than a second).
     */
    synchronized Snapshot tick(double intervalSeconds, int window) {
        recent.addLast(interval);
        recentTokens.addLast(new double[] {intervalTokens, intervalSeconds});
        interval = histogram();
        intervalTokens = 0;
        while (recent.size() > Math.max(1, window)) {
            recent.removeFirst();
            recentTokens.removeFirst();
        }
        Histogram merged = histogram();
        recent.forEach(merged::add);
        double tokens = 0;
        double seconds = 0;
        for (double[] t : recentTokens) {
            tokens += t[0];
            seconds += t[1];
        }
        boolean any = merged.getTotalCount() > 0;
        return new Snapshot(inFlight, seen, seen - warmupFinished, failedMeasured(), warmupRequests,
                any ? merged.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                any ? merged.getValueAtPercentile(95) / 1000.0 : Double.NaN,
                seconds > 0 ? tokens / seconds : 0, true);
    }

    private long failedMeasured() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Measured requests that ended, and how many of them failed: for {@code --max-error-rate}. */
    synchronized long[] measuredOutcomes() {
        long failed = failedMeasured();
        return new long[] {succeeded + failed, failed};
    }

    synchronized long inFlight() {
        return inFlight;
    }

    synchronized LoadTestResult result(LoadTestConfig config, URI target, Instant startedAt, RunStop stop,
                                       List<String> warnings) {
        double duration = Math.max(1e-3, (lastMeasuredEndNanos - measureFromNanos) / 1e9);
        SendWindow.Figures w = window.figures();
        if (w == null) {
            // No success inside the send window (or it lasted under a second): rates over the whole measured time.
            w = new SendWindow.Figures(duration, total, succeeded, outputTokens, inputTokens);
        }
        String source = withServerCount > 0 && withChunkCount > 0 ? "mixed"
                : withServerCount > 0 ? "server" : withChunkCount > 0 ? "chunks" : "none";
        List<LoadTestResult.TimelineRow> rows = new ArrayList<>();
        if (!seconds.isEmpty()) {
            long carried = 0;
            for (int t = 0; t <= seconds.lastKey(); t++) {
                Second s = seconds.get(t);
                if (s == null) {
                    // Nothing started or ended in this second: as many were in flight as at the end of the last one.
                    rows.add(new LoadTestResult.TimelineRow(t, warmupSecond(t),
                            0, 0, carried, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0));
                    continue;
                }
                carried = s.inFlightAtEnd;
                rows.add(new LoadTestResult.TimelineRow(t, s.warmup, s.requests, s.failed, s.inFlight,
                        pct(s.latency, 50), pct(s.latency, 95), s.latency.getTotalCount() == 0 ? Double.NaN
                                : s.latency.getMaxValue() / 1000.0,
                        pct(s.ttft, 50), pct(s.ttft, 95), s.tokens));
            }
        }
        long failed = failedMeasured();
        if (succeeded + failed != total) {
            // Every started request must have finished before a result is made; anything else is a bug here.
            throw new IllegalStateException("accounting: " + total + " sent but " + succeeded + " succeeded + "
                    + failed + " failed");
        }
        return new LoadTestResult(config, target, startedAt, duration, w.seconds(), total, succeeded, errors,
                stoppedByUser, LatencySummary.ofMicros(latency), LatencySummary.ofMicros(ttft),
                LatencySummary.ofMicros(itl), LatencySummary.ofMicros(tpot), outputTokens, source,
                inputTokensCounted ? inputTokens : -1, w.ended() / w.seconds(), w.succeeded() / w.seconds(),
                w.outputTokens() / w.seconds(), inputTokensCounted ? w.inputTokens() / w.seconds() : Double.NaN,
                serverSpeedCount == 0 ? Double.NaN : serverSpeedSum / serverSpeedCount, peakInFlight, warmupRequests,
                rows, samples, bins(latency), stop, warnings, null);
    }

    private static double pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p) / 1000.0;
    }

    /** Equal-width bins from the smallest to the largest latency (p99.9 caps the range so one outlier does not flatten it). */
    private static List<LoadTestResult.Bin> bins(Histogram h) {
        List<LoadTestResult.Bin> bins = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return bins;
        }
        double lo = h.getMinValue() / 1000.0;
        double hi = h.getValueAtPercentile(99.9) / 1000.0;
        double max = h.getMaxValue() / 1000.0;
        if (hi <= lo) {
            hi = lo + 1;
        }
        double width = (hi - lo) / BINS;
        long[] counts = new long[BINS];
        // Each recorded bucket goes to exactly one bin (by its median value): no double counting where the
        // histogram's buckets (3 significant digits) are wider than a bin.
        for (org.HdrHistogram.HistogramIterationValue v : h.recordedValues()) {
            double ms = h.medianEquivalentValue(v.getValueIteratedTo()) / 1000.0;
            int i = (int) Math.floor((ms - lo) / width);
            counts[Math.max(0, Math.min(BINS - 1, i))] += v.getCountAddedInThisIterationStep();
        }
        for (int i = 0; i < BINS; i++) {
            double from = lo + i * width;
            double to = i == BINS - 1 ? Math.max(hi, max) : from + width;
            bins.add(new LoadTestResult.Bin(from, to, counts[i]));
        }
        return bins;
    }
}
