package com.aiinference.loadtest.sweep;

import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.report.ReportFiles;
import com.aiinference.report.ReportVersion;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep's JSON report, the contract {@code loadtest capacity} and scripts read: this record written and read by
 * Jackson data binding with the conventions of every report ({@link ReportFiles#json()}: snake_case, a {@code version}
 * with the tool and the schema, null for an absent value), so it has one shape to keep. A step carries its load as
 * {@code concurrency} (closed loop) or {@code rate} (open loop), the other null; {@code knee} is null when even the
 * first step broke the SLO.
 */
@JsonPropertyOrder({"version", "kind", "target", "api", "model", "mode", "slo", "replicas", "replicas_source",
        "step_duration_s", "warmup_s", "max_tokens", "prompts", "started_at", "steps", "knee", "stopped"})
public record SweepDocument(
        ReportVersion version,
        String kind,
        String target,
        String api,
        String model,
        String mode,
        String slo,
        Integer replicas,
        String replicasSource,
        Double stepDurationS,
        Double warmupS,
        Integer maxTokens,
        Integer prompts,
        String startedAt,
        List<Step> steps,
        Load knee,
        String stopped) {

    public static final String KIND = "sweep";
    static final String CLOSED_LOOP = "closed_loop";
    static final String OPEN_LOOP = "open_loop";

    private static final ObjectMapper JSON = ReportFiles.json()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A load: users or requests/s, the other null. */
    public record Load(Long concurrency, Double rate) {
        public static Load of(String loadKey, double load) {
            return SweepResult.RATE.equals(loadKey) ? new Load(null, load) : new Load((long) load, null);
        }

        /** The load under {@code loadKey}, or null when the file has none. */
        Double get(String loadKey) {
            return SweepResult.RATE.equals(loadKey) ? rate : concurrency == null ? null : concurrency.doubleValue();
        }
    }

    /** Requests of a step. */
    record Requests(Long total, Long succeeded, Long failed) {}

    /** A latency summary in ms, null for a statistic nothing was recorded for. */
    record Stats(long count, Double mean, Double p50, Double p90, Double p95, Double p99, Double max) {
        public static Stats of(LatencySummary s) {
            return new Stats(s.count(), s.mean(), s.p50(), s.p90(), s.p95(), s.p99(), s.max());
        }

        LatencySummary summary() {
            return new LatencySummary(count, nan(mean), nan(p50), nan(p90), nan(p95), nan(p99), nan(max));
        }

        private static double nan(Double v) {
            return v == null ? Double.NaN : v;
        }
    }

    @JsonPropertyOrder({"concurrency", "rate", "requests_per_s", "output_tokens_per_s", "latency_ms", "ttft_ms",
            "itl_ms", "tpot_ms", "requests", "errors", "output_tokens", "duration_s", "peak_in_flight", "aborted",
            "stopped_by_user", "within_slo"})
    public record Step(Long concurrency, Double rate, Double requestsPerS, Double outputTokensPerS, Stats latencyMs,
                Stats ttftMs, Stats itlMs, Stats tpotMs, Requests requests, Map<String, Long> errors, Long outputTokens,
                Double durationS, Long peakInFlight, String aborted, String stoppedByUser, Boolean withinSlo) {

        public static Step of(SweepStep s, String loadKey, Slo slo) {
            Load load = Load.of(loadKey, s.load());
            return new Step(load.concurrency(), load.rate(), s.requestsPerSecond(), s.outputTokensPerSecond(),
                    Stats.of(s.latency()), Stats.of(s.ttft()), Stats.of(s.itl()), Stats.of(s.tpot()),
                    new Requests(s.total(), s.succeeded(), s.failed()), s.errors(), s.outputTokens(),
                    s.durationSeconds(), s.peakInFlight(), s.aborted(), s.stoppedByUser(),
                    s.stoppedByUser() != null ? null : s.meets(slo));
        }

        /** The step back; a missing figure is a {@link SweepInputException} naming it. */
        SweepStep step(String loadKey, String where) {
            Double load = new Load(concurrency, rate).get(loadKey);
            Requests req = requests == null ? new Requests(null, null, null) : requests;
            return new SweepStep(required(load, loadKey, where),
                    (long) required(req.total() == null ? null : req.total().doubleValue(), "total", where + ".requests"),
                    (long) required(req.succeeded() == null ? null : req.succeeded().doubleValue(), "succeeded",
                            where + ".requests"),
                    errors == null ? Map.of() : new LinkedHashMap<>(errors),
                    durationS == null ? Double.NaN : durationS,
                    required(requestsPerS, "requests_per_s", where), required(outputTokensPerS, "output_tokens_per_s", where),
                    outputTokens == null ? 0 : outputTokens, summary(latencyMs), summary(ttftMs), summary(itlMs),
                    summary(tpotMs), peakInFlight == null ? 0 : peakInFlight, aborted, stoppedByUser);
        }

        private static LatencySummary summary(Stats s) {
            return s == null ? LatencySummary.EMPTY : s.summary();
        }

        private static double required(Double v, String key, String where) {
            if (v == null) {
                throw new SweepInputException(where + " has no number '" + key + "'");
            }
            return v;
        }
    }

    static SweepDocument of(SweepResult r) {
        return new SweepDocument(ReportVersion.current(), KIND, r.target(), r.api(), r.model(),
                r.openLoop() ? OPEN_LOOP : CLOSED_LOOP, r.slo().toString(), r.replicas(), r.replicasSource(),
                r.stepSeconds(), r.warmupSeconds(), r.maxTokens(), r.prompts(), r.startedAt().toString(),
                r.steps().stream().map(s -> Step.of(s, r.loadKey(), r.slo())).toList(),
                r.knee().map(k -> Load.of(r.loadKey(), k.load())).orElse(null), r.stopped());
    }

    /** The document as a JSON tree (what the report file holds). */
    JsonNode toTree() {
        return JSON.valueToTree(this);
    }

    /**
     * Reads a sweep report; anything that is not one, or a figure missing or of the wrong type, is a
     * {@link SweepInputException} naming it.
     */
    static SweepResult read(JsonNode root, String source) {
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
        SweepDocument d;
        try {
            d = JSON.treeToValue(root, SweepDocument.class);
        } catch (JsonMappingException e) {
            throw new SweepInputException(source + ": " + path(e) + " is not what sweep schema " + ReportVersion.SCHEMA
                    + " holds there (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (JsonProcessingException e) {
            throw new SweepInputException(source + " is not a sweep report: " + e.getOriginalMessage());
        }
        return d.result(source);
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

    private SweepResult result(String source) {
        String key;
        if (CLOSED_LOOP.equals(mode)) {
            key = SweepResult.CONCURRENCY;
        } else if (OPEN_LOOP.equals(mode)) {
            key = SweepResult.RATE;
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
        List<SweepStep> read = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s == null) {
                throw new SweepInputException(source + ": steps[" + i + "] is not an object");
            }
            read.add(s.step(key, source + ": steps[" + i + "]"));
        }
        for (int i = 1; i < read.size(); i++) {
            if (!(read.get(i).load() > read.get(i - 1).load())) {
                throw new SweepInputException(source + ": steps do not rise (" + key + " " + read.get(i - 1).load()
                        + " then " + read.get(i).load() + ")");
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
                maxTokens == null ? 0 : maxTokens, prompts == null ? 0 : prompts, started, read, text(stopped));
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static double number(Double d) {
        return d == null ? 0 : d;
    }
}
