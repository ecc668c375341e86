package com.aiinference.loadtest.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Collects what each request did. Writers are the engine's event-loop threads, one call per finished request, and
 * never take a lock for the figures: each writer has its own {@link Shard} of HdrHistogram
 * {@link SingleWriterRecorder}s (interval histograms, microseconds, 3 significant digits, up to an hour), so two
 * loops never write the same cache line for a latency; counts go into adders. The reader (progress ticks
 * and the final result, one at a time under the reader lock) drains the recorders' intervals into cumulative
 * histograms, so a tick never stalls a request and a result holds every request recorded before it.
 *
 * <p>The per-second time line keeps a small recorder pair per second and folds it into a row of percentiles two
 * seconds after the second ended, so a long run does not hold a histogram per second.
 */
final class RunRecorder {
    private static final long HIGHEST_MICROS = RunSnapshot.HIGHEST_MICROS;
    private static final int MAX_SAMPLES = RunSnapshot.MAX_SAMPLES;
    /** A second's row is folded this long after the second ended (a request's end is recorded just after it). */
    private static final long ROW_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final long startNanos;
    private final long measureFromNanos;

    /** One per writer thread ({@link #finished(RequestRecord, int)}'s {@code shard}). */
    private final Shard[] shards;
    private final LongAdder progressTokens = new LongAdder();

    private final LongAdder total = new LongAdder();
    private final LongAdder warmupRequests = new LongAdder();
    private final LongAdder seen = new LongAdder();
    private final LongAdder warmupFinished = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder outputTokens = new LongAdder();
    private final LongAdder inputTokens = new LongAdder();
    private final LongAdder inputTokensCounted = new LongAdder();
    private final LongAdder stoppedByUser = new LongAdder();
    private final SendWindow window;
    private final LongAdder withServerCount = new LongAdder();
    private final LongAdder withChunkCount = new LongAdder();
    private final DoubleAdder serverSpeedSum = new DoubleAdder();
    private final LongAdder serverSpeedCount = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong peakInFlight = new AtomicLong();
    private final ConcurrentHashMap<Integer, Second> seconds = new ConcurrentHashMap<>();

    private final Object samplesLock = new Object();
    private final List<LoadTestResult.Sample> samples = new ArrayList<>();
    private final AtomicLong sampled = new AtomicLong();

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

    /** RunRecorder written by one thread. */
    RunRecorder(long startNanos, long measureFromNanos, long plannedEndNanos) {
        this(startNanos, measureFromNanos, plannedEndNanos, 1);
    }

    /** RunRecorder written by {@code writers} threads, each with its own shard, of load full from its start. */
    RunRecorder(long startNanos, long measureFromNanos, long plannedEndNanos, int writers) {
        this(startNanos, measureFromNanos, plannedEndNanos, writers, null);
    }

    /**
     * RunRecorder written by {@code writers} threads, each with its own shard; {@code load} (null: full from its start)
     * says how the load built up, for the rates ({@link SendWindow}).
     */
    RunRecorder(long startNanos, long measureFromNanos, long plannedEndNanos, int writers, LoadShape load) {
        this.startNanos = startNanos;
        this.measureFromNanos = measureFromNanos;
        this.window = new SendWindow(startNanos, measureFromNanos, plannedEndNanos, load);
        this.shards = new Shard[writers];
        for (int i = 0; i < writers; i++) {
            shards[i] = new Shard(measureFromNanos);
        }
    }

    /**
     * What one writer thread records and nobody else writes: its recorders (uncontended, so recording costs no
     * cache-line transfer between loops) and the latest end of its measured requests.
     */
    private static final class Shard {
        final SingleWriterRecorder latency = recorder();
        final SingleWriterRecorder ttft = recorder();
        final SingleWriterRecorder itl = recorder();
        final SingleWriterRecorder tpot = recorder();
        /** Successes since the last progress tick, warm-up included, for the rolling p50/p95 of the progress line. */
        final SingleWriterRecorder progress = recorder();
        /** Written by the shard's writer only; read by the reader. */
        volatile long lastMeasuredEndNanos;

        Shard(long measureFromNanos) {
            this.lastMeasuredEndNanos = measureFromNanos;
        }

