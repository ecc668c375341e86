package com.aiinference.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What the load phase measured, in the terms the Verified Results table needs; {@code report} is the load test's
 * own JSON report, embedded unchanged in verify's JSON.
 *
 * @param shape      the load as asked, e.g. {@code "50 users for 60s"}
 * @param sloResults one line per SLO, e.g. {@code "p95<5s: met (2.91 s)"}
 */
public record LoadOutcome(
        String shape,
        int users,
        double durationSeconds,
        long total,
        long succeeded,
        long failed,
        Map<String, Long> errors,
        double latencyMeanMs,
        double latencyP50Ms,
        double latencyP95Ms,
        double latencyP99Ms,
        Double ttftP95Ms,
        double requestsPerSecond,
        Double outputTokensPerSecond,
        boolean sloMet,
        List<String> sloResults,
        JsonNode report) {

    public LoadOutcome {
        errors = Map.copyOf(errors);
        sloResults = List.copyOf(sloResults);
    }

    /** Share of requests that succeeded, in percent (0 when nothing was sent). */
    public double successPercent() {
        return total == 0 ? 0 : 100.0 * succeeded / total;
    }
}
