package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every load option of {@code loadtest} (and of {@code verify}, which mixes this in): the load shape (closed loop
 * of {@code --users} or open loop at {@code --rate}, duration, ramp-up, request cap, abort rate) plus the
 * {@link RunOptions} (requests, warm-up, gates, reports). {@link #toConfig()} validates them into a
 * {@link LoadTestConfig}; a bad value is a one-line usage error (exit 2) naming the option.
 */
public final class LoadTestOptions {
    public static final String DEFAULT_PROMPT = "Explain in one paragraph why a GPU speeds up LLM inference.";

    @Option(names = {"-u", "--users"}, paramLabel = "N", defaultValue = "50",
            description = "Closed loop: concurrent users, each sends its next request when its previous one ends. Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "60s", converter = Durations.Converter.class,
            description = "Measured window (60 = 60s; also 500ms, 2m, 1h). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--ramp-up", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.Converter.class,
            description = "Closed loop: start the users evenly over this time. Default: ${DEFAULT-VALUE}.")
    Duration rampUp;

    @Option(names = "--rate", paramLabel = "REQ_PER_S",
            description = "Open loop instead of --users: Poisson arrivals at this many requests/s; latency counts from each scheduled send time.")
    Double rate;

    @Option(names = "--max-requests", paramLabel = "N", defaultValue = "0",
            description = "Stop after this many measured requests (0 = no limit; the duration still bounds the run).")
    long maxRequests;

    @Option(names = "--max-error-rate", paramLabel = "FRACTION", converter = Durations.FractionConverter.class,
            description = "Abort as soon as more than this share of requests failed (after 20), e.g. 5%% or 0.05: exit 1.")
    Double maxErrorRate;

    @Mixin
    RunOptions run;

    /** Whether --model was given. */
    public boolean modelGiven() {
        return run.modelGiven();
    }

    /** The --api dialect, or a usage error naming the bad value. */
    public Api api() {
        return run.api();
    }

    /** {@link RunOptions#apiFor}: --api, or the deployed engine's dialect. */
    public Api apiFor(java.util.Optional<com.aiinference.cli.StackOutputs> outputs) {
        return run.apiFor(outputs);
    }

    /** The configuration these options describe, with this model when --model was not given, speaking {@code api}. */
    public LoadTestConfig toConfig(String defaultModel, Api api) {
        return toConfig(defaultModel).toBuilder().api(api).build();
    }

    /** The configuration these options describe, with this model when --model was not given. */
    public LoadTestConfig toConfig(String defaultModel) {
        if (rate != null && !(rate > 0)) {
            throw CliException.usage("--rate must be more than 0 requests per second, got " + rate);
        }
        if (rate != null && !rampUp.isZero()) {
            throw CliException.usage("--ramp-up applies to --users (closed loop); with --rate use --warmup");
        }
        LoadTestConfig.Builder b = run.builder(defaultModel);
        try {
            return b.users(users)
                    .rate(rate == null ? 0 : rate)
                    .duration(duration)
                    .rampUp(rampUp)
                    .maxRequests(maxRequests)
                    .maxErrorRate(maxErrorRate)
                    .build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** The configuration with the default model llama3.1:8b when --model was not given. */
    public LoadTestConfig toConfig() {
        return toConfig(ChartContract.DEFAULT_MODEL);
    }
}
