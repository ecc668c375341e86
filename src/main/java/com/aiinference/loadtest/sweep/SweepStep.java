package com.aiinference.loadtest.sweep;

import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.engine.WindowRates;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of a sweep: the load it ran at and what that run measured. It is also a step of the sweep's JSON report
 * ({@link SweepResult}), so {@code loadtest capacity} can judge an SLO against it later without the run itself; its
 * latencies and counts are the run report's own ({@link LatencySummary}, {@link LoadTestResult.Requests}).
 *
 * @param concurrency      concurrent users (closed loop), or null
 * @param rate             offered requests/s (open loop), or null
 * @param requestsPerSecond complete answers per second (the run's steady-state rate of successes: a step where
 *                         everything failed reads 0)
 * @param outputTokensPerSecond output tokens per second (server counts where the server gives them)
 * @param latency          end-to-end latency of successes, ms
 * @param ttft             time to first token, ms
 * @param itl              inter-token latency, ms
 * @param tpot             time per output token, ms
 * @param requests         measured requests: total, succeeded, failed
 * @param errors           failures by kind
 * @param outputTokens     output tokens of successes
 * @param durationSeconds  measured window
 * @param peakInFlight     most requests in flight at once
 * @param aborted          why the step was aborted (a failure stopped it early), or null
 * @param stoppedByUser    why the user stopped it (Ctrl-C), or null: the step was cut and is not judged
 * @param withinSlo        whether it met its sweep's SLO ({@link #meets}), null for a step the user cut or one not yet
 *                         in a {@link SweepResult} (which judges its steps)
 */
@JsonPropertyOrder({"concurrency", "rate", "requests_per_s", "output_tokens_per_s", "latency_ms", "ttft_ms", "itl_ms",
        "tpot_ms", "requests", "errors", "output_tokens", "duration_s", "peak_in_flight", "aborted", "stopped_by_user",
        "within_slo"})
public record SweepStep(
        Long concurrency,
        Double rate,
        @JsonProperty("requests_per_s") double requestsPerSecond,
        @JsonProperty("output_tokens_per_s") double outputTokensPerSecond,
        @JsonProperty("latency_ms") LatencySummary latency,
        @JsonProperty("ttft_ms") LatencySummary ttft,
        @JsonProperty("itl_ms") LatencySummary itl,
        @JsonProperty("tpot_ms") LatencySummary tpot,
        LoadTestResult.Requests requests,
        Map<String, Long> errors,
        long outputTokens,
        @JsonProperty("duration_s") double durationSeconds,
        long peakInFlight,
        String aborted,
        String stoppedByUser,
        Boolean withinSlo) implements Slo.Measured {

    public SweepStep {
        // A file may leave out a statistic nothing was recorded for, or the errors of a step without any.
        errors = errors == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        latency = orEmpty(latency);
        ttft = orEmpty(ttft);
        itl = orEmpty(itl);
        tpot = orEmpty(tpot);
        // failed and the success share follow from the counts (a file may not carry them)
        requests = requests == null ? null
                : LoadTestResult.Requests.of(requests.total(), requests.succeeded(), requests.stoppedByUser());
    }

    private static LatencySummary orEmpty(LatencySummary s) {
        return s == null ? LatencySummary.EMPTY : s;
    }

    /** The step as one run measured it, at the run's load (its users or its rate). */
    public static SweepStep of(LoadTestResult r) {
        LoadShape load = r.config().load();
        return new SweepStep(load instanceof LoadShape.ClosedLoop c ? Long.valueOf(c.users()) : null,
                load instanceof LoadShape.OpenLoop o ? Double.valueOf(o.rate()) : null,
                r.requests().succeeded() == 0 ? 0 : r.served().succeededPerS(), r.throughput().outputTokensPerS(),
                r.latency(), r.ttft(), r.itl(), r.tpot(), r.requests(), r.errors(), r.tokens().output(),
                r.run().measuredS(), r.served().peakInFlight(), r.abortReason(),
                r.stoppedByUserSignal() ? r.run().stopped().reason() : null, null);
    }

    /** Concurrent users (closed loop) or offered requests/s (open loop). */
    @JsonIgnore
    public double load() {
        return concurrency != null ? concurrency.doubleValue() : rate.doubleValue();
    }

    /** The step's rates as the SLO gate reads them (a sweep step records successes and output tokens per second). */
    @Override
    @JsonIgnore
    public LoadTestResult.Throughput throughput() {
        return new LoadTestResult.Throughput(requestsPerSecond, Double.NaN, outputTokensPerSecond, Double.NaN, Double.NaN,
                WindowRates.METHOD);
    }

    /** Output tokens per successful answer (server counts), NaN when nothing succeeded. */
    public double outputTokensPerAnswer() {
        return requests.succeeded() == 0 ? Double.NaN : (double) outputTokens / requests.succeeded();
    }

    /** Whether this step ran to its end (neither aborted nor cut by the user), had successes, and met {@code slo}. */
    public boolean meets(Slo slo) {
        return aborted == null && stoppedByUser == null && requests.succeeded() > 0
                && slo.evaluate(this).stream().noneMatch(com.aiinference.core.Check::failed);
    }

    /** The step with its verdict on its sweep's SLO, as the JSON's {@code within_slo} shows it. */
    SweepStep judgedOn(Slo slo) {
        Boolean verdict = stoppedByUser != null ? null : meets(slo);
        return new SweepStep(concurrency, rate, requestsPerSecond, outputTokensPerSecond, latency, ttft, itl, tpot,
                requests, errors, outputTokens, durationSeconds, peakInFlight, aborted, stoppedByUser, verdict);
    }
}
