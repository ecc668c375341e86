package com.aiinference.loadtest;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects what each request did. Writers are the engine's event-loop threads, one call per finished request, and
 * never take a lock for the figures: latencies go into HdrHistogram {@link Recorder}s (lock-free interval
 * histograms, microseconds, 3 significant digits, up to an hour) and counts into adders. The reader (progress ticks
 * and the final result, one at a time under the reader lock) drains the recorders' intervals into cumulative
 * histograms, so a tick never stalls a request and a result holds every request recorded before it.
 *
 * <p>The per-second time line keeps a small recorder pair per second and folds it into a row of percentiles two
 * seconds after the second ended, so a long run does not hold a histogram per second.
 */
final class Metrics {
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int MAX_SAMPLES = 4000;
    private static final int BINS = 40;
    /** A second's row is folded this long after the second ended (a request's end is recorded just after it). */
    private static final long ROW_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final long startNanos;
    private final long measureFromNanos;

    private final Recorder latencyRecorder = recorder();
    private final Recorder ttftRecorder = recorder();
    private final Recorder itlRecorder = recorder();
    private final Recorder tpotRecorder = recorder();
    /** Successes since the last progress tick, warm-up included, for the rolling p50/p95 of the progress line. */
    private final Recorder progressRecorder = recorder();
    private final LongAdder progressTokens = new LongAdder();

    private final LongAdder total = new LongAdder();
    private final LongAdder warmupRequests = new LongAdder();
    private final LongAdder seen = new LongAdder();
    private final LongAdder warmupFinished = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder outputTokens = new LongAdder();
    private final LongAdder withServerCount = new LongAdder();
    private final LongAdder withChunkCount = new LongAdder();
    private final DoubleAdder serverSpeedSum = new DoubleAdder();
    private final LongAdder serverSpeedCount = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong lastMeasuredEndNanos;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong peakInFlight = new AtomicLong();
    private final ConcurrentHashMap<Integer, Second> seconds = new ConcurrentHashMap<>();

    private final Object samplesLock = new Object();
    private final List<LoadTestResult.Sample> samples = new ArrayList<>();
    private final Random sampling = new Random(7);
    private long sampled;

    // Reader side: touched only under readerLock.
    private final Object readerLock = new Object();
    private final Histogram latency = histogram();
    private final Histogram ttft = histogram();
    private final Histogram itl = histogram();
    private final Histogram tpot = histogram();
    private final TreeMap<Integer, Row> rows = new TreeMap<>();
    /** Seconds up to this one were folded by a tick; the final result folds every second once more. */
    private int lastFolded = -1;
    private final ArrayDeque<Histogram> recent = new ArrayDeque<>();
    private final ArrayDeque<double[]> recentTokens = new ArrayDeque<>();

    Metrics(long startNanos, long measureFromNanos) {
        this.startNanos = startNanos;
        this.measureFromNanos = measureFromNanos;
        this.lastMeasuredEndNanos = new AtomicLong(measureFromNanos);
    }

    private static Histogram histogram() {
        return new Histogram(1, HIGHEST_MICROS, 3);
    }

    private static Recorder recorder() {
        return new Recorder(1, HIGHEST_MICROS, 3);
    }

    /**
     * One second of the time line, as the writers see it. It stays in the map for the whole run (a few hundred bytes
     * once folded); folding takes what it holds so far, so a request recorded after its second was folded is still
     * counted in that second's row at the next fold.
     */
    private static final class Second {
        final boolean warmup;
        final Recorder latency = new Recorder(2);
        final Recorder ttft = new Recorder(2);
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong tokens = new AtomicLong();
        final AtomicLong inFlight = new AtomicLong();
        volatile long inFlightAtEnd;

        Second(boolean warmup) {
            this.warmup = warmup;
        }
    }

