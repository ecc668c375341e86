package com.aiinference.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of a sweep: the load it ran at and what that run measured. Written to and read back from the sweep's
 * JSON, so {@code loadtest capacity} can judge an SLO against it later without the run itself.
 *
 * @param load             concurrent users (closed loop) or offered requests/s (open loop)
 * @param total            measured requests
 * @param succeeded        of those, complete answers
 * @param errors           failures by kind
 * @param durationSeconds  measured window
 * @param requestsPerSecond measured requests per second
 * @param outputTokensPerSecond output tokens per second (server counts where the server gives them)
 * @param outputTokens     output tokens of successes
 * @param latency          end-to-end latency of successes, ms
 * @param ttft             time to first token, ms
 * @param itl              inter-token latency, ms
 * @param tpot             time per output token, ms
 * @param peakInFlight     most requests in flight at once
 * @param aborted          why the step stopped early, or null
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
        String aborted) implements Slo.Measured {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SweepStep {
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    /** The step as one run at {@code load} measured it. */
    public static SweepStep of(double load, LoadTestResult r) {
        return new SweepStep(load, r.total(), r.succeeded(), r.errors(), r.durationSeconds(), r.requestsPerSecond(),
                r.outputTokensPerSecond(), r.outputTokens(), r.latency(), r.ttft(), r.itl(), r.tpot(), r.peakInFlight(),
                r.abortReason());
    }

    public long failed() {
        return total - succeeded;
    }

    @Override
    public double successRate() {
        return total == 0 ? Double.NaN : (double) succeeded / total;
    }

    /** Output tokens per successful answer (server counts), NaN when nothing succeeded. */
    public double outputTokensPerAnswer() {
        return succeeded == 0 ? Double.NaN : (double) outputTokens / succeeded;
    }

    /** Whether this step ran to its end, had successes, and met every objective of {@code slo}. */
    public boolean meets(Slo slo) {
        return aborted == null && succeeded > 0 && slo.evaluate(this).stream().noneMatch(com.aiinference.core.Check::failed);
    }

    /** The JSON of this step, its load under {@code loadKey} ({@code concurrency} or {@code rate}). */
    ObjectNode toJson(String loadKey, Slo slo) {
        ObjectNode o = JSON.createObjectNode();
        if (loadKey.equals(SweepResult.CONCURRENCY)) {
            o.put(loadKey, (long) load);
        } else {
            o.put(loadKey, load);
        }
        o.put("requests_per_s", round(requestsPerSecond, 3));
        o.put("output_tokens_per_s", round(outputTokensPerSecond, 2));
        o.set("latency_ms", summary(latency));
        o.set("ttft_ms", summary(ttft));
        o.set("itl_ms", summary(itl));
        o.set("tpot_ms", summary(tpot));
        ObjectNode req = o.putObject("requests");
        req.put("total", total);
        req.put("succeeded", succeeded);
        req.put("failed", failed());
        ObjectNode err = o.putObject("errors");
        errors.forEach(err::put);
        o.put("output_tokens", outputTokens);
        o.put("duration_s", round(durationSeconds, 3));
        o.put("peak_in_flight", peakInFlight);
        if (aborted == null) {
            o.putNull("aborted");
        } else {
            o.put("aborted", aborted);
        }
        o.put("within_slo", meets(slo));
        return o;
    }

    /** Reads a step back; a missing or wrong field is a {@link SweepInputException} naming it. */
    static SweepStep fromJson(JsonNode o, String loadKey, String where) {
        if (!o.isObject()) {
            throw new SweepInputException(where + " is not an object");
        }
        double load = number(o, loadKey, where);
        JsonNode req = o.path("requests");
        long total = (long) number(req, "total", where + ".requests");
        long succeeded = (long) number(req, "succeeded", where + ".requests");
        Map<String, Long> errors = new LinkedHashMap<>();
        o.path("errors").fields().forEachRemaining(e -> errors.put(e.getKey(), e.getValue().asLong()));
        return new SweepStep(load, total, succeeded, errors, o.path("duration_s").asDouble(Double.NaN),
                number(o, "requests_per_s", where), number(o, "output_tokens_per_s", where),
                o.path("output_tokens").asLong(0),
                summaryOf(o, "latency_ms", where), summaryOf(o, "ttft_ms", where), summaryOf(o, "itl_ms", where),
                summaryOf(o, "tpot_ms", where), o.path("peak_in_flight").asLong(0),
                o.path("aborted").isTextual() ? o.path("aborted").asText() : null);
    }

    private static double number(JsonNode o, String key, String where) {
        JsonNode v = o.get(key);
        if (v == null || !v.isNumber()) {
            throw new SweepInputException(where + " has no number '" + key + "'");
        }
        return v.asDouble();
    }

    private static ObjectNode summary(LatencySummary s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("count", s.count());
        for (String stat : new String[] {"mean", "p50", "p90", "p95", "p99", "max"}) {
            double v = s.get(stat);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                o.putNull(stat);
            } else {
                o.put(stat, round(v, 3));
            }
        }
        return o;
    }

    private static LatencySummary summaryOf(JsonNode parent, String key, String where) {
        JsonNode o = parent.get(key);
        if (o == null || o.isNull()) {
            return LatencySummary.EMPTY;
        }
        if (!o.isObject()) {
            throw new SweepInputException(where + "." + key + " is not an object");
        }
        return new LatencySummary(o.path("count").asLong(0), stat(o, "mean"), stat(o, "p50"), stat(o, "p90"),
                stat(o, "p95"), stat(o, "p99"), stat(o, "max"));
    }

    private static double stat(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }

    static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
