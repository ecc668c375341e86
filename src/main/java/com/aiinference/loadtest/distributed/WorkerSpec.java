package com.aiinference.loadtest.distributed;

import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What every worker of a distributed run is told: the whole run (target, requests, load shape, limits) and how many
 * workers share it. Each worker takes its own share ({@link #share}) by its index, so one spec serves all of them
 * (one Secret for every pod of the Indexed Job). Sent as JSON; header values (API keys) are in it, so it travels
 * only through a pipe to a local worker or a Kubernetes Secret.
 *
 * @param version     {@link #VERSION}: a worker refuses a spec from a different protocol version
 * @param target      the URL requests go to (for in-cluster workers: the Service's cluster DNS name)
 * @param workers     how many workers share the load
 * @param api         {@link Api#cliName()}
 * @param durationMs  measured window, and the other durations, in milliseconds
 * @param seed        open-loop arrivals: worker i uses {@code seed + i}, so the workers' arrivals are independent
 */
public record WorkerSpec(
        int version,
        String target,
        int workers,
        String api,
        String model,
        List<String> prompts,
        int maxTokens,
        boolean stream,
        int users,
        double rate,
        long durationMs,
        long rampUpMs,
        long warmupMs,
        long maxRequests,
        long timeoutMs,
        List<LoadTestConfig.Header> headers,
        Double maxErrorRate,
        long seed,
        int threads) {

    /** Protocol version of the spec and of the result line. */
    public static final int VERSION = 1;

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /**
     * The spec for {@code workers} workers sharing {@code whole}. A count that leaves a worker without load is
     * refused here, before anything starts.
     */
    public static WorkerSpec of(LoadTestConfig whole, URI target, int workers) {
        checkCount(whole, workers);
        // The load shape travels as users and ramp-up (closed loop) or a rate (open loop); the other side is 0.
        int users = whole.load() instanceof LoadShape.ClosedLoop c ? c.users() : 0;
        double rate = whole.load() instanceof LoadShape.OpenLoop o ? o.rate() : 0;
        long rampUpMs = whole.load() instanceof LoadShape.ClosedLoop c ? c.rampUp().toMillis() : 0;
        return new WorkerSpec(VERSION, target.toString(), workers, whole.api().cliName(), whole.model(), whole.prompts(),
                whole.maxTokens(), whole.stream(), users, rate, whole.duration().toMillis(),
                rampUpMs, whole.warmup().toMillis(), whole.maxRequests(), whole.timeout().toMillis(),
                whole.headers(), whole.maxErrorRate(), whole.seed(), whole.threads());
    }

    /** Whether {@code workers} workers can share {@code whole}: each needs at least one user (and one request). */
    public static void checkCount(LoadTestConfig whole, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
        }
        if (whole.load() instanceof LoadShape.ClosedLoop c && workers > c.users()) {
            throw new IllegalArgumentException("--workers " + workers + " is more than --users " + c.users()
                    + ": every worker needs at least one user");
        }
        if (whole.maxRequests() > 0 && workers > whole.maxRequests()) {
            throw new IllegalArgumentException("--workers " + workers + " is more than --max-requests "
                    + whole.maxRequests() + ": every worker needs at least one request");
        }
    }

    /** The whole run as one configuration (quiet, no reports, no SLO: the coordinator reports and gates). */
    public LoadTestConfig whole() {
        return LoadTestConfig.builder()
                .api(Api.parse(api))
                .model(model)
                .prompts(prompts)
                .maxTokens(maxTokens)
                .stream(stream)
                .load(load())
                .duration(Duration.ofMillis(durationMs))
                .warmup(Duration.ofMillis(warmupMs))
                .maxRequests(maxRequests)
                .timeout(Duration.ofMillis(timeoutMs))
                .headers(headers)
                .maxErrorRate(maxErrorRate)
                .progress(LoadTestConfig.Progress.LINES)
                .seed(seed)
                .threads(threads)
                .build();
    }

    /**
     * Worker {@code index}'s share: users (or requests) split as evenly as whole numbers allow, the first workers
     * taking one more; the rate split evenly (independent Poisson streams add up to a Poisson stream at the sum of
     * their rates); the same warm-up, duration and timeout; its own arrival seed.
     */
    public LoadTestConfig share(int index) {
        if (index < 0 || index >= workers) {
            throw new IllegalArgumentException("worker index " + index + " is outside 0.." + (workers - 1));
        }
        LoadTestConfig whole = whole();
        LoadTestConfig.Builder b = whole.toBuilder().seed(seed + index);
        if (whole.load() instanceof LoadShape.OpenLoop) {
            b.load(new LoadShape.OpenLoop(rate / workers));
        } else {
            b.load(new LoadShape.ClosedLoop(part(users, index, workers), Duration.ofMillis(rampUpMs)));
        }
        if (maxRequests > 0) {
            b.maxRequests(part(maxRequests, index, workers));
        }
        return b.build();
    }

    /** The whole run's load: a rate is an open loop, else users over the ramp-up. */
    private LoadShape load() {
        return rate > 0 ? new LoadShape.OpenLoop(rate) : new LoadShape.ClosedLoop(users, Duration.ofMillis(rampUpMs));
    }

    /** {@code total} split over {@code n}: the first {@code total % n} parts get one more. */
    static int part(long total, int index, int n) {
        return (int) (total / n + (index < total % n ? 1 : 0));
    }

    public URI targetUri() {
        return URI.create(target);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and checks a spec; a bad one is an {@link IllegalArgumentException} saying what is wrong. */
    public static WorkerSpec fromJson(String json) {
        WorkerSpec spec;
        try {
            spec = JSON.readValue(json, WorkerSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the worker spec is not valid: " + e.getOriginalMessage());
        }
        if (spec == null) {
            throw new IllegalArgumentException("the worker spec is empty");
        }
        if (spec.version != VERSION) {
            throw new IllegalArgumentException("the worker spec has protocol version " + spec.version + ", this worker speaks "
                    + VERSION + " (coordinator and worker image from different builds?)");
        }
        spec.whole(); // validates every load field as the command line would
        checkCount(spec.whole(), spec.workers);
        return spec;
    }
}
