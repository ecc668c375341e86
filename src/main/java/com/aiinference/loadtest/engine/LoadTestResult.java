package com.aiinference.loadtest.engine;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured. Only measured requests (started after the warm-up) count; each one is a success or
 * exactly one {@link ErrorKind}, so {@code succeeded + sum(errors) == total}. Requests cut by the user's stop
 * (Ctrl-C) are neither: they are counted in {@code stoppedByUser} and nowhere else.
 *
 * @param config             what was run
 * @param target             the URL requests went to
 * @param startedAt          wall-clock start
 * @param durationSeconds    measured time: from the end of the warm-up to the end of the last measured request (or the
 *                           user's stop, which ends the requests it cut)
 * @param windowSeconds      the send window the rates divide by: from the end of the warm-up until sending stopped
 *                           (see {@link SendWindow}); equal to {@code durationSeconds} when that window held no success
 * @param total              measured requests that ended as a success or a failure
 * @param succeeded          of those, complete answers
 * @param errors             failed requests by kind key ({@link ErrorKind#key()} or {@code http_<status>})
 * @param stoppedByUser      measured requests in flight when the user stopped the run (not in {@code total})
 * @param latency            end-to-end latency of successes (open loop: from the scheduled send time)
 * @param ttft               time to first token of streamed successes (same origin as latency)
 * @param itl                gaps between successive tokens of streamed successes
 * @param tpot               per request (latency - ttft) / (output tokens - 1)
 * @param outputTokens       output tokens of successes
 * @param outputTokensSource {@code server} (eval_count / usage), {@code chunks} (counted stream chunks: a
 *                           tokenizer-free estimate), {@code mixed}, or {@code none}
 * @param inputTokens        prompt tokens of successes as the server counted them, -1 when it gave no count
 * @param requestsPerSecond  measured requests that ended in the send window, per second of it
 * @param succeededPerSecond successes that ended in the send window, per second of it: the capacity figure
 * @param outputTokensPerSecond output tokens of those successes per second of the window
 * @param inputTokensPerSecond  prompt tokens of those successes per second of the window (NaN when not counted)
 * @param serverTokensPerSecond mean per-answer decode speed the server reported (eval_count / eval_duration), NaN if none
 * @param peakInFlight       most measured and warm-up requests in flight at once
 * @param warmupRequests     requests sent during the warm-up (not in any other figure)
 * @param timeline           one row per second of the whole run, warm-up included (flagged); see {@link TimelineRow}
 * @param samples            up to a few thousand individual requests, for the latency-over-time chart
 * @param latencyHistogram   latency of successes in equal-width bins, for the distribution chart
 * @param stop               why the run stopped before its end (the user, an abort), or null
 * @param warnings           things the reader should know (e.g. a port-forward URL with many users)
 * @param replicasServed     replicas that served traffic: not visible from the client; {@code verify} fills it
 */
public record LoadTestResult(
        LoadTestConfig config,
        URI target,
        Instant startedAt,
        double durationSeconds,
        double windowSeconds,
        long total,
        long succeeded,
        Map<String, Long> errors,
        long stoppedByUser,
        LatencySummary latency,
        LatencySummary ttft,
        LatencySummary itl,
        LatencySummary tpot,
        long outputTokens,
        String outputTokensSource,
        long inputTokens,
        double requestsPerSecond,
        double succeededPerSecond,
        double outputTokensPerSecond,
        double inputTokensPerSecond,
        double serverTokensPerSecond,
        long peakInFlight,
        long warmupRequests,
        List<TimelineRow> timeline,
        List<Sample> samples,
        List<Bin> latencyHistogram,
        RunStop stop,
        List<String> warnings,
        Integer replicasServed) implements Slo.Measured {

    public LoadTestResult {
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        timeline = List.copyOf(timeline);
        samples = List.copyOf(samples);
        latencyHistogram = List.copyOf(latencyHistogram);
        warnings = List.copyOf(warnings);
    }

    /**
     * Requests that completed within one second of the run.
     *
     * @param second      seconds since the start of the run (warm-up included)
     * @param warmup      whether this whole second is in the warm-up
     * @param requests    requests that ended in this second: warm-up ones in a warm-up row, measured ones otherwise
     *                    (so the measured rows add up to {@link #total()})
     * @param failed      of those, failures
     * @param inFlight    most requests in flight during this second
     * @param latencyP50  ms, of the successes that ended in this second (NaN if none)
     * @param latencyP95  ms
     * @param latencyMax  ms
     * @param ttftP50     ms
     * @param ttftP95     ms
     * @param outputTokens output tokens of the successes that ended in this second
     */
    public record TimelineRow(int second, boolean warmup, long requests, long failed, long inFlight,
                              @JsonProperty("latency_p50_ms") double latencyP50,
                              @JsonProperty("latency_p95_ms") double latencyP95,
                              @JsonProperty("latency_max_ms") double latencyMax,
                              @JsonProperty("ttft_p50_ms") double ttftP50,
                              @JsonProperty("ttft_p95_ms") double ttftP95, long outputTokens) {}

    /** One request, for the scatter chart: when it ended (s since start), how long it took (ms), success. */
    public record Sample(double endSecond, double latencyMs, boolean ok) {}

    /** Successes with latency in [fromMs, toMs). */
    public record Bin(double fromMs, double toMs, long count) {}

    public long failed() {
        return total - succeeded;
    }

    /** Share of measured requests that succeeded; NaN when none was measured (there is nothing to rate). */
    public double successRate() {
        return total == 0 ? Double.NaN : (double) succeeded / total;
    }

    /** Output and prompt tokens per second; NaN when the server counted no prompt tokens. */
    public double totalTokensPerSecond() {
        return Double.isNaN(inputTokensPerSecond) ? Double.NaN : inputTokensPerSecond + outputTokensPerSecond;
    }

    /**
     * Why this run proves nothing, when no measured request succeeded, else null: e.g. {@code no request was
     * measured: aborted: ...} or {@code no request succeeded (0 of 12: model_not_found_404 12)}.
     */
    public String noSuccessReason() {
        if (succeeded > 0) {
            return null;
        }
        if (total > 0) {
            return "no request succeeded (0 of " + total + ": " + errorsInline(errors) + ")";
        }
        if (stop != null) {
            return "no request was measured: " + (stop.aborted() ? "aborted: " : "") + stop.reason();
        }
        if (warmupRequests > 0) {
            return "no request was measured: none started after the warm-up (" + warmupRequests
                    + " warm-up requests; answers slower than --warmup + --duration?)";
        }
        return "no request was measured: none was sent";
    }

    /** {@code server_busy_503 10, timeout 2}, or {@code none}. */
    public static String errorsInline(Map<String, Long> errors) {
        StringBuilder sb = new StringBuilder();
        errors.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return sb.length() == 0 ? "none" : sb.toString();
    }

    /** Whether a failure aborted the run ({@code --max-error-rate}, every request failing, a client error). */
    public boolean aborted() {
        return stop != null && stop.aborted();
    }

    /** Why the run was aborted, or null (a user's stop is not an abort). */
    public String abortReason() {
        return aborted() ? stop.reason() : null;
    }

    /** Whether the user stopped the run (Ctrl-C). */
    public boolean stoppedByUserSignal() {
        return stop != null && !stop.aborted();
    }

    /** The SLO outcomes of {@link LoadTestConfig#slo()}. */
    public List<com.aiinference.core.Check> sloOutcomes() {
        return config.slo().evaluate(this);
    }

    /** Whether the run passes: not aborted, at least one request succeeded, and every objective met (if any). */
    public boolean passed() {
        return !aborted() && noSuccessReason() == null && sloOutcomes().stream().noneMatch(com.aiinference.core.Check::failed);
    }

    /**
     * The same result marked as stopped by the user ({@code reason}, e.g. Ctrl-C), as the coordinator of worker
     * processes or pods knows it: their own stops (a signal, the coordinator's word) give way to the user's; an abort
     * stays.
     */
    public LoadTestResult withUserStop(String reason) {
        if (aborted()) {
            return this;
        }
        return new LoadTestResult(config, target, startedAt, durationSeconds, windowSeconds, total, succeeded, errors,
                stoppedByUser, latency, ttft, itl, tpot, outputTokens, outputTokensSource, inputTokens, requestsPerSecond,
                succeededPerSecond, outputTokensPerSecond, inputTokensPerSecond, serverTokensPerSecond, peakInFlight,
                warmupRequests, timeline, samples, latencyHistogram, RunStop.byUser(reason), warnings, replicasServed);
    }

    /** The same result with the replicas that served traffic, as {@code verify} counts them on the cluster. */
    public LoadTestResult withReplicasServed(int replicas) {
        return new LoadTestResult(config, target, startedAt, durationSeconds, windowSeconds, total, succeeded, errors,
                stoppedByUser, latency, ttft, itl, tpot, outputTokens, outputTokensSource, inputTokens, requestsPerSecond,
                succeededPerSecond, outputTokensPerSecond, inputTokensPerSecond, serverTokensPerSecond, peakInFlight,
                warmupRequests, timeline, samples, latencyHistogram, stop, warnings, replicas);
    }

    /** The same result with one more warning. */
    public LoadTestResult withWarning(String warning) {
        List<String> w = new ArrayList<>(warnings);
        w.add(warning);
        return new LoadTestResult(config, target, startedAt, durationSeconds, windowSeconds, total, succeeded, errors,
                stoppedByUser, latency, ttft, itl, tpot, outputTokens, outputTokensSource, inputTokens, requestsPerSecond,
                succeededPerSecond, outputTokensPerSecond, inputTokensPerSecond, serverTokensPerSecond, peakInFlight,
                warmupRequests, timeline, samples, latencyHistogram, stop, w, replicasServed);
    }
}
