package com.aiinference.loadtest.sweep;

import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.engine.WindowRates;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of a sweep: the load it ran at and what that run measured. Written to and read back from the sweep's
 * JSON ({@link SweepDocument.Step}), so {@code loadtest capacity} can judge an SLO against it later without the run itself.
 *
 * @param load             concurrent users (closed loop) or offered requests/s (open loop)
 * @param total            measured requests
 * @param succeeded        of those, complete answers
 * @param errors           failures by kind
 * @param durationSeconds  measured window
 * @param requestsPerSecond complete answers per second (the run's steady-state rate of successes: a step where
 *                         everything failed reads 0)
 * @param outputTokensPerSecond output tokens per second (server counts where the server gives them)
 * @param outputTokens     output tokens of successes
 * @param latency          end-to-end latency of successes, ms
 * @param ttft             time to first token, ms
 * @param itl              inter-token latency, ms
 * @param tpot             time per output token, ms
 * @param peakInFlight     most requests in flight at once
 * @param aborted          why the step was aborted (a failure stopped it early), or null
 * @param stoppedByUser    why the user stopped it (Ctrl-C), or null: the step was cut and is not judged
 */
public record SweepStep(
        double load,
        long total,
        long succeeded,
        Map<String, Long> errors,
        double durationSeconds,
        double requestsPerSecond,
        double outputTokensPerSecond,
        long outputTokens,
        LatencySummary latency,
        LatencySummary ttft,
        LatencySummary itl,
        LatencySummary tpot,
        long peakInFlight,
        String aborted,
        String stoppedByUser) implements Slo.Measured {

    public SweepStep {
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    /** The step as one run at {@code load} measured it. */
    public static SweepStep of(double load, LoadTestResult r) {
        return new SweepStep(load, r.requests().total(), r.requests().succeeded(), r.errors(), r.run().measuredS(),
                r.requests().succeeded() == 0 ? 0 : r.served().succeededPerS(),
                r.throughput().outputTokensPerS(), r.tokens().output(), r.latency(), r.ttft(), r.itl(), r.tpot(), r.served().peakInFlight(),
                r.abortReason(), r.run().stopped() != null && !r.run().stopped().aborted() ? r.run().stopped().reason() : null);
    }

    public long failed() {
        return total - succeeded;
    }

    /** Share of the step's requests that succeeded; NaN when none was measured. */
    public double successRate() {
        return total == 0 ? Double.NaN : (double) succeeded / total;
    }

    /** The step's counts as the SLO gate reads them. */
    @Override
    @JsonIgnore
    public LoadTestResult.Requests requests() {
        return LoadTestResult.Requests.of(total, succeeded, 0);
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
        return succeeded == 0 ? Double.NaN : (double) outputTokens / succeeded;
    }

    /** Whether this step ran to its end (neither aborted nor cut by the user), had successes, and met {@code slo}. */
    public boolean meets(Slo slo) {
        return aborted == null && stoppedByUser == null && succeeded > 0 && slo.evaluate(this).stream().noneMatch(com.aiinference.core.Check::failed);
    }

}
