package com.aiinference.report;

import com.aiinference.loadtest.engine.ErrorKind;
import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.RunStop;
import com.aiinference.loadtest.engine.SendWindow;
import com.aiinference.loadtest.engine.TrafficSummary;
import com.aiinference.loadtest.engine.WindowRates;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one load run measured, as every report shows it (the {@code load} part of {@link Report}). Built from a
 * {@link LoadTestResult} by {@link #of}; numbers are plain (milliseconds, seconds, per second), NaN where there is
 * no data (JSON writes null).
 *
 * @param config     what was asked (header values never appear: only their names)
 * @param run        when it ran, how long, and why it stopped early (if it did)
 * @param requests   counts: {@code total = succeeded + failed}; {@code stopped_by_user} apart
 * @param errors     failed requests by kind ({@link ErrorKind} keys, {@code http_<status>})
 * @param latencyMs  end-to-end latency of successes
 * @param ttftMs     time to first token
 * @param itlMs      inter-token latency
 * @param tpotMs     time per output token
 * @param tokens     input (prompt) and output token counts
 * @param throughput rates over the send window ({@link SendWindow}): requests, tokens in, out and in total
 * @param capacity   successes per second (null when none succeeded), peak in flight, replicas that served
 * @param timeline   one row per second of the run
 * @param traffic    lengths asked and counted, cached tokens, per-turn figures; null when the run sent the
 *                   prompts in turn (no workload)
 */
@JsonPropertyOrder({"config", "run", "requests", "errors", "latency_ms", "ttft_ms", "itl_ms", "tpot_ms", "tokens",
        "throughput", "capacity", "timeline", "traffic"})
public record LoadReport(
        RunSettings config,
        Run run,
        Requests requests,
        Map<String, Long> errors,
        LatencySummary latencyMs,
        LatencySummary ttftMs,
        LatencySummary itlMs,
        LatencySummary tpotMs,
        Tokens tokens,
        Throughput throughput,
        Served capacity,
        List<LoadTestResult.TimelineRow> timeline,
        @JsonIgnore List<LoadTestResult.Sample> samples,
        @JsonIgnore List<LoadTestResult.Bin> latencyHistogram,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        TrafficSummary traffic) {

    /**
     * The run as asked.
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
     * @param measuredS   from the end of the warm-up to the end of the last measured request
     * @param windowS     the send window the rates divide by
     * @param drainS      the tail after sending stopped, while the last answers finished
     * @param stopped     why the run stopped early, or null
     */
    public record Run(Instant startedAt, double measuredS, double windowS, double drainS, long warmupRequests,
                      RunStop stopped) {}

    /** @param successShare succeeded / total, NaN when nothing was measured */
    public record Requests(long total, long succeeded, long failed, long stoppedByUser, double successShare) {}

    /**
     * @param input        prompt tokens the server counted, null when it counted none
     * @param outputSource {@code server}, {@code chunks} (an estimate from stream chunks), {@code mixed} or {@code none}
     */
    public record Tokens(Long input, long output, String outputSource) {}

    /**
     * @param serverDecodeTokensPerS the server's own decode speed per answer (eval_count / eval_duration)
     * @param method                 how the rates were estimated ({@link WindowRates#METHOD})
     */
    public record Throughput(double requestsPerS, double inputTokensPerS, double outputTokensPerS,
                             double totalTokensPerS, double serverDecodeTokensPerS, String method) {}

    /** @param succeededPerS successes per second of the send window; NaN when none succeeded */
    public record Served(double succeededPerS, long peakInFlight, Integer replicasServed) {}

    /** The report of a result; {@code target} is the URL the requests went to. */
    public static LoadReport of(LoadTestResult r) {
        return of(r, null);
    }

    /** The report of a result and of the traffic it sent ({@code traffic} null: the prompts in turn). */
    public static LoadReport of(LoadTestResult r, TrafficSummary traffic) {
        LoadTestConfig c = r.config();
        RunSettings settings = new RunSettings(r.target().toString(), c.api().cliName(), c.api().path(), c.model(), c.load(),
                seconds(c.duration()), seconds(c.warmup()), c.maxRequests() == 0 ? null : c.maxRequests(),
                c.maxTokens() == 0 ? null : c.maxTokens(), c.stream(), seconds(c.timeout()), c.prompts().size(),
                c.headers().stream().map(LoadTestConfig.Header::name).toList(),
                c.slo().isEmpty() ? null : c.slo().toString(), c.maxErrorRate());
        double drain = Math.max(0, r.durationSeconds() - r.windowSeconds());
        Run run = new Run(r.startedAt(), r.durationSeconds(), r.windowSeconds(), drain, r.warmupRequests(), r.stop());
        Requests requests = new Requests(r.total(), r.succeeded(), r.failed(), r.stoppedByUser(), r.successRate());
        Tokens tokens = new Tokens(r.inputTokens() < 0 ? null : r.inputTokens(), r.outputTokens(), r.outputTokensSource());
        Throughput throughput = new Throughput(r.requestsPerSecond(), r.inputTokensPerSecond(),
                r.outputTokensPerSecond(), r.totalTokensPerSecond(), r.serverTokensPerSecond(), WindowRates.METHOD);
        Served capacity = new Served(r.succeeded() == 0 ? Double.NaN : r.succeededPerSecond(), r.peakInFlight(),
                r.replicasServed());
        return new LoadReport(settings, run, requests, r.errors(), r.latency(), r.ttft(), r.itl(), r.tpot(), tokens,
                throughput, capacity, r.timeline(), r.samples(), r.latencyHistogram(), traffic);
    }

    private static double seconds(java.time.Duration d) {
        return d.toMillis() / 1000.0;
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

    /** Whether the user stopped the run. */
    @JsonIgnore
    public boolean stoppedByUser() {
        return run.stopped() != null && !run.stopped().aborted();
    }

}