    /**
     * A folded second: its counts (exact), and the percentiles of what its recorders held when it was folded, taken
     * from small histograms that are dropped once the second is two seconds old (so a long run does not keep a
     * histogram per second).
     */
    private static final class Row {
        final boolean warmup;
        long requests;
        long failed;
        long tokens;
        long inFlight;
        long inFlightAtEnd;
        double latencyP50 = Double.NaN;
        double latencyP95 = Double.NaN;
        double latencyMax = Double.NaN;
        double ttftP50 = Double.NaN;
        double ttftP95 = Double.NaN;

        Row(boolean warmup) {
            this.warmup = warmup;
        }

        void add(Second s) {
            requests += s.requests.getAndSet(0);
            failed += s.failed.getAndSet(0);
            tokens += s.tokens.getAndSet(0);
            inFlight = Math.max(inFlight, s.inFlight.get());
            inFlightAtEnd = s.inFlightAtEnd;
            Histogram l = s.latency.getIntervalHistogram();
            Histogram t = s.ttft.getIntervalHistogram();
            // Stragglers folded later count in the row; their latency changes the percentiles only of a row that had none.
            if (l.getTotalCount() > 0 && Double.isNaN(latencyP50)) {
                latencyP50 = pct(l, 50);
                latencyP95 = pct(l, 95);
                latencyMax = l.getMaxValue() / 1000.0;
            }
            if (t.getTotalCount() > 0 && Double.isNaN(ttftP50)) {
                ttftP50 = pct(t, 50);
                ttftP95 = pct(t, 95);
            }
        }

        LoadTestResult.TimelineRow toTimelineRow(int t) {
            return new LoadTestResult.TimelineRow(t, warmup, requests, failed, inFlight, latencyP50, latencyP95,
                    latencyMax, ttftP50, ttftP95, tokens);
        }
    }

    private Second second(long nanos) {
        int s = (int) Math.max(0, (nanos - startNanos) / 1_000_000_000L);
        Second sec = seconds.get(s);
        return sec != null ? sec : seconds.computeIfAbsent(s, k -> new Second(warmupSecond(k)));
    }

    /**
     * A time-line second is a warm-up row only when it lies wholly in the warm-up, so every measured request (it ends
     * after the warm-up) falls in a measured row; with a warm-up of whole seconds nothing changes at the edge.
     */
    private boolean warmupSecond(int k) {
        return startNanos + (k + 1) * 1_000_000_000L <= measureFromNanos;
    }

    private static void max(AtomicLong a, long v) {
        long cur;
        while (v > (cur = a.get()) && !a.compareAndSet(cur, v)) {
            // retry
        }
    }

    /** A request is about to be sent; returns whether it is measured (started after the warm-up). */
    boolean started(long startNanos) {
        long now = inFlight.incrementAndGet();
        max(peakInFlight, now);
        Second s = second(System.nanoTime());
        max(s.inFlight, now);
        s.inFlightAtEnd = now;
        boolean measured = startNanos >= measureFromNanos;
        if (measured) {
            total.increment();
        } else {
            warmupRequests.increment();
        }
        return measured;
    }