        void measuredEnd(long nanos) {
            if (nanos > lastMeasuredEndNanos) {
                lastMeasuredEndNanos = nanos;
            }
        }
    }

    /** Sending stopped at {@code nanos}, before the planned end (max-requests, a stop): closes the send window. */
    void sendingStopped(long nanos) {
        window.closedAt(nanos);
    }

    private static Histogram histogram() {
        return RunSnapshot.runHistogram();
    }

    /**
     * Auto-resizing (values are capped at {@link #HIGHEST_MICROS} when recorded): a shard's histograms grow only to
     * the range its requests reach, so many loops do not each hold full hour-wide arrays.
     */
    private static SingleWriterRecorder recorder() {
        return new SingleWriterRecorder(3);
    }

    /**
     * One second of the time line, as the writers see it. It stays in the map for the whole run (a few hundred bytes
     * once folded); folding takes what it holds so far, so a request recorded after its second was folded is still
     * counted in that second's row at the next fold.
     */
    private static final class Second {
        final boolean warmup;
        final Recorder latency = new Recorder(RunSnapshot.SECOND_DIGITS);
        final Recorder ttft = new Recorder(RunSnapshot.SECOND_DIGITS);
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
     * A folded second: its counts (exact), and its latency and TTFT histograms in HdrHistogram's compressed encoding
     * (a few hundred bytes, so a long run does not keep a live histogram per second). A request recorded after its
     * second was folded is added at the next fold.
     */
    private static final class Row {
        final boolean warmup;
        long requests;
        long failed;
        long tokens;
        long inFlight;
        long inFlightAtEnd;
        byte[] latency;
        byte[] ttft;

        Row(boolean warmup) {
            this.warmup = warmup;
        }

        void add(Second s) {
            requests += s.requests.getAndSet(0);
            failed += s.failed.getAndSet(0);
            tokens += s.tokens.getAndSet(0);
            inFlight = Math.max(inFlight, s.inFlight.get());
            inFlightAtEnd = s.inFlightAtEnd;
            latency = addTo(latency, s.latency.getIntervalHistogram());
            ttft = addTo(ttft, s.ttft.getIntervalHistogram());
        }

        private static byte[] addTo(byte[] encoded, Histogram more) {
            if (more.getTotalCount() == 0 && encoded != null) {
                return encoded;
            }
            Histogram h = decode(encoded);
            h.add(more);
            return RunSnapshot.HistogramCodec.bytes(h);
        }

        static Histogram decode(byte[] encoded) {
            Histogram h = RunSnapshot.secondHistogram();
            if (encoded != null) {
                h.add(RunSnapshot.HistogramCodec.fromBytes(encoded));
            }
            return h;
        }

