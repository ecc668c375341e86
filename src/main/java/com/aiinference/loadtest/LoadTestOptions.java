package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.Durations;
import com.aiinference.cli.FractionConverter;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.Preflight;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Every load option of {@code loadtest} (and of {@code verify}, which mixes this in): the load shape (a closed
 * loop of {@code --users} with {@code --ramp-up}, or an open loop at {@code --rate}: one {@link LoadShape}),
 * duration, request cap, abort rate, the pre-flight request and the per-request export, plus the
 * {@link RunOptions} (requests, warm-up, gates, reports). {@link #toConfig()} validates them into a
 * {@link LoadTestConfig}; a bad value is a one-line usage error (exit 2) naming the option.
 */
public final class LoadTestOptions {

    /** {@code --users N} or {@code --rate R}: one load shape (picocli refuses both). */
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    LoadShapeOptions shape;

    /** The two load shapes, mutually exclusive. */
    static final class LoadShapeOptions {
        @Option(names = {"-u", "--users"}, paramLabel = "N", required = true,
                description = "Closed loop: concurrent users, each sends its next request when its previous one ends. Default: 50.")
        Integer users;

        @Option(names = "--rate", paramLabel = "REQ_PER_S", required = true,
                description = "Open loop instead of --users: Poisson arrivals at this many requests/s; latency counts from each scheduled send time.")
        Double rate;
    }

    @Option(names = "--ramp-up", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.Converter.class,
            description = "Closed loop: start the users evenly over this time. Default: ${DEFAULT-VALUE}.")
    Duration rampUp;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "60s", converter = Durations.Converter.class,
            description = "Measured window (60 = 60s; also 500ms, 2m, 1h). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--max-requests", paramLabel = "N", defaultValue = "0",
            description = "Stop after this many measured requests (0 = no limit; the duration still bounds the run).")
    long maxRequests;

    @Option(names = "--max-error-rate", paramLabel = "FRACTION", converter = FractionConverter.class,
            description = "Abort as soon as more than this share of requests failed (after 20), e.g. 5%% or 0.05: exit 1.")
    Double maxErrorRate;

    @Option(names = "--save-requests", paramLabel = "FILE",
            description = "Write one JSON line per measured request here: start, TTFT, end (ms since the run started), tokens, outcome.")
    Path saveRequests;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Event loops of the client (0 = one per CPU, the default). Fewer can suit a client that shares"
                    + " its CPUs with the server under test.")
    int threads;

    @Mixin
    RunOptions run;

    /** {@link RunOptions#checkFiles} with --save-requests and {@code more} outputs. */
    public void checkFiles(java.util.Map<String, Path> more, TargetOptions where) {
        java.util.Map<String, Path> outputs = new java.util.LinkedHashMap<>(more);
        outputs.put("--save-requests", saveRequests);
        run.checkFiles(outputs, where);
    }

    /** Whether --model was given. */
    public boolean modelGiven() {
        return run.modelGiven();
    }

    /** The --api dialect (ollama when not given). */
    public Api api() {
        return run.api();
    }

    /** Whether to send the pre-flight request ({@link Preflight}). */
    public boolean preflight() {
        return run.preflight;
    }

    /** The load shape asked for: 50 users when neither --users nor --rate was given. */
    LoadShape loadShape() {
        if (shape != null && shape.rate != null) {
            if (!rampUp.isZero()) {
                throw new IllegalArgumentException("--ramp-up applies to --users (closed loop); with --rate use --warmup");
            }
            return new LoadShape.OpenLoop(shape.rate);
        }
        return new LoadShape.ClosedLoop(shape == null ? 50 : shape.users, rampUp);
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
        LoadShape load;
        try {
            load = loadShape();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        LoadTestConfig.Builder b = run.builder(defaultModel);
        try {
            return b.load(load)
                    .duration(duration)
                    .maxRequests(maxRequests)
                    .maxErrorRate(maxErrorRate)
                    .saveRequests(saveRequests)
                    .threads(threads)
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
