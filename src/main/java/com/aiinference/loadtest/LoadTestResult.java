package com.aiinference.loadtest;

import com.aiinference.core.Check;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured. Only measured requests (started after the warm-up) count; each one is a success or
 * exactly one {@link ErrorKind}, so {@code succeeded + sum(errors) == total}.
 *
 * @param config             what was run
 * @param target             the URL requests went to
 * @param startedAt          wall-clock start
 * @param durationSeconds    measured window: from the end of the warm-up to the end of the last measured request
 * @param total              measured requests sent
 * @param succeeded          of those, complete answers
 * @param errors             failed requests by kind key ({@link ErrorKind#key()} or {@code http_<status>})
 * @param latency            end-to-end latency of successes (open loop: from the scheduled send time)
 * @param ttft               time to first token of streamed successes (same origin as latency)
 * @param itl                gaps between successive tokens of streamed successes
 * @param tpot               per request (latency - ttft) / (output tokens - 1)
 * @param outputTokens       output tokens of successes
 * @param outputTokensSource {@code server} (eval_count / usage), {@code chunks} (counted stream chunks: a
 *                           tokenizer-free estimate), {@code mixed}, or {@code none}
 * @param serverTokensPerSecond mean per-answer decode speed the server reported (eval_count / eval_duration), NaN if none
 * @param peakInFlight       most measured and warm-up requests in flight at once
 * @param warmupRequests     requests sent during the warm-up (not in any other figure)
 * @param timeline           one row per second of the whole run, warm-up included (flagged); see {@link TimelineRow}
 * @param samples            up to a few thousand individual requests, for the latency-over-time chart
 * @param latencyHistogram   latency of successes in equal-width bins, for the distribution chart
 * @param abortReason        why the run stopped early ({@code --max-error-rate}), or null
 * @param warnings           things the reader should know (e.g. a port-forward URL with many users)
 * @param replicasServed     replicas that served traffic: not visible from the client; {@code verify} fills it
 */
public record LoadTestResult(
        LoadTestConfig config,
        URI target,
        Instant startedAt,
        double durationSeconds,
        long total,
        long succeeded,
        Map<String, Long> errors,
        LatencySummary latency,
        LatencySummary ttft,
        LatencySummary itl,
        LatencySummary tpot,
        long outputTokens,
        String outputTokensSource,
        double serverTokensPerSecond,
        long peakInFlight,
        long warmupRequests,
        List<TimelineRow> timeline,
        List<Sample> samples,
        List<Bin> latencyHistogram,
        String abortReason,
        List<String> warnings,
        Integer replicasServed) implements Slo.Measured {

    private static final ObjectMapper JSON = new ObjectMapper();

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
                              double latencyP50, double latencyP95, double latencyMax, double ttftP50,
                              double ttftP95, long outputTokens) {}

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

    /**
     * Why this run proves nothing, when no measured request succeeded, else null: e.g. {@code no request was
     * measured: aborted: ...} or {@code no request succeeded (0 of 12: model_not_found_404 12)}.
     */
    public String noSuccessReason() {
        if (succeeded > 0) {
            return null;
        }
        if (total > 0) {
            return "no request succeeded (0 of " + total + ": " + MarkdownReport.errorsInline(errors) + ")";
        }
        if (abortReason != null) {
            return "no request was measured: aborted: " + abortReason;
        }
        if (warmupRequests > 0) {
            return "no request was measured: none started after the warm-up (" + warmupRequests
                    + " warm-up requests; answers slower than --warmup + --duration?)";
        }
        return "no request was measured: none was sent";
    }

    public double requestsPerSecond() {
        return durationSeconds <= 0 ? 0 : total / durationSeconds;
    }

    public double outputTokensPerSecond() {
        return durationSeconds <= 0 ? 0 : outputTokens / durationSeconds;
    }

    public boolean aborted() {
        return abortReason != null;
    }

    /** The SLO outcomes of {@link LoadTestConfig#slo()}. */
    public List<Check> sloOutcomes() {
        return config.slo().evaluate(this);
    }

    /** Whether the run passes: not aborted, at least one request succeeded, and every objective met (if any). */
    public boolean passed() {
        return !aborted() && noSuccessReason() == null && sloOutcomes().stream().noneMatch(Check::failed);
    }

    /** The same result with the replicas that served traffic, as {@code verify} counts them on the cluster. */
    public LoadTestResult withReplicasServed(int replicas) {
        return new LoadTestResult(config, target, startedAt, durationSeconds, total, succeeded, errors, latency, ttft,
                itl, tpot, outputTokens, outputTokensSource, serverTokensPerSecond, peakInFlight, warmupRequests,
                timeline, samples, latencyHistogram, abortReason, warnings, replicas);
    }

    /** The same result with one more warning. */
    public LoadTestResult withWarning(String warning) {
        List<String> w = new ArrayList<>(warnings);
        w.add(warning);
        return new LoadTestResult(config, target, startedAt, durationSeconds, total, succeeded, errors, latency, ttft,
                itl, tpot, outputTokens, outputTokensSource, serverTokensPerSecond, peakInFlight, warmupRequests,
                timeline, samples, latencyHistogram, abortReason, w, replicasServed);
    }

    /**
     * The JSON report: {@code config, requests {total, succeeded, failed}, errors {kind: n}, latency_ms, ttft_ms,
     * itl_ms, tpot_ms ({mean, p50, p90, p95, p99, max}), output_tokens, output_tokens_per_s, requests_per_s,
     * duration_s, timeline}, then the extras {@code output_tokens_source, server_tokens_per_s, peak_in_flight,
     * warmup_requests, slo, passed, aborted, warnings, capacity}. Callers (verify) may add their own keys.
     */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.set("config", configJson());
        ObjectNode req = root.putObject("requests");
        req.put("total", total);
        req.put("succeeded", succeeded);
        req.put("failed", failed());
        ObjectNode err = root.putObject("errors");
        errors.forEach(err::put);
        root.set("latency_ms", summaryJson(latency));
        root.set("ttft_ms", summaryJson(ttft));
        root.set("itl_ms", summaryJson(itl));
        root.set("tpot_ms", summaryJson(tpot));
        root.put("output_tokens", outputTokens);
        root.put("output_tokens_per_s", round(outputTokensPerSecond(), 2));
        root.put("requests_per_s", round(requestsPerSecond(), 3));
        root.put("duration_s", round(durationSeconds, 3));
        ArrayNode tl = root.putArray("timeline");
        for (TimelineRow r : timeline) {
            ObjectNode o = tl.addObject();
            o.put("t", r.second());
            o.put("warmup", r.warmup());
            o.put("requests", r.requests());
            o.put("failed", r.failed());
            o.put("in_flight", r.inFlight());
            number(o, "latency_p50_ms", r.latencyP50());
            number(o, "latency_p95_ms", r.latencyP95());
            number(o, "latency_max_ms", r.latencyMax());
            number(o, "ttft_p50_ms", r.ttftP50());
            number(o, "ttft_p95_ms", r.ttftP95());
            o.put("output_tokens", r.outputTokens());
        }
        root.put("output_tokens_source", outputTokensSource);
        number(root, "server_tokens_per_s", serverTokensPerSecond);
        root.put("peak_in_flight", peakInFlight);
        root.put("warmup_requests", warmupRequests);
        ArrayNode slo = root.putArray("slo");
        for (Check o : sloOutcomes()) {
            ObjectNode s = slo.addObject();
            s.put("objective", o.name());
            s.put("measured", o.message());
            s.put("met", o.passed());
        }
        root.put("passed", passed());
        if (abortReason == null) {
            root.putNull("aborted");
        } else {
            root.put("aborted", abortReason);
        }
        ArrayNode w = root.putArray("warnings");
        warnings.forEach(w::add);
        ObjectNode cap = root.putObject("capacity");
        cap.put("peak_in_flight", peakInFlight);
        cap.put("requests_per_s", round(requestsPerSecond(), 3));
        if (replicasServed == null) {
            cap.putNull("replicas_served");
        } else {
            cap.put("replicas_served", replicasServed);
        }
        return root;
    }

    private ObjectNode configJson() {
        ObjectNode c = JSON.createObjectNode();
        c.put("url", target.toString());
        c.put("api", config.api().cliName());
        c.put("model", config.model());
        c.put("mode", config.openLoop() ? "open-loop" : "closed-loop");
        if (config.openLoop()) {
            c.put("rate", config.rate());
        } else {
            c.put("users", config.users());
        }
        c.put("duration_s", config.duration().toMillis() / 1000.0);
        c.put("ramp_up_s", config.rampUp().toMillis() / 1000.0);
        c.put("warmup_s", config.warmup().toMillis() / 1000.0);
        c.put("max_requests", config.maxRequests());
        c.put("max_tokens", config.maxTokens());
        c.put("stream", config.stream());
        c.put("timeout_s", config.timeout().toMillis() / 1000.0);
        c.put("prompts", config.prompts().size());
        ArrayNode h = c.putArray("headers");
        config.headers().forEach(x -> h.add(x.name()));
        c.put("slo", config.slo().toString());
        if (config.maxErrorRate() == null) {
            c.putNull("max_error_rate");
        } else {
            c.put("max_error_rate", config.maxErrorRate());
        }
        c.put("started_at", startedAt.toString());
        return c;
    }

    private static ObjectNode summaryJson(LatencySummary s) {
        ObjectNode o = JSON.createObjectNode();
        number(o, "mean", s.mean());
        number(o, "p50", s.p50());
        number(o, "p90", s.p90());
        number(o, "p95", s.p95());
        number(o, "p99", s.p99());
        number(o, "max", s.max());
        return o;
    }

    /** NaN (no data) becomes JSON null. */
    private static void number(ObjectNode o, String key, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(key);
        } else {
            o.put(key, round(v, 3));
        }
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
