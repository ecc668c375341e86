package com.aiinference.loadtest.sweep;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.report.ReportFiles;
import com.aiinference.report.ReportVersion;
import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIncludeProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.OptBoolean;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * What a sweep measured: its steps from low to high load, the SLO that marks the knee, and the replicas behind the
 * endpoint (so a per-replica figure can be derived). It is also the sweep's JSON report, the contract
 * {@code loadtest capacity}, {@code loadtest compare} and scripts read: written and read by Jackson data binding with
 * the conventions of every report ({@link ReportFiles#json()}: snake_case, a {@code version} with the tool and the
 * schema, null for an absent value). {@code mode} is {@code closed_loop} or {@code open_loop}, each step carries its
 * load as {@code concurrency} or {@code rate} (the other null), and {@code knee} is null when even the first step
 * broke the SLO.
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
 * @param steps           the steps that ran, in order of load, each judged on {@code slo}
 * @param stopped         why the sweep stopped (every step ran, the SLO broke, throughput stopped rising, ...)
 */
@JsonPropertyOrder({"version", "kind", "target", "api", "model", "mode", "slo", "replicas", "replicas_source",
        "step_duration_s", "warmup_s", "max_tokens", "prompts", "started_at", "steps", "knee", "stopped"})
public record SweepResult(
        String target,
        String api,
        String model,
        @JsonIgnore String loadKey,
        @JsonSerialize(using = ToStringSerializer.class) Slo slo,
        int replicas,
        String replicasSource,
        @JsonProperty("step_duration_s") double stepSeconds,
        @JsonProperty("warmup_s") double warmupSeconds,
        int maxTokens,
        int prompts,
        Instant startedAt,
        List<SweepStep> steps,
        String stopped) {

    public static final String CONCURRENCY = "concurrency";
    public static final String RATE = "rate";
    /** The JSON's {@code kind}: what tells a sweep report from a run report. */
    public static final String KIND = "sweep";
    private static final String CLOSED_LOOP = "closed_loop";
    private static final String OPEN_LOOP = "open_loop";
    private static final String SOURCE = "source";
    private static final ObjectMapper JSON = ReportFiles.reader();

    public SweepResult {
        // a step's within_slo is its verdict on this sweep's SLO, whatever a file said
        steps = steps.stream().map(s -> s.judgedOn(slo)).toList();
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

    @JsonProperty("version")
    ReportVersion version() {
        return ReportVersion.current();
    }

    @JsonProperty("kind")
    String kind() {
        return KIND;
    }

    @JsonProperty("mode")
    String mode() {
        return openLoop() ? OPEN_LOOP : CLOSED_LOOP;
    }

    /** The JSON's {@code knee}: the knee step's load ({@code concurrency} or {@code rate}), or null. */
    @JsonProperty("knee")
    @JsonIncludeProperties({CONCURRENCY, RATE})
    SweepStep kneeLoad() {
        return knee().orElse(null);
    }

    /** Reads a sweep's JSON file; anything that is not a sweep report is a {@link SweepInputException} naming it. */
    public static SweepResult read(Path file) {
        String text = com.aiinference.io.UserFiles.read(file, "sweep file");
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SweepInputException(file + " is not JSON (" + e.getOriginalMessage() + ")");
        }
        return fromJson(root, file.toString());
    }

    /**
     * Reads a sweep report's JSON tree; {@code source} names it in messages. Anything that is not one, or a figure
     * missing or of the wrong type, is a {@link SweepInputException} naming it.
     */
    public static SweepResult fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject() || !KIND.equals(root.path("kind").asText())) {
            String hint = root != null && "loadtest".equals(root.path("command").asText())
                    ? " (it is a single loadtest report; make a sweep with 'loadtest sweep --report-json FILE')"
                    : " (make one with 'loadtest sweep --report-json FILE')";
            throw new SweepInputException(source + " is not a sweep report: no \"kind\": \"sweep\"" + hint);
        }
        if (!root.path("version").path("schema").isInt()) {
            throw new SweepInputException(source + " has no version.schema: not a sweep report this tool wrote"
                    + " (loadtest sweep --report-json)");
        }
        int schema = root.path("version").path("schema").asInt();
        if (schema > ReportVersion.SCHEMA) {
            throw new SweepInputException(source + " is a sweep report of schema " + schema + ", newer than this tool"
                    + " reads (schema " + ReportVersion.SCHEMA + " and older): use the ai-inference that wrote it");
        }
        try {
            return JSON.readerFor(SweepResult.class).with(new InjectableValues.Std().addValue(SOURCE, source))
                    .readValue(root);
        } catch (JsonMappingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SweepInputException refused) {
                    throw refused;
                }
            }
            throw new SweepInputException(source + ": " + path(e) + " is not what sweep schema " + ReportVersion.SCHEMA
                    + " holds there (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw new SweepInputException(source + " is not a sweep report: " + e.getMessage());
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            }
        }
        return sb.isEmpty() ? "(root)" : sb.toString();
    }

    /**
     * The sweep as its JSON holds it: what a file's values mean (the mode, the SLO's text, the start as ISO-8601) and
     * what a file may leave out is decided here; anything unusable is a {@link SweepInputException} naming
     * {@code source} and the place.
     */
    @JsonCreator
    private static SweepResult parsed(
            @JacksonInject(value = SOURCE, useInput = OptBoolean.FALSE) String source,
            @JsonProperty("target") String target,
            @JsonProperty("api") String api,
            @JsonProperty("model") String model,
            @JsonProperty("mode") String mode,
            @JsonProperty("slo") String slo,
            @JsonProperty("replicas") Integer replicas,
            @JsonProperty("replicas_source") String replicasSource,
            @JsonProperty("step_duration_s") Double stepDurationS,
            @JsonProperty("warmup_s") Double warmupS,
            @JsonProperty("max_tokens") Integer maxTokens,
            @JsonProperty("prompts") Integer prompts,
            @JsonProperty("started_at") String startedAt,
            @JsonProperty("steps") List<SweepStep> steps,
            @JsonProperty("stopped") String stopped) {
        String key;
        if (CLOSED_LOOP.equals(mode)) {
            key = CONCURRENCY;
        } else if (OPEN_LOOP.equals(mode)) {
            key = RATE;
        } else {
            throw new SweepInputException(source + ": mode must be " + CLOSED_LOOP + " or " + OPEN_LOOP + ", got '"
                    + (mode == null ? "" : mode) + "'");
        }
        Slo objectives;
        try {
            objectives = Slo.parse(slo == null ? "" : slo);
        } catch (IllegalArgumentException e) {
            throw new SweepInputException(source + ": slo: " + e.getMessage());
        }
        if (replicas == null || replicas < 1) {
            throw new SweepInputException(source + ": replicas must be at least 1, got " + replicas);
        }
        if (steps == null || steps.isEmpty()) {
            throw new SweepInputException(source + " has no steps");
        }
        for (int i = 0; i < steps.size(); i++) {
            checkStep(steps.get(i), key, source + ": steps[" + i + "]");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (!(steps.get(i).load() > steps.get(i - 1).load())) {
                throw new SweepInputException(source + ": steps do not rise (" + key + " " + steps.get(i - 1).load()
                        + " then " + steps.get(i).load() + ")");
            }
        }
        Instant started;
        try {
            started = Instant.parse(startedAt == null ? "" : startedAt);
        } catch (DateTimeParseException e) {
            throw new SweepInputException(source + ": started_at is not a time: '" + startedAt + "'");
        }
        return new SweepResult(text(target), text(api), text(model), key, objectives, replicas,
                replicasSource == null ? "file" : replicasSource, number(stepDurationS), number(warmupS),
                maxTokens == null ? 0 : maxTokens, prompts == null ? 0 : prompts, started, steps, text(stopped));
    }

    /** A step of a file has its load under the sweep's {@code key} (and not the other), its counts and its rates. */
    private static void checkStep(SweepStep s, String key, String where) {
        if (s == null) {
            throw new SweepInputException(where + " is not an object");
        }
        // (Number) keeps the conditional from unboxing a null Long or Double
        Number load = RATE.equals(key) ? (Number) s.rate() : s.concurrency();
        Number other = RATE.equals(key) ? (Number) s.concurrency() : s.rate();
        if (load == null) {
            throw new SweepInputException(where + " has no number '" + key + "'");
        }
        if (other != null) {
            throw new SweepInputException(where + " has both 'concurrency' and 'rate': a step has the one of its mode");
        }
        if (s.requests() == null) {
            throw new SweepInputException(where + " has no 'requests'");
        }
        if (Double.isNaN(s.requestsPerSecond())) {
            throw new SweepInputException(where + " has no number 'requests_per_s'");
        }
        if (Double.isNaN(s.outputTokensPerSecond())) {
            throw new SweepInputException(where + " has no number 'output_tokens_per_s'");
        }
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static double number(Double d) {
        return d == null ? 0 : d;
    }
}
