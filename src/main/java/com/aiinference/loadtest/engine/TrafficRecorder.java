package com.aiinference.loadtest.engine;

import com.aiinference.loadtest.traffic.Turn;
import com.aiinference.loadtest.traffic.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Records what {@link TrafficSummary} reports, one measured success at a time. Requests end on every event loop;
 * their figures are a handful of histogram adds, so one lock costs nothing beside an LLM answer.
 */
final class TrafficRecorder {
    private static final long MAX_TOKENS = 100_000_000L;
    private static final long MAX_MICROS = 3_600_000_000L;
    private final Workload workload;
    private final Histogram inputAsked = tokens();
    private final Histogram inputServer = tokens();
    private final Histogram outputAsked = tokens();
    private final Histogram outputServer = tokens();
    /** Cached prompt tokens per request; 0 is a value here (a miss), so the histogram starts at 0. */
    private final Histogram cachedPerRequest = new Histogram(MAX_TOKENS, 3);
    private long cached;
    private long cachedOf;
    private boolean cachedSeen;
    private final TreeMap<Integer, PerTurn> turns = new TreeMap<>();

    private static final class PerTurn {
        final Histogram ttft = new Histogram(1, MAX_MICROS, 3);
        final Histogram latency = new Histogram(1, MAX_MICROS, 3);
        long count;
        long inputSum;
        long inputCount;
    }

    TrafficRecorder(Workload workload) {
        this.workload = workload;
    }

    private static Histogram tokens() {
        return new Histogram(1, MAX_TOKENS, 3);
    }

    /**
     * One request of {@code turn} ended as {@code r}; {@code askedOutput} is the answer length it asked for,
     * {@code cachedTokens} the server's cached-token count (-1 if it gave none).
     */
    synchronized void ended(Turn turn, RequestRecord r, int askedOutput, long cachedTokens) {
        if (!r.measured() || !r.ok()) {
            return;
        }
        add(inputAsked, turn.askedInputTokens());
        if (askedOutput > 0) {
            add(outputAsked, askedOutput);
        }
        if (r.inputTokens() >= 0) {
            add(inputServer, r.inputTokens());
        }
        if (r.tokensFromServer()) {
            add(outputServer, r.outputTokens());
        }
        if (cachedTokens >= 0) {
            cachedSeen = true;
            cached += cachedTokens;
            cachedPerRequest.recordValue(Math.min(MAX_TOKENS, cachedTokens));
            cachedOf += Math.max(0, r.inputTokens());
        }
        if (workload.conversations()) {
            PerTurn t = turns.computeIfAbsent(turn.number(), n -> new PerTurn());
            t.count++;
            t.latency.recordValue(micros(r.endNanos() - r.originNanos()));
            if (r.firstTokenNanos() > 0) {
                t.ttft.recordValue(micros(r.firstTokenNanos() - r.originNanos()));
            }
            if (r.inputTokens() >= 0) {
                t.inputSum += r.inputTokens();
                t.inputCount++;
            }
        }
    }

    private static long micros(long nanos) {
        return Math.max(1, Math.min(MAX_MICROS, nanos / 1000));
    }

    private static void add(Histogram h, long v) {
        h.recordValue(Math.max(1, Math.min(MAX_TOKENS, v)));
    }

    synchronized TrafficSummary summary() {
        List<TrafficSummary.TurnRow> rows = new ArrayList<>();
        turns.forEach((n, t) -> rows.add(new TrafficSummary.TurnRow(n, t.count, ms(t.ttft, 50), ms(t.ttft, 95),
                ms(t.latency, 50), t.inputCount == 0 ? Double.NaN : (double) t.inputSum / t.inputCount)));
        return new TrafficSummary(workload.describe(), lengths(inputAsked), lengths(inputServer), lengths(outputAsked),
                lengths(outputServer), cachedSeen ? cached : null,
                cachedSeen && cachedOf > 0 ? (double) cached / cachedOf : Double.NaN, lengths(cachedPerRequest), rows);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static TrafficSummary.Lengths lengths(Histogram h) {
        if (h.getTotalCount() == 0) {
            return TrafficSummary.Lengths.NONE;
        }
        return new TrafficSummary.Lengths(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(95));
    }
}