        RunSnapshot.SecondRow toSecondRow() {
            return new RunSnapshot.SecondRow(warmup, requests, failed, inFlight, inFlightAtEnd, tokens, decode(latency),
                    decode(ttft));
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

    /**
     * A request {@link #started} that the user's stop cut before any of its bytes were sent (its connection was still
     * opening): the server never saw it, so it is taken back rather than counted as cut. Instead of {@link #finished}.
     */
    void withdrawn(boolean measured) {
        if (measured) {
            total.decrement();
        } else {
            warmupRequests.decrement();
        }
        second(System.nanoTime()).inFlightAtEnd = inFlight.decrementAndGet();
    }

    /** A request ended, recorded by the only writer. Exactly once per {@link #started}. */
    void finished(RequestRecord r) {
        finished(r, 0);
    }

    /**
     * A request ended. Exactly once per {@link #started}. A shard has one writer thread: the engine's event loop
     * {@code shard}.
     */
    void finished(RequestRecord r, int shard) {
        Second s = second(r.endNanos());
        max(s.inFlight, inFlight.get());
        try {
            count(r, s, shards[shard]);
        } finally {
            // Last: the engine ends a run when nothing is in flight, so every count must be in before this.
            s.inFlightAtEnd = inFlight.decrementAndGet();
        }
    }

    private void count(RequestRecord r, Second s, Shard shard) {
        if (!r.stoppedByUser()) {
            // Warm-up requests too: the share of their work done inside the send window counts there.
            window.ended(r.originNanos(), r.endNanos(), r.ok(), r.outputTokens(), r.inputTokens());
        }
        if (r.stoppedByUser()) {
            // Cut by the user's stop: neither success nor failure, in no row and no figure.
            if (r.measured()) {
                total.decrement();
                stoppedByUser.increment();
                // The run lasted until the stop cut it: its measured length reaches this end too.
                shard.measuredEnd(r.endNanos());
            } else {
                warmupFinished.increment();
            }
            seen.increment();
            return;
        }
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
                record(shard.progress, Math.max(1, (r.endNanos() - r.originNanos()) / 1000));
                progressTokens.add(r.outputTokens());
            }
            warmupFinished.increment();
            seen.increment();
            return;
        }
        shard.measuredEnd(r.endNanos());
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
        record(shard.latency, latencyMicros);
        record(shard.progress, latencyMicros);
        s.latency.recordValue(latencyMicros);
        if (r.firstTokenNanos() > 0) {
            long ttftMicros = Math.max(1, (r.firstTokenNanos() - r.originNanos()) / 1000);
            record(shard.ttft, ttftMicros);
            s.ttft.recordValue(ttftMicros);
        }
        for (int i = 0; i < r.itlCount(); i++) {
            record(shard.itl, Math.max(1, r.itlNanos()[i] / 1000));
        }
        long tokens = r.outputTokens();
        if (r.tokensFromServer()) {
            withServerCount.increment();
        } else {
            withChunkCount.increment();
        }
        if (r.firstTokenNanos() > 0 && tokens > 1) {
            record(shard.tpot, Math.max(1, (r.endNanos() - r.firstTokenNanos()) / 1000 / (tokens - 1)));
        }
        if (r.serverEvalDurationNanos() > 0 && r.serverEvalCount() > 0) {
            serverSpeedSum.add(r.serverEvalCount() * 1e9 / r.serverEvalDurationNanos());
            serverSpeedCount.increment();
        }
        outputTokens.add(tokens);
        if (r.inputTokens() >= 0) {
            inputTokens.add(r.inputTokens());
            inputTokensCounted.increment();
        }
        progressTokens.add(tokens);
        s.tokens.addAndGet(tokens);
        s.requests.incrementAndGet();
        // Counted last: a reader that sees this success also sees its histograms' values.
        succeeded.increment();
        seen.increment();
    }

    private void addSample(RequestRecord r, long latencyMicros) {
        // Reservoir sampling keeps a uniform sample of all measured requests in bounded memory: request n replaces a
        // random one with probability MAX_SAMPLES / n, so past the first few thousand most requests take no lock.
        long n = sampled.incrementAndGet();
        long j = n <= MAX_SAMPLES ? n - 1 : (long) (ThreadLocalRandom.current().nextDouble() * n);
        if (j >= MAX_SAMPLES) {
            return;
        }
        LoadTestResult.Sample sample = new LoadTestResult.Sample((r.endNanos() - startNanos) / 1e9,
                latencyMicros / 1000.0, r.ok());
        synchronized (samplesLock) {
            if (samples.size() < MAX_SAMPLES) {
                samples.add(sample);
            } else {
                samples.set((int) j, sample);
            }
        }
    }

