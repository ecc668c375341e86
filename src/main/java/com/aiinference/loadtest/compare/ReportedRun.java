package com.aiinference.loadtest.compare;

import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.sweep.SweepResult;
import com.aiinference.report.Report;
import com.aiinference.report.ReportFiles;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The figures of one run read back from its JSON report ({@code loadtest --report-json}, or {@code verify}'s, whose
 * {@code load} is the same {@link LoadTestResult}): the {@link LoadTestResult} parts a comparison needs, bound by Jackson
 * with the report's own conventions (snake_case, null for "no data", read back as NaN).
 *
 * @param source where it was read from (a file name), for messages
 * @param command {@code loadtest} or {@code verify}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReportedRun(
        @JsonIgnore String source,
        @JsonIgnore String command,
        Config config,
        LoadTestResult.Requests requests,
        LatencySummary latencyMs,
        LatencySummary ttftMs,
        LatencySummary itlMs,
        LatencySummary tpotMs,
        LoadTestResult.Throughput throughput) implements Slo.Measured {

    private static final ObjectMapper JSON = ReportFiles.reader();

    /** What the run asked: enough to say what is compared with what. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Config(String url, String api, String model) {}

    /** The run of a report's JSON tree ({@link Report}); {@code source} names it in messages. */
    public static ReportedRun of(JsonNode root, String source) {
        String command = root.path("command").asText("");
        if (!root.isObject() || !(command.equals("loadtest") || command.equals("verify"))) {
            throw new CompareInputException(source + " is not a loadtest or verify JSON report (--report-json)"
                    + (SweepResult.KIND.equals(root.path("kind").asText()) || root.has("steps")
                    ? "; it looks like a sweep report: compare it with another sweep" : ""));
        }
        JsonNode load = root.path("load");
        if (!load.isObject()) {
            String why = root.path("load_skipped").asText("");
            throw new CompareInputException(source + " has no load results" + (why.isEmpty() ? "" : " (" + why + ")"));
        }
        return ofLoad(load, source, command);
    }

    /** The run of a report's {@code load} part ({@link LoadTestResult} as JSON), e.g. the one verify embeds. */
    public static ReportedRun ofLoad(JsonNode load, String source, String command) {
        try {
            ReportedRun r = JSON.treeToValue(load, ReportedRun.class);
            if (r.requests() == null || r.latencyMs() == null || r.throughput() == null) {
                throw new CompareInputException(source + ": load has no requests, latency_ms or throughput");
            }
            return new ReportedRun(source, command, r.config() == null ? new Config("", "", "") : r.config(),
                    r.requests(), r.latencyMs(), orEmpty(r.ttftMs()), orEmpty(r.itlMs()), orEmpty(r.tpotMs()),
                    r.throughput());
        } catch (IOException e) {
            throw new CompareInputException(source + ": load is not a load-test report's (" + firstLine(e.getMessage()) + ")");
        }
    }

    /** Reads a report file. */
    public static ReportedRun read(Path file) {
        return of(tree(file), file.toString());
    }

    /** A JSON file's tree, or a one-line error naming the file. */
    public static JsonNode tree(Path file) {
        String text = com.aiinference.io.UserFiles.read(file, "report file");
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new CompareInputException(file + " is not a JSON report (not a JSON object)");
            }
            return root;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CompareInputException(file + " is not JSON (" + firstLine(e.getOriginalMessage()) + ")");
        }
    }

    private static LatencySummary orEmpty(LatencySummary s) {
        return s == null ? LatencySummary.EMPTY : s;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    @Override
    public LatencySummary latency() {
        return latencyMs;
    }

    @Override
    public LatencySummary ttft() {
        return ttftMs;
    }

    @Override
    public LatencySummary itl() {
        return itlMs;
    }

    @Override
    public LatencySummary tpot() {
        return tpotMs;
    }
}
