package com.aiinference.loadtest.sweep;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.Slo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a sweep measured: its steps from low to high load, the SLO that marks the knee, and the replicas behind the
 * endpoint (so a per-replica figure can be derived). Its JSON, the contract scripts read, is {@link SweepDocument}.
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
    private static final ObjectMapper JSON = new ObjectMapper();

    public SweepResult {
        steps = List.copyOf(steps);
    }

    /** The step the user's stop (Ctrl-C) cut, if one was: the sweep never showed where the SLO breaks. */
    public Optional<SweepStep> cutByUser() {
        return steps.stream().filter(s -> s.stoppedByUser() != null).findFirst();
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
        return openLoop() ? Format.number(load) + " req/s" : Long.toString((long) load);
    }

    /** The JSON report ({@link SweepDocument}: Jackson data binding, the conventions of every report). */
    public JsonNode toJson() {
        return SweepDocument.of(this).toTree();
    }

    /** Reads a sweep's JSON file; anything that is not a sweep report is a {@link SweepInputException} naming it. */
    public static SweepResult read(Path file) {
        String text = com.aiinference.io.UserFiles.read(file, "sweep file");
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

    public static SweepResult fromJson(JsonNode root, String source) {
        return SweepDocument.read(root, source);
    }
}