    private static void record(SingleWriterRecorder h, long micros) {
        h.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /** For the progress line. */
    record Tick(long inFlight, long finished, long measuredFinished, long failed, long warmupRequests,
                    double p50Ms, double p95Ms, double tokensPerSecond, boolean rolling) {}

    /**
     * Counters now, and p50/p95/tokens-per-second over the last {@code window} calls (a rolling window, so a
     * one-second live line still has answers to show when they take longer than a second).
     */
    Tick tick(double intervalSeconds, int window) {
        synchronized (readerLock) {
            drain(System.nanoTime());
            Histogram progress = histogram();
            for (Shard shard : shards) {
                progress.add(shard.progress.getIntervalHistogram());
            }
            recent.addLast(progress);
            recentTokens.addLast(new double[] {progressTokens.sumThenReset(), intervalSeconds});
            // The oldest calls leave the window, but never so that it spans under a second: the last line of a run
            // comes a moment after the tick before it, and its few tokens over a few milliseconds are no rate.
            while (recent.size() > Math.max(1, window) && spanWithoutOldest() >= 1.0) {
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
            // "done" counts what the report will count: measured requests, not warm-up ones nor those the user's stop cut.
            return new Tick(inFlight.get(), all, all - warmupFinished.sum() - stoppedByUser.sum(), failed.sum(),
                    warmupRequests.sum(),
                    any ? merged.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                    any ? merged.getValueAtPercentile(95) / 1000.0 : Double.NaN,
                    secs > 0 ? tokens / secs : 0, true);
        }
    }

    /** Seconds the rolling window spans without its oldest call. Under the reader lock. */
    private double spanWithoutOldest() {
        double secs = 0;
        boolean first = true;
        for (double[] t : recentTokens) {
            if (!first) {
                secs += t[1];
            }
            first = false;
        }
        return secs;
    }

    /**
     * Moves what the recorders hold into the cumulative histograms, and folds the seconds that ended more than
     * {@link #ROW_GRACE_NANOS} before {@code nowNanos} into rows. Under the reader lock.
     */
    private void drain(long nowNanos) {
        for (Shard shard : shards) {
            drainInto(shard.latency, latency);
            drainInto(shard.ttft, ttft);
            drainInto(shard.itl, itl);
            drainInto(shard.tpot, tpot);
        }
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

    private static void drainInto(SingleWriterRecorder r, Histogram into) {
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

    /**
     * What was measured, in the mergeable form ({@link RunSnapshot}): the cumulative histograms themselves and a
     * dense time line whose rows carry their own histograms (a second in which nothing started or ended carries the
     * in-flight count of the one before). Every request started must have finished (the engine waits for that).
     */
    RunSnapshot measurements(Instant startedAt, RunStop stop, List<String> warnings) {
        synchronized (readerLock) {
            drain(System.nanoTime());
            for (Map.Entry<Integer, Second> e : seconds.entrySet()) {
                fold(e.getKey(), e.getValue());
            }
            List<RunSnapshot.SecondRow> timeline = new ArrayList<>();
            if (!rows.isEmpty()) {
                long carried = 0;
                for (int t = 0; t <= rows.lastKey(); t++) {
                    Row row = rows.get(t);
                    if (row == null) {
                        timeline.add(RunSnapshot.SecondRow.idle(warmupSecond(t), carried));
                        continue;
                    }
                    carried = row.inFlightAtEnd;
                    timeline.add(row.toSecondRow());
                }
            }
            Map<String, Long> errorCounts = new TreeMap<>();
            errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
            List<LoadTestResult.Sample> sampleCopy;
            long sampledFrom;
            synchronized (samplesLock) {
                sampleCopy = new ArrayList<>(samples);
                sampledFrom = sampled.get();
            }
            WindowRates rates = window.rates(latency);
            long windowEnd = window.endNanos();
            // A window planned without an end (Long.MAX_VALUE) stays without one.
            long sendEnd = windowEnd == Long.MAX_VALUE ? Long.MAX_VALUE : windowEnd - startNanos;
            long epochNanos = startedAt.getEpochSecond() * 1_000_000_000L + startedAt.getNano();
            long lastMeasuredEnd = measureFromNanos;
            for (Shard shard : shards) {
                lastMeasuredEnd = Math.max(lastMeasuredEnd, shard.lastMeasuredEndNanos);
            }
            return new RunSnapshot(epochNanos, measureFromNanos - startNanos, lastMeasuredEnd - startNanos,
                    total.sum(), succeeded.sum(), errorCounts, warmupRequests.sum(), latency.copy(), ttft.copy(),
                    itl.copy(), tpot.copy(), outputTokens.sum(), withServerCount.sum(), withChunkCount.sum(),
                    serverSpeedSum.sum(), serverSpeedCount.sum(), peakInFlight.get(), stoppedByUser.sum(),
                    inputTokens.sum(), inputTokensCounted.sum(), sendEnd, rates, timeline, sampleCopy, sampledFrom, stop, warnings);
        }
    }
}
