package com.aiinference.loadtest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Collects what each request did into HdrHistograms (microseconds, 3 significant digits, up to an hour) and a
 * per-second time line. Called once per finished request, under one lock: a request's whole record (its ITLs
 * included) goes in at once, so a reader never sees half a request.
 */
final class Metrics {
    private static final long HIGHEST_MICROS = Measurements.HIGHEST_MICROS;
    private static final int MAX_SAMPLES = Measurements.MAX_SAMPLES;

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
    private long withServerCount;
    private long withChunkCount;
    private double serverSpeedSum;
    private long serverSpeedCount;
    private long lastMeasuredEndNanos;
    private long inFlight;
    private long peakInFlight;

    Metrics(long startNanos, long measureFromNanos) {
        this.startNanos = startNanos;
        this.measureFromNanos = measureFromNanos;
        this.lastMeasuredEndNanos = measureFromNanos;
    }

    private static Histogram histogram() {
        return Measurements.runHistogram();
    }

    private static final class Second {
        final boolean warmup;
        final Histogram latency = Measurements.secondHistogram();
        final Histogram ttft = Measurements.secondHistogram();
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

    /**
     * What was measured, in the mergeable form ({@link Measurements}): the histograms themselves and a dense time
     * line (a second in which nothing started or ended carries the in-flight count of the one before).
     */
    synchronized Measurements measurements(Instant startedAt, String abortReason, List<String> warnings) {
        List<Measurements.SecondRow> rows = new ArrayList<>();
        if (!seconds.isEmpty()) {
            long carried = 0;
            for (int t = 0; t <= seconds.lastKey(); t++) {
                Second s = seconds.get(t);
                if (s == null) {
                    rows.add(Measurements.SecondRow.idle(warmupSecond(t), carried));
                    continue;
                }
                carried = s.inFlightAtEnd;
                rows.add(new Measurements.SecondRow(s.warmup, s.requests, s.failed, s.inFlight, s.inFlightAtEnd,
                        s.tokens, s.latency.copy(), s.ttft.copy()));
            }
        }
        long epochNanos = startedAt.getEpochSecond() * 1_000_000_000L + startedAt.getNano();
        return new Measurements(epochNanos, measureFromNanos - startNanos, lastMeasuredEndNanos - startNanos, total,
                succeeded, errors, warmupRequests, latency.copy(), ttft.copy(), itl.copy(), tpot.copy(), outputTokens,
                withServerCount, withChunkCount, serverSpeedSum, serverSpeedCount, peakInFlight, rows, samples,
                measuredSeen, abortReason, warnings);
    }
}
