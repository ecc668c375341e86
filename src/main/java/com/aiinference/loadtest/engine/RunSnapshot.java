package com.aiinference.loadtest.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Everything a run measured, in the form that merges exactly: the HdrHistograms themselves (never their
 * percentiles), counters, and a per-second time line whose rows carry their own histograms. One process turns its
 * {@code RunSnapshot} into a {@link LoadTestResult}; a distributed run ({@code --workers}, {@code --in-cluster})
 * gets one per worker (as JSON, histograms in HdrHistogram's compressed encoding), {@link #merge merges} them and
 * turns the merged one into the same result. So the report of N workers is computed exactly as one process would
 * compute it from the same recorded latencies.
 *
 * <p>Times are nanoseconds from the run's start ({@link #startedAtEpochNanos}, wall clock), so runs that started at
 * different moments line up on a common clock when merged.
 *
 * @param startedAtEpochNanos       wall-clock start of the run
 * @param measureFromNanos          end of the warm-up, from the start
 * @param lastMeasuredEndNanos      end of the last measured request, from the start ({@code measureFromNanos} if none)
 * @param total                     measured requests sent
 * @param succeeded                 of those, complete answers
 * @param errors                    failed measured requests by kind key
 * @param warmupRequests            requests sent during the warm-up
 * @param latency                   end-to-end latency of successes, microseconds
 * @param ttft                      time to first token, microseconds
 * @param itl                       inter-token gaps, microseconds
 * @param tpot                      time per output token, microseconds
 * @param outputTokens              output tokens of successes
 * @param withServerCount           successes whose token count came from the server
 * @param withChunkCount            successes whose token count is a chunk count
 * @param serverSpeedSum            sum of per-answer server decode speeds (tokens/s)
 * @param serverSpeedCount          answers with a server decode speed
 * @param peakInFlight              most requests in flight at once
 * @param stoppedByUser             measured requests cut by the user's stop (not in {@code total})
 * @param inputTokens               prompt tokens of successes as the server counted them
 * @param inputTokensCounted        successes that carried a server prompt-token count (0: the server gave none)
 * @param sendEndNanos              end of the send window ({@link SendWindow}), from the start: when sending
 *                                  stopped or was planned to stop; the window starts at {@code measureFromNanos}
 * @param rates                     steady-state rates from the work done inside the send window
 *                                  ({@link SendWindow}); null when it held no successful work: the result then
 *                                  divides by the whole measured time
 * @param seconds                   the time line, one row per second from 0 (dense)
 * @param samples                   a uniform sample of measured requests (end second from the start)
 * @param sampledFrom               measured requests the sample was drawn from
 * @param stop                      why the run stopped early (the user, an abort), or null
 * @param warnings                  things the reader should know
 */
public record RunSnapshot(
        long startedAtEpochNanos,
        long measureFromNanos,
        long lastMeasuredEndNanos,
        long total,
        long succeeded,
        Map<String, Long> errors,
        long warmupRequests,
        @JsonSerialize(using = HistogramCodec.Writer.class) @JsonDeserialize(using = HistogramCodec.Reader.class) Histogram latency,
        @JsonSerialize(using = HistogramCodec.Writer.class) @JsonDeserialize(using = HistogramCodec.Reader.class) Histogram ttft,
        @JsonSerialize(using = HistogramCodec.Writer.class) @JsonDeserialize(using = HistogramCodec.Reader.class) Histogram itl,
        @JsonSerialize(using = HistogramCodec.Writer.class) @JsonDeserialize(using = HistogramCodec.Reader.class) Histogram tpot,
        long outputTokens,
        long withServerCount,
        long withChunkCount,
        double serverSpeedSum,
        long serverSpeedCount,
        long peakInFlight,
        long stoppedByUser,
        long inputTokens,
        long inputTokensCounted,
        long sendEndNanos,
        WindowRates rates,
        List<SecondRow> seconds,
        List<LoadTestResult.Sample> samples,
        long sampledFrom,
        RunStop stop,
        List<String> warnings) {

    /** Histograms of whole-run metrics: microseconds, 1 us to an hour, 3 significant digits. */
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    static final int SIGNIFICANT_DIGITS = 3;
    /** Per-second rows: 2 significant digits, auto-resizing. */
    static final int SECOND_DIGITS = 2;
    static final int MAX_SAMPLES = 4000;
    private static final int BINS = 40;

    public RunSnapshot {
        errors = Collections.unmodifiableMap(new TreeMap<>(errors));
        seconds = List.copyOf(seconds);
        samples = List.copyOf(samples);
        warnings = List.copyOf(warnings);
    }

    static Histogram runHistogram() {
        return new Histogram(1, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    }

    static Histogram secondHistogram() {
        return new Histogram(SECOND_DIGITS);
    }

    /**
     * One second of the run.
     *
     * @param warmup       whether the whole second lies in the warm-up
     * @param requests     requests that ended in it (warm-up ones in a warm-up row, measured ones otherwise)
     * @param failed       of those, failures
     * @param inFlight     most requests in flight during it
     * @param inFlightAtEnd requests in flight at its end
     * @param outputTokens output tokens of the measured successes that ended in it
     * @param latency      latency of the measured successes that ended in it, microseconds
     * @param ttft         their time to first token, microseconds
     */
    public record SecondRow(
            boolean warmup, long requests, long failed, long inFlight, long inFlightAtEnd, long outputTokens,
            @JsonSerialize(using = HistogramCodec.Writer.class) @JsonDeserialize(using = HistogramCodec.Reader.class) Histogram latency,
            @JsonSerialize(using = HistogramCodec.Writer.class) @JsonDeserialize(using = HistogramCodec.Reader.class) Histogram ttft) {

        /** A second in which nothing started or ended: {@code carried} requests stayed in flight. */
        static SecondRow idle(boolean warmup, long carried) {
            return new SecondRow(warmup, 0, 0, carried, carried, 0, secondHistogram(), secondHistogram());
        }
    }

    /** Failed measured requests. */
    @JsonIgnore
    public long failed() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Why the run was aborted, or null (a user's stop is not an abort). */
    @JsonIgnore
    public String abortReason() {
        return stop != null && stop.aborted() ? stop.reason() : null;
    }

    /** When the run started (wall clock). */
    @JsonIgnore
    public Instant startedAt() {
        return Instant.ofEpochSecond(0, startedAtEpochNanos);
    }

    /** The result of this run as the reports show it. */
    public LoadTestResult toResult(LoadTestConfig config, URI target) {
        double duration = Math.max(1e-3, (lastMeasuredEndNanos - measureFromNanos) / 1e9);
        String source = withServerCount > 0 && withChunkCount > 0 ? "mixed"
                : withServerCount > 0 ? "server" : withChunkCount > 0 ? "chunks" : "none";
        List<LoadTestResult.TimelineRow> rows = new ArrayList<>();
        for (int t = 0; t < seconds.size(); t++) {
            SecondRow s = seconds.get(t);
            rows.add(new LoadTestResult.TimelineRow(t, s.warmup(), s.requests(), s.failed(), s.inFlight(),
                    pct(s.latency(), 50), pct(s.latency(), 95),
                    s.latency().getTotalCount() == 0 ? Double.NaN : s.latency().getMaxValue() / 1000.0,
                    pct(s.ttft(), 50), pct(s.ttft(), 95), s.outputTokens()));
        }
        if (succeeded + failed() != total) {
            // Every started request must have finished before a result is made; anything else is a bug here.
            throw new IllegalStateException("accounting: " + total + " sent but " + succeeded + " succeeded + "
                    + failed() + " failed");
        }
        boolean inputCounted = inputTokensCounted > 0;
        WindowRates w = rates != null ? rates
                // No successful work inside the send window: rates over the whole measured time.
                : new WindowRates(duration, duration, total / duration, succeeded / duration, outputTokens / duration,
                        inputTokens / duration);
        double input = inputCounted ? w.inputTokensPerSecond() : Double.NaN;
        LoadTestResult.Run run = new LoadTestResult.Run(startedAt(), duration, w.windowSeconds(),
                Math.max(0, duration - w.windowSeconds()), warmupRequests, stop);
        LoadTestResult.Throughput throughput = new LoadTestResult.Throughput(w.requestsPerSecond(), input,
                w.outputTokensPerSecond(), Double.isNaN(input) ? Double.NaN : input + w.outputTokensPerSecond(),
                serverSpeedCount == 0 ? Double.NaN : serverSpeedSum / serverSpeedCount, WindowRates.METHOD);
        LoadTestResult.Served served = new LoadTestResult.Served(succeeded == 0 ? Double.NaN : w.succeededPerSecond(),
                peakInFlight, null);
        return new LoadTestResult(config, target, run, LoadTestResult.Requests.of(total, succeeded, stoppedByUser),
                errors, LatencySummary.ofMicros(latency), LatencySummary.ofMicros(ttft), LatencySummary.ofMicros(itl),
                LatencySummary.ofMicros(tpot), new LoadTestResult.Tokens(inputCounted ? inputTokens : null, outputTokens,
                source), throughput, served, rows, samples, bins(latency), warnings, null);
    }

    /**
     * Several runs as one: histograms added (so every percentile is computed from all recorded values, within
     * HdrHistogram's precision, never an average of percentiles), counters summed, time lines aligned on the wall
     * clock (each run's rows shifted by its start, rounded to the second) and added row by row, samples drawn from
     * each run in proportion to its measured requests. The measured window runs from the earliest end of a warm-up to
     * the latest measured answer. The peak in flight is the highest per-second sum of the runs' peaks (an upper
     * bound: peaks within one second need not coincide). The send window runs from that same start to the latest end
     * of any run's window; the runs sent at the same time, so their steady-state rates add. Stops are joined, {@code label(i)}
     * naming each run: an abort (the first run's kind) outranks a user's stop, which the merge keeps when every
     * stopped run was stopped by the user.
     */
    public static RunSnapshot merge(List<RunSnapshot> runs, java.util.function.IntFunction<String> label) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        if (runs.size() == 1) {
            return runs.get(0);
        }
        long start = runs.stream().mapToLong(RunSnapshot::startedAtEpochNanos).min().getAsLong();
        long measureFrom = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        long total = 0, succeeded = 0, warmup = 0, tokens = 0, server = 0, chunks = 0, speedCount = 0, sampledFrom = 0;
        long stoppedByUser = 0, inputTokens = 0, inputCounted = 0, sendEnd = Long.MIN_VALUE;
        WindowRates rates = null;
        RunStop.Kind abortKind = null;
        List<String> userStops = new ArrayList<>();
        double speedSum = 0;
        Map<String, Long> errors = new TreeMap<>();
        Histogram latency = runHistogram(), ttft = runHistogram(), itl = runHistogram(), tpot = runHistogram();
        List<SecondRow> seconds = new ArrayList<>();
        List<String> aborts = new ArrayList<>();
        LinkedHashSet<String> warnings = new LinkedHashSet<>();
        long sumOfPeaks = 0;
        for (int i = 0; i < runs.size(); i++) {
            RunSnapshot m = runs.get(i);
            long shift = m.startedAtEpochNanos - start;
            measureFrom = Math.min(measureFrom, shift + m.measureFromNanos);
            lastEnd = Math.max(lastEnd, shift + m.lastMeasuredEndNanos);
            // A window planned without an end (Long.MAX_VALUE) stays without one.
            sendEnd = Math.max(sendEnd, m.sendEndNanos > Long.MAX_VALUE - shift ? Long.MAX_VALUE : shift + m.sendEndNanos);
            stoppedByUser += m.stoppedByUser;
            inputTokens += m.inputTokens;
            inputCounted += m.inputTokensCounted;
            // The runs sent at the same time: their rates add.
            rates = rates == null ? m.rates : m.rates == null ? rates : rates.plus(m.rates);
            total += m.total;
            succeeded += m.succeeded;
            warmup += m.warmupRequests;
            m.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            latency.add(m.latency);
            ttft.add(m.ttft);
            itl.add(m.itl);
            tpot.add(m.tpot);
            tokens += m.outputTokens;
            server += m.withServerCount;
            chunks += m.withChunkCount;
            speedSum += m.serverSpeedSum;
            speedCount += m.serverSpeedCount;
            sampledFrom += m.sampledFrom;
            sumOfPeaks += m.peakInFlight;
            if (m.stop != null && m.stop.aborted()) {
                aborts.add(label.apply(i) + ": " + m.stop.reason());
                if (abortKind == null) {
                    abortKind = m.stop.kind();
                }
            } else if (m.stop != null) {
                userStops.add(m.stop.reason());
            }
            warnings.addAll(m.warnings);
            addRows(seconds, m, (int) Math.round(shift / 1e9), start);
        }
        // A merged second is a warm-up row only when it is one for every run that has it; addRows kept that flag.
        long peak = 0;
        for (SecondRow s : seconds) {
            peak = Math.max(peak, s.inFlight());
        }
        RunStop stop = abortKind != null ? new RunStop(abortKind, String.join("; ", aborts))
                : userStops.isEmpty() ? null : RunStop.byUser(String.join("; ", new LinkedHashSet<>(userStops)));
        return new RunSnapshot(start, measureFrom, Math.max(lastEnd, measureFrom), total, succeeded, errors, warmup,
                latency, ttft, itl, tpot, tokens, server, chunks, speedSum, speedCount, Math.min(peak, sumOfPeaks),
                stoppedByUser, inputTokens, inputCounted, Math.max(sendEnd, measureFrom), rates, seconds, mergeSamples(runs, start), sampledFrom, stop,
                List.copyOf(warnings));
    }

    /**
     * Adds run {@code m}'s rows into {@code into}, its second k landing on merged second k + offset. A measured merged
     * row takes only measured rows and a warm-up row only warm-up rows, so measured rows still add up to the total.
     */
    private static void addRows(List<SecondRow> into, RunSnapshot m, int offset, long start) {
        for (int k = 0; k < m.seconds.size(); k++) {
            int t = k + offset;
            while (into.size() <= t) {
                into.add(null);
            }
            SecondRow mine = m.seconds.get(k);
            SecondRow there = into.get(t);
            if (there == null) {
                into.set(t, copy(mine));
                continue;
            }
            boolean warmup = there.warmup() && mine.warmup();
            Histogram lat = secondHistogram();
            Histogram tt = secondHistogram();
            long requests = 0, failed = 0, tokens = 0;
            for (SecondRow r : List.of(there, mine)) {
                if (r.warmup() == warmup) {
                    requests += r.requests();
                    failed += r.failed();
                    tokens += r.outputTokens();
                    lat.add(r.latency());
                    tt.add(r.ttft());
                }
            }
            into.set(t, new SecondRow(warmup, requests, failed, there.inFlight() + mine.inFlight(),
                    there.inFlightAtEnd() + mine.inFlightAtEnd(), tokens, lat, tt));
        }
        // Seconds before a run started (or after it ended) hold none of its requests.
        for (int t = 0; t < into.size(); t++) {
            if (into.get(t) == null) {
                into.set(t, SecondRow.idle(true, 0));
            }
        }
    }

    private static SecondRow copy(SecondRow r) {
        Histogram lat = secondHistogram();
        lat.add(r.latency());
        Histogram tt = secondHistogram();
        tt.add(r.ttft());
        return new SecondRow(r.warmup(), r.requests(), r.failed(), r.inFlight(), r.inFlightAtEnd(), r.outputTokens(), lat, tt);
    }

    /** Up to {@link #MAX_SAMPLES}, each run contributing in proportion to the measured requests it sampled from. */
    private static List<LoadTestResult.Sample> mergeSamples(List<RunSnapshot> runs, long start) {
        long all = runs.stream().mapToLong(RunSnapshot::sampledFrom).sum();
        List<LoadTestResult.Sample> out = new ArrayList<>();
        Random random = new Random(7);
        for (RunSnapshot m : runs) {
            double shiftSeconds = (m.startedAtEpochNanos - start) / 1e9;
            List<LoadTestResult.Sample> mine = new ArrayList<>(m.samples);
            Collections.shuffle(mine, random);
            long share = all == 0 ? 0 : Math.round((double) MAX_SAMPLES * m.sampledFrom / all);
            int take = (int) Math.min(mine.size(), all <= MAX_SAMPLES ? mine.size() : share);
            for (int i = 0; i < take; i++) {
                LoadTestResult.Sample s = mine.get(i);
                out.add(new LoadTestResult.Sample(s.endSecond() + shiftSeconds, s.latencyMs(), s.ok()));
            }
        }
        return out;
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

    /** HdrHistogram's own compressed encoding, base64 in JSON: the histogram travels whole, every bucket. */
    static final class HistogramCodec {
        private HistogramCodec() {}

        static byte[] bytes(Histogram h) {
            ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int length = h.encodeIntoCompressedByteBuffer(buffer);
            return java.util.Arrays.copyOf(buffer.array(), length);
        }

        static Histogram fromBytes(byte[] bytes) {
            try {
                return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 2);
            } catch (DataFormatException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("not an HdrHistogram encoding: " + e.getMessage(), e);
            }
        }

        static String encode(Histogram h) {
            return Base64.getEncoder().encodeToString(bytes(h));
        }

        static Histogram decode(String text) {
            try {
                return fromBytes(Base64.getDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith("not an HdrHistogram") ? e.getMessage()
                        : "not an HdrHistogram encoding: " + e.getMessage(), e);
            }
        }

        static final class Writer extends JsonSerializer<Histogram> {
            @Override
            public void serialize(Histogram h, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(encode(h));
            }
        }

        static final class Reader extends JsonDeserializer<Histogram> {
            @Override
            public Histogram deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                try {
                    return decode(p.getValueAsString());
                } catch (IllegalArgumentException e) {
                    throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, e.getMessage(),
                            p.getValueAsString(), Histogram.class);
                }
            }
        }
    }
}