    /** A request ended. Exactly once per {@link #started}. */
    void finished(RequestRecord r) {
        Second s = second(r.endNanos());
        max(s.inFlight, inFlight.get());
        s.inFlightAtEnd = inFlight.decrementAndGet();
        if (!r.measured()) {
            // A warm-up request that ends after the warm-up is in no row: measured rows count measured requests only,
            // so they add up to the total.
            if (s.warmup) {
                s.requests.incrementAndGet();
                if (!r.ok()) {
                    s.failed.incrementAndGet();
                }
            }
            if (r.ok()) {
                // Warm-up answers still show on the progress line, never in the results.
                record(progressRecorder, Math.max(1, (r.endNanos() - r.originNanos()) / 1000));
                progressTokens.add(r.outputTokens());
            }
            warmupFinished.increment();
            seen.increment();
            return;
        }
        max(lastMeasuredEndNanos, r.endNanos());
        long latencyMicros = Math.max(1, (r.endNanos() - r.originNanos()) / 1000);
        addSample(r, latencyMicros);
        if (!r.ok()) {
            errors.computeIfAbsent(r.errorKey(), k -> new LongAdder()).increment();
            s.failed.incrementAndGet();
            s.requests.incrementAndGet();
            failed.increment();
            seen.increment();
            return;
        }
        record(latencyRecorder, latencyMicros);
        record(progressRecorder, latencyMicros);
        s.latency.recordValue(latencyMicros);
        if (r.firstTokenNanos() > 0) {
            long ttftMicros = Math.max(1, (r.firstTokenNanos() - r.originNanos()) / 1000);
            record(ttftRecorder, ttftMicros);
            s.ttft.recordValue(ttftMicros);
        }
        for (int i = 0; i < r.itlCount(); i++) {
            record(itlRecorder, Math.max(1, r.itlNanos()[i] / 1000));
        }
        long tokens = r.outputTokens();
        if (r.tokensFromServer()) {
            withServerCount.increment();
        } else {
            withChunkCount.increment();
        }
        if (r.firstTokenNanos() > 0 && tokens > 1) {
            record(tpotRecorder, Math.max(1, (r.endNanos() - r.firstTokenNanos()) / 1000 / (tokens - 1)));
        }
        if (r.serverEvalDurationNanos() > 0 && r.serverEvalCount() > 0) {
            serverSpeedSum.add(r.serverEvalCount() * 1e9 / r.serverEvalDurationNanos());
            serverSpeedCount.increment();
        }
        outputTokens.add(tokens);
        progressTokens.add(tokens);
        s.tokens.addAndGet(tokens);
        s.requests.incrementAndGet();
        // Counted last: a reader that sees this success also sees its histograms' values.
        succeeded.increment();
        seen.increment();
    }

