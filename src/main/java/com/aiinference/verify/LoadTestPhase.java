package com.aiinference.verify;

import com.aiinference.core.Check;
import com.aiinference.loadtest.Durations;
import com.aiinference.loadtest.HtmlReport;
import com.aiinference.loadtest.LoadTestConfig;
import com.aiinference.loadtest.LoadTestResult;
import com.aiinference.loadtest.LoadTestRunner;
import com.aiinference.loadtest.MarkdownReport;
import com.aiinference.loadtest.ReportRow;
import com.aiinference.loadtest.Reports;
import com.aiinference.loadtest.Slo;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The load phase of verify: {@code loadtest}'s {@link LoadTestRunner} with the options {@code loadtest} takes, and
 * its reports (JSON, Markdown details, HTML page) completed with what only the cluster knows: replicas that served.
 */
final class LoadTestPhase implements LoadPhase {
    private final LoadTestConfig config;
    private final Load load;
    private LoadTestResult result;

    /**
     * How the load runs: in this process ({@link LoadTestRunner}), or from elsewhere (the pods of
     * {@code --in-cluster}) with the merged result and, if some worker gave nothing, one line that says so.
     */
    interface Load {
        Run run(LoadTestConfig config, URI endpoint, PrintWriter progress);
    }

    /** A load's result, and why part of it is missing (null when nothing is). */
    record Run(LoadTestResult result, String failure) {}

    /** {@code defaultSlo} applies when the options name no SLO: verify always gates on something. */
    LoadTestPhase(LoadTestConfig config, String defaultSlo) {
        this(config, defaultSlo, (c, endpoint, progress) -> new Run(LoadTestRunner.run(c, endpoint, progress), null));
    }

    LoadTestPhase(LoadTestConfig config, String defaultSlo, Load load) {
        this.config = config.slo().isEmpty() ? config.toBuilder().slo(Slo.parse(defaultSlo)).build() : config;
        this.load = load;
    }

    LoadTestConfig config() {
        return config;
    }

    Optional<LoadTestResult> result() {
        return Optional.ofNullable(result);
    }

    @Override
    public int users() {
        return config.openLoop() ? 0 : config.users();
    }

    @Override
    public LoadOutcome run(URI endpoint, PrintWriter progress) {
        Run run = load.run(config, endpoint, progress);
        result = run.result();
        List<String> slo = new ArrayList<>();
        if (run.failure() != null) {
            slo.add("load incomplete: " + run.failure());
        }
        for (Check o : result.sloOutcomes()) {
            slo.add(o.name() + ": " + (o.passed() ? "met" : "NOT met") + " (" + o.message() + ")");
        }
        if (result.aborted()) {
            slo.add("aborted: " + result.abortReason());
        }
        Map<String, Long> errors = new LinkedHashMap<>(result.errors());
        var l = result.latency();
        String shape = (config.openLoop() ? Reports.number(config.rate()) + " req/s (open loop)" : config.users() + " users")
                + " for " + Durations.format(config.duration());
        return new LoadOutcome(shape, config.openLoop() ? 0 : config.users(), result.durationSeconds(), result.total(),
                result.succeeded(), result.failed(), errors, l.mean(), l.p50(), l.p95(), l.p99(),
                result.ttft().isEmpty() ? null : result.ttft().p95(), result.requestsPerSecond(),
                "none".equals(result.outputTokensSource()) ? null : result.outputTokensPerSecond(),
                result.passed() && run.failure() == null, slo, result.toJson());
    }

    private LoadTestResult completed(VerificationReport report) {
        long served = report.traffic().stream().filter(ReplicaTraffic::servedTraffic).count();
        boolean measured = report.traffic().stream().anyMatch(ReplicaTraffic::known);
        return measured ? result.withReplicasServed((int) served) : result;
    }

    /** The load test's own percentile tables, errors and SLOs, under the verification report. */
    String detailsMarkdown(VerificationReport report) {
        if (result == null) {
            return "";
        }
        return "\n### Load test details\n" + MarkdownReport.details(completed(report));
    }

    /** Verify's JSON with the load test's JSON report (replicas served included) under {@code loadtest}. */
    ObjectNode augment(ObjectNode verifyJson, VerificationReport report) {
        if (result != null) {
            verifyJson.set("loadtest", completed(report).toJson());
        }
        return verifyJson;
    }

    /** The load test's HTML page, with the cluster rows and the checks and pods as extra sections. */
    String html(VerificationReport report) {
        List<ReportRow> rows = List.of(new ReportRow("Cluster", report.verified() ? "VERIFIED" : "NOT VERIFIED",
                report.stabilityNotes()));
        StringBuilder checks = new StringBuilder("<table><tr><th>Check</th><th>Stage</th><th>Result</th><th>Detail</th></tr>");
        report.stages().forEach((stage, list) -> list.forEach(c -> checks.append("<tr><td><code>")
                .append(HtmlReport.escape(c.name())).append("</code></td><td>").append(stage.label()).append("</td><td class=\"")
                .append(c.failed() ? "fail" : c.passed() ? "pass" : "warn")
                .append("\">").append(c.status()).append("</td><td>").append(HtmlReport.escape(c.message()))
                .append("</td></tr>")));
        checks.append("</table>");
        StringBuilder pods = new StringBuilder("<table><tr><th>Pod</th><th>Node</th><th>Ready</th><th class=\"num\">Restarts</th>"
                + "<th>Last termination</th><th class=\"num\">Requests served</th></tr>");
        var after = report.after().orElse(report.before());
        for (var p : after.pods()) {
            String served = report.traffic().stream().filter(t -> t.pod().equals(p.name())).findFirst()
                    .map(t -> t.known() ? String.valueOf(t.served()) : "n/a").orElse("n/a");
            String last = p.containers().stream().filter(c -> c.lastTerminationReason() != null)
                    .map(c -> c.name() + ": " + c.lastTerminationReason()).reduce((a, b) -> a + ", " + b).orElse("-");
            pods.append("<tr><td>").append(HtmlReport.escape(p.name())).append("</td><td>").append(HtmlReport.escape(String.valueOf(p.nodeName())))
                    .append("</td><td>").append(p.ready() ? "yes" : "no").append("</td><td class=\"num\">").append(p.restarts())
                    .append("</td><td>").append(HtmlReport.escape(last)).append("</td><td class=\"num\">").append(served).append("</td></tr>");
        }
        pods.append("</table>");
        return HtmlReport.render(completed(report), rows, List.of(
                new HtmlReport.Section("Verification checks", checks.toString()),
                new HtmlReport.Section("Pods after the run", pods.toString())));
    }
}
