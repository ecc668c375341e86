package com.aiinference.loadtest.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured: the one summary every report shows and the JSON report's {@code load} part is (the recorder,
 * {@link RunRecorder}, records; its mergeable {@link RunSnapshot} is what workers send; this is derived from a
 * snapshot once). Only measured requests (started after the warm-up) count; each one is a success or exactly one
 * {@link ErrorKind}, so {@code succeeded + sum(errors) == total}. Requests cut by the user's stop (Ctrl-C) are
 * neither: they are counted in {@code stopped_by_user} and nowhere else. Numbers are plain (milliseconds, seconds,
 * per second), NaN where there is no data (JSON writes null).
 *
 * @param config     what was run (never in the JSON: header values are secrets; {@link #asked()} is what it shows)
 * @param target     the URL requests went to
 * @param run        when it ran, how long, and why it stopped early (if it did)
 * @param requests   counts: {@code total = succeeded + failed}; {@code stopped_by_user} apart
 * @param errors     failed requests by kind key ({@link ErrorKind#key()} or {@code http_<status>})
 * @param latency    end-to-end latency of successes (open loop: from the scheduled send time)
 * @param ttft       time to first token of streamed successes (same origin as latency)
 * @param itl        gaps between successive tokens of streamed successes
 * @param tpot       per request (latency - ttft) / (output tokens - 1)
 * @param tokens     input (prompt) and output token counts
 * @param throughput steady-state rates over the send window ({@link SendWindow})
 * @param served     successes per second, peak in flight, replicas that served
 * @param timeline   one row per second of the whole run, warm-up included (flagged); see {@link TimelineRow}
 * @param samples    up to a few thousand individual requests, for the latency-over-time chart
 * @param latencyHistogram latency of successes in equal-width bins, for the distribution chart
 * @param warnings   things the reader should know (e.g. a port-forward URL with many users)
 */
@JsonPropertyOrder({"config", "run", "requests", "errors", "latency_ms", "ttft_ms", "itl_ms", "tpot_ms", "tokens",
        "throughput", "capacity", "timeline", "traffic"})
public record LoadTestResult(
        @JsonIgnore LoadTestConfig config,
        @JsonIgnore URI target,
        Run run,
        Requests requests,
        Map<String, Long> errors,
        @JsonProperty("latency_ms") LatencySummary latency,
        @JsonProperty("ttft_ms") LatencySummary ttft,
        @JsonProperty("itl_ms") LatencySummary itl,
        @JsonProperty("tpot_ms") LatencySummary tpot,
        Tokens tokens,
        Throughput throughput,
        @JsonProperty("capacity") Served served,
        List<TimelineRow> timeline,
        @JsonIgnore List<Sample> samples,
        @JsonIgnore List<Bin> latencyHistogram,
        @JsonIgnore List<String> warnings,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        TrafficSummary traffic) implements Slo.Measured {

    public LoadTestResult {
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        timeline = List.copyOf(timeline);
        samples = List.copyOf(samples);
        latencyHistogram = List.copyOf(latencyHistogram);
        warnings = List.copyOf(warnings);
    }

    /**
     * The run as asked, as the JSON's {@code config} shows it (header names only, never their values).
     *
     * @param maxRequests  null when unlimited
     * @param maxTokens    null when the server decides
     * @param slo          the {@code --slo} text, null when none
     * @param maxErrorRate null when not set
     */
    public record RunSettings(String url, String api, String path, String model, LoadShape load, double durationS,
                              double warmupS, Long maxRequests, Integer maxTokens, boolean stream, double timeoutS,
                              int prompts, List<String> headers, String slo, Double maxErrorRate) {}

    /**
     * @param measuredS   from the end of the warm-up to the end of the last measured request (or the user's stop)
     * @param windowS     the send window the rates divide by ({@link SendWindow}); the measured time when that window
     *                    held no success
     * @param drainS      the tail after sending stopped, while the last answers finished
     * @param warmupRequests requests sent during the warm-up (not in any other figure)
     * @param stopped     why the run stopped before its end (the user, an abort), or null
     */
    public record Run(Instant startedAt, double measuredS, double windowS, double drainS, long warmupRequests,
                      RunStop stopped) {}

    /**
     * @param stoppedByUser measured requests in flight when the user stopped the run (not in {@code total})
     * @param successShare  succeeded / total, NaN when nothing was measured
     *                      (a report read back must hold {@code total} and {@code succeeded}: no count is taken as 0)
     */
    public record Requests(@JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) long total,
                           @JsonProperty(required = true) @JsonSetter(nulls = Nulls.FAIL) long succeeded,
                           long failed, long stoppedByUser, double successShare) {
        public static Requests of(long total, long succeeded, long stoppedByUser) {
            return new Requests(total, succeeded, total - succeeded, stoppedByUser,
                    total == 0 ? Double.NaN : (double) succeeded / total);
        }
    }

    /**
     * @param input        prompt tokens of successes as the server counted them, null when it counted none
     * @param output       output tokens of successes
     * @param outputSource {@code server} (eval_count / usage), {@code chunks} (counted stream chunks: a tokenizer-free
     *                     estimate), {@code mixed} or {@code none}
     */
    public record Tokens(Long input, long output, String outputSource) {}

    /**
     * @param requestsPerS           measured requests per second of the send window
     * @param inputTokensPerS        prompt tokens of successes per second (NaN when the server counted none)
     * @param outputTokensPerS       output tokens of successes per second
     * @param totalTokensPerS        both (NaN when prompt tokens were not counted)
     * @param serverDecodeTokensPerS the server's own decode speed per answer (eval_count / eval_duration), NaN if none
     * @param method                 how the rates were estimated ({@link WindowRates#METHOD})
     */
    public record Throughput(double requestsPerS, double inputTokensPerS, double outputTokensPerS,
                             double totalTokensPerS, double serverDecodeTokensPerS, String method) {}

    /**
     * @param succeededPerS  successes per second of the send window: the capacity figure; NaN when none succeeded
     * @param peakInFlight   most measured and warm-up requests in flight at once
     * @param replicasServed replicas that served traffic: not visible from the client; {@code verify} fills it
     */
    public record Served(double succeededPerS, long peakInFlight, Integer replicasServed) {}

    /**
     * Requests that completed within one second of the run.
     *
     * @param second      seconds since the start of the run (warm-up included)
     * @param warmup      whether this whole second is in the warm-up
     * @param requests    requests that ended in this second: warm-up ones in a warm-up row, measured ones otherwise
     *                    (so the measured rows add up to the total)
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

    /** What was asked, as the JSON's {@code config} shows it. */
    @JsonProperty("config")
    public RunSettings asked() {
        LoadTestConfig c = config;
        return new RunSettings(target.toString(), c.api().cliName(), c.api().path(), c.model(), c.load(),
                seconds(c.duration()), seconds(c.warmup()), c.maxRequests() == 0 ? null : c.maxRequests(),
                c.maxTokens() == 0 ? null : c.maxTokens(), c.stream(), seconds(c.timeout()), c.prompts().size(),
                c.headers().stream().map(LoadTestConfig.Header::name).toList(),
                c.slo().isEmpty() ? null : c.slo().toString(), c.maxErrorRate());
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /**
     * Why this run proves nothing, when no measured request succeeded, else null: e.g. {@code no request was
     * measured: aborted: ...} or {@code no request succeeded (0 of 12: model_not_found_404 12)}.
     */
    public String noSuccessReason() {
        if (requests.succeeded() > 0) {
            return null;
        }
        if (requests.total() > 0) {
            return "no request succeeded (0 of " + requests.total() + ": " + errorsInline(errors) + ")";
        }
        if (run.stopped() != null) {
            return "no request was measured: " + (run.stopped().aborted() ? "aborted: " : "") + run.stopped().reason();
        }
        if (run.warmupRequests() > 0) {
            return "no request was measured: none started after the warm-up (" + run.warmupRequests()
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
    @JsonIgnore
    public boolean aborted() {
        return run.stopped() != null && run.stopped().aborted();
    }

    /** Why the run was aborted, or null (a user's stop is not an abort). */
    @JsonIgnore
    public String abortReason() {
        return aborted() ? run.stopped().reason() : null;
    }

    /** Whether the user stopped the run (Ctrl-C). */
    @JsonIgnore
    public boolean stoppedByUserSignal() {
        return run.stopped() != null && !run.stopped().aborted();
    }

    /** The SLO outcomes of {@link LoadTestConfig#slo()}. */
    public List<com.aiinference.core.Check> sloOutcomes() {
        return config.slo().evaluate(this);
    }

    /** Whether the run passes: not aborted, at least one request succeeded, and every objective met (if any). */
    @JsonIgnore
    public boolean passed() {
        return !aborted() && noSuccessReason() == null && sloOutcomes().stream().noneMatch(com.aiinference.core.Check::failed);
    }

    /** {@code server counts}, {@code estimated from stream chunks}, ... */
    @JsonIgnore
    public String tokenSourceLabel() {
        return switch (tokens.outputSource()) {
            case "server" -> "server counts";
            case "chunks" -> "estimated from stream chunks";
            case "mixed" -> "server counts where given, else stream chunks";
            default -> "no tokens";
        };
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
        Run r = new Run(run.startedAt(), run.measuredS(), run.windowS(), run.drainS(), run.warmupRequests(),
                RunStop.byUser(reason));
        return new LoadTestResult(config, target, r, requests, errors, latency, ttft, itl, tpot, tokens, throughput,
                served, timeline, samples, latencyHistogram, warnings, traffic);
    }

    /** The same result with the replicas that served traffic, as {@code verify} counts them on the cluster. */
    public LoadTestResult withReplicasServed(int replicas) {
        return new LoadTestResult(config, target, run, requests, errors, latency, ttft, itl, tpot, tokens, throughput,
                new Served(served.succeededPerS(), served.peakInFlight(), replicas), timeline, samples,
                latencyHistogram, warnings, traffic);
    }

    /** The same result with one more warning. */
    public LoadTestResult withWarning(String warning) {
        List<String> w = new ArrayList<>(warnings);
        w.add(warning);
        return new LoadTestResult(config, target, run, requests, errors, latency, ttft, itl, tpot, tokens, throughput,
                served, timeline, samples, latencyHistogram, w, traffic);
    }

    /** The same result with the summary of the traffic it sent (lengths, cached tokens, turns). */
    public LoadTestResult withTraffic(TrafficSummary t) {
        return new LoadTestResult(config, target, run, requests, errors, latency, ttft, itl, tpot, tokens, throughput,
                served, timeline, samples, latencyHistogram, warnings, t);
    }
}
