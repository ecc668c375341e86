package com.aiinference.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a sweep measured: its steps from low to high load, the SLO that marks the knee, and the replicas behind the
 * endpoint (so a per-replica figure can be derived). The JSON is the contract scripts read:
 * {@code {kind: "sweep", target, api, model, mode, slo, replicas, steps: [{concurrency | rate, requests_per_s,
 * output_tokens_per_s, latency_ms {...}, ttft_ms {...}, requests {total, succeeded, failed}, ...}], knee:
 * {concurrency | rate} | null, stopped}}.
 *
 * @param target          URL the steps were sent to
 * @param api             request dialect
 * @param model           model asked
 * @param loadKey         {@link #CONCURRENCY} (closed loop) or {@link #RATE} (open loop)
 * @param slo             the objectives that mark the knee
 * @param replicas        replicas serving the endpoint during the sweep
 * @param replicasSource  where {@code replicas} came from ({@code --replicas}, the stack outputs, or the default)
 * @param stepSeconds     measured window of each step
 * @param warmupSeconds   warm-up of each step, left out of its figures
 * @param maxTokens       max_tokens / num_predict asked per answer
 * @param prompts         distinct prompts used in turn
 * @param startedAt       when the first step started
 * @param steps           the steps that ran, in order of load
 * @param stopped         why the sweep stopped (every step ran, the SLO broke, throughput stopped rising, ...)
 */
public record SweepResult(
        String target,
        String api,
        String model,
        String loadKey,
        Slo slo,
        int replicas,
        String replicasSource,
        double stepSeconds,
        double warmupSeconds,
        int maxTokens,
        int prompts,
        Instant startedAt,
        List<SweepStep> steps,
        String stopped) {

    public static final String CONCURRENCY = "concurrency";
    public static final String RATE = "rate";
    static final String KIND = "sweep";
    private static final ObjectMapper JSON = new ObjectMapper();

    public SweepResult {
        steps = List.copyOf(steps);
    }

    public boolean openLoop() {
        return RATE.equals(loadKey);
    }

    /**
     * The knee under {@code objectives}: the highest-load step before the first step that breaks them (a step that
     * failed, was aborted or missed an objective ends the search), or empty when even the first step breaks them.
     */
    public Optional<SweepStep> knee(Slo objectives) {
        SweepStep knee = null;
        for (SweepStep s : steps) {
            if (!s.meets(objectives)) {
                break;
            }
            knee = s;
        }
        return Optional.ofNullable(knee);
    }

    /** The knee under the sweep's own SLO. */
    public Optional<SweepStep> knee() {
        return knee(slo);
    }

    /** A load as it is printed: {@code 32} users or {@code 2.5} req/s. */
    public String loadText(double load) {
        return openLoop() ? Reports.number(load) + " req/s" : Long.toString((long) load);
    }

    /** The JSON report. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", KIND);
        root.put("target", target);
        root.put("api", api);
        root.put("model", model);
        root.put("mode", openLoop() ? "open-loop" : "closed-loop");
        root.put("slo", slo.toString());
        root.put("replicas", replicas);
        root.put("replicas_source", replicasSource);
        root.put("step_duration_s", stepSeconds);
        root.put("warmup_s", warmupSeconds);
        root.put("max_tokens", maxTokens);
        root.put("prompts", prompts);
        root.put("started_at", startedAt.toString());
        ArrayNode list = root.putArray("steps");
        for (SweepStep s : steps) {
            list.add(s.toJson(loadKey, slo));
        }
        Optional<SweepStep> knee = knee();
        if (knee.isEmpty()) {
            root.putNull("knee");
        } else if (openLoop()) {
            root.putObject("knee").put(loadKey, knee.get().load());
        } else {
            root.putObject("knee").put(loadKey, (long) knee.get().load());
        }
        root.put("stopped", stopped);
        return root;
    }

    /** Reads a sweep's JSON file; anything that is not a sweep report is a {@link SweepInputException} naming it. */
    public static SweepResult read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SweepInputException("sweep file not found: " + file);
        } catch (IOException e) {
            throw new SweepInputException("cannot read sweep file " + file + ": " + e.getMessage());
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SweepInputException(file + " is not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new SweepInputException("cannot read sweep file " + file + ": " + e.getMessage());
        }
        return fromJson(root, file.toString());
    }

    static SweepResult fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject() || !KIND.equals(root.path("kind").asText())) {
            String hint = root != null && root.has("requests") && root.has("config")
                    ? " (it is a single loadtest report; make a sweep with 'loadtest sweep --report-json FILE')"
                    : " (make one with 'loadtest sweep --report-json FILE')";
            throw new SweepInputException(source + " is not a sweep report: no \"kind\": \"sweep\"" + hint);
        }
        String mode = root.path("mode").asText();
        String key = switch (mode) {
            case "closed-loop" -> CONCURRENCY;
            case "open-loop" -> RATE;
            default -> throw new SweepInputException(source + ": mode must be closed-loop or open-loop, got '" + mode + "'");
        };
        Slo slo;
        try {
            slo = Slo.parse(root.path("slo").asText(""));
        } catch (IllegalArgumentException e) {
            throw new SweepInputException(source + ": slo: " + e.getMessage());
        }
        int replicas = root.path("replicas").asInt(0);
        if (replicas < 1) {
            throw new SweepInputException(source + ": replicas must be at least 1, got " + root.path("replicas"));
        }
        JsonNode list = root.path("steps");
        if (!list.isArray() || list.isEmpty()) {
            throw new SweepInputException(source + " has no steps");
        }
        List<SweepStep> steps = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            steps.add(SweepStep.fromJson(list.get(i), key, source + ": steps[" + i + "]"));
        }
        for (int i = 1; i < steps.size(); i++) {
            if (!(steps.get(i).load() > steps.get(i - 1).load())) {
                throw new SweepInputException(source + ": steps do not rise (" + key + " " + steps.get(i - 1).load()
                        + " then " + steps.get(i).load() + ")");
            }
        }
        Instant started;
        try {
            started = Instant.parse(root.path("started_at").asText());
        } catch (RuntimeException e) {
            throw new SweepInputException(source + ": started_at is not a time: '" + root.path("started_at").asText() + "'");
        }
        return new SweepResult(root.path("target").asText(""), root.path("api").asText(""), root.path("model").asText(""),
                key, slo, replicas, root.path("replicas_source").asText("file"), root.path("step_duration_s").asDouble(),
                root.path("warmup_s").asDouble(), root.path("max_tokens").asInt(), root.path("prompts").asInt(),
                started, steps, root.path("stopped").asText(""));
    }
}