    private void addSample(RequestRecord r, long latencyMicros) {
        LoadTestResult.Sample sample = new LoadTestResult.Sample((r.endNanos() - startNanos) / 1e9,
                latencyMicros / 1000.0, r.ok());
        synchronized (samplesLock) {
            long n = ++sampled;
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
    }

    private static void record(Recorder h, long micros) {
        h.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /** For the progress line. */
    record Snapshot(long inFlight, long finished, long measuredFinished, long failed, long warmupRequests,
                    double p50Ms, double p95Ms, double tokensPerSecond, boolean rolling) {}

    /**
     * Counters now, and p50/p95/tokens-per-second over the last {@code window} calls (a rolling window, so a
     * one-second live line still has answers to show when they take longer than a second).
     */
    Snapshot tick(double intervalSeconds, int window) {
        synchronized (readerLock) {
            drain(System.nanoTime());
            recent.addLast(progressRecorder.getIntervalHistogram());
            recentTokens.addLast(new double[] {progressTokens.sumThenReset(), intervalSeconds});
            while (recent.size() > Math.max(1, window)) {
                recent.removeFirst();
                recentTokens.removeFirst();
            }
            Histogram merged = histogram();
            recent.forEach(merged::add);
            double tokens = 0;
            double secs = 0;
            for (double[] t : recentTokens) {
                tokens += t[0];
                secs += t[1];
            }
            boolean any = merged.getTotalCount() > 0;
            long all = seen.sum();
            return new Snapshot(inFlight.get(), all, all - warmupFinished.sum(), failed.sum(), warmupRequests.sum(),
                    any ? merged.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                    any ? merged.getValueAtPercentile(95) / 1000.0 : Double.NaN,
                    secs > 0 ? tokens / secs : 0, true);
        }
    }

    /**
     * Moves what the recorders hold into the cumulative histograms, and folds the seconds that ended more than
     * {@link #ROW_GRACE_NANOS} before {@code nowNanos} into rows. Under the reader lock.
     */
    private void drain(long nowNanos) {
        drainInto(latencyRecorder, latency);
        drainInto(ttftRecorder, ttft);
        drainInto(itlRecorder, itl);
        drainInto(tpotRecorder, tpot);
        long foldBefore = (nowNanos - startNanos - ROW_GRACE_NANOS) / 1_000_000_000L;
        for (Map.Entry<Integer, Second> e : seconds.entrySet()) {
            if (e.getKey() < foldBefore && e.getKey() > lastFolded) {
                fold(e.getKey(), e.getValue());
            }
        }
        lastFolded = Math.max(lastFolded, (int) foldBefore - 1);
    }

    private void fold(int t, Second s) {
        rows.computeIfAbsent(t, k -> new Row(s.warmup)).add(s);
    }

    private static void drainInto(Recorder r, Histogram into) {
        into.add(r.getIntervalHistogram());
    }

    /** Measured requests that ended, and how many of them failed: for {@code --max-error-rate}. */
    long[] measuredOutcomes() {
        long f = failed.sum();
        return new long[] {succeeded.sum() + f, f};
    }

    long inFlight() {
        return inFlight.get();
    }

    /** The run's figures; every request started must have finished (the engine waits for that). */
    LoadTestResult result(LoadTestConfig config, URI target, Instant startedAt, String abortReason,
                          List<String> warnings) {
        synchronized (readerLock) {
            drain(System.nanoTime());
            for (Map.Entry<Integer, Second> e : seconds.entrySet()) {
                fold(e.getKey(), e.getValue());
            }
            double duration = Math.max(1e-3, (lastMeasuredEndNanos.get() - measureFromNanos) / 1e9);
            long server = withServerCount.sum();
            long chunks = withChunkCount.sum();
            String source = server > 0 && chunks > 0 ? "mixed" : server > 0 ? "server" : chunks > 0 ? "chunks" : "none";
            List<LoadTestResult.TimelineRow> timeline = new ArrayList<>();
            if (!rows.isEmpty()) {
                long carried = 0;
                for (int t = 0; t <= rows.lastKey(); t++) {
                    Row row = rows.get(t);
                    if (row == null) {
                        // Nothing started or ended in this second: as many were in flight as at the end of the last one.
                        timeline.add(new LoadTestResult.TimelineRow(t, warmupSecond(t),
                                0, 0, carried, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0));
                        continue;
                    }
                    carried = row.inFlightAtEnd;
                    timeline.add(row.toTimelineRow(t));
                }
            }
            Map<String, Long> errorCounts = new TreeMap<>();
            errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
            long ok = succeeded.sum();
            long bad = errorCounts.values().stream().mapToLong(Long::longValue).sum();
            long sent = total.sum();
            if (ok + bad != sent) {
                // Every started request must have finished before a result is made; anything else is a bug here.
                throw new IllegalStateException("accounting: " + sent + " sent but " + ok + " succeeded + "
                        + bad + " failed");
            }
            long speedCount = serverSpeedCount.sum();
            List<LoadTestResult.Sample> sampleCopy;
            synchronized (samplesLock) {
                sampleCopy = new ArrayList<>(samples);
            }
            return new LoadTestResult(config, target, startedAt, duration, sent, ok, errorCounts,
                    LatencySummary.ofMicros(latency), LatencySummary.ofMicros(ttft), LatencySummary.ofMicros(itl),
                    LatencySummary.ofMicros(tpot), outputTokens.sum(), source,
                    speedCount == 0 ? Double.NaN : serverSpeedSum.sum() / speedCount, peakInFlight.get(),
                    warmupRequests.sum(), timeline, sampleCopy, bins(latency), abortReason, warnings, null);
        }
    }

    /**
     * Copies of the cumulative histograms (microseconds) of measured successes: latency, TTFT, ITL, TPOT, for a
     * caller that merges runs (several worker processes) exactly. Call after {@link #result}.
     */
    RawHistograms histograms() {
        synchronized (readerLock) {
            drain(System.nanoTime());
            return new RawHistograms(latency.copy(), ttft.copy(), itl.copy(), tpot.copy());
        }
    }

    /** The run's cumulative HdrHistograms (microseconds), mergeable with {@link Histogram#add}. */
    record RawHistograms(Histogram latency, Histogram ttft, Histogram itl, Histogram tpot) {}

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
