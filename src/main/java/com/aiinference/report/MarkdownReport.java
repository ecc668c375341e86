package com.aiinference.report;

import com.aiinference.core.Check;
import com.aiinference.core.Format;
import java.util.List;

/**
 * The Markdown form of a {@link Report}: title, the verdict with its reasons, the seed's "Verified Results" table,
 * the checks, further tables and the load's details. What {@code loadtest} and {@code verify} print on stdout.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(r.title()).append("\n\n");
        sb.append("**").append(r.verdict().headline()).append("**");
        if (r.subtitle() != null) {
            sb.append(": ").append(r.subtitle());
        }
        sb.append('\n');
        for (String reason : r.verdict().reasons()) {
            sb.append("- ").append(reason).append('\n');
        }
        sb.append('\n');
        sb.append("### ").append(r.resultsTitle()).append("\n\n");
        sb.append("| Metric | Result | Notes |\n| :--- | :--- | :--- |\n");
        for (ReportRow row : r.results()) {
            sb.append("| **").append(cell(row.metric())).append("** | **").append(cell(row.result())).append("** | ")
                    .append(cell(row.notes())).append(" |\n");
        }
        if (!r.checks().isEmpty()) {
            sb.append("\n### Checks\n\n| Check | Stage | Result | Detail |\n| :--- | :--- | :--- | :--- |\n");
            for (Report.CheckGroup g : r.checks()) {
                for (Check c : g.checks()) {
                    sb.append("| ").append(cell(c.name())).append(" | ").append(g.name()).append(" | ")
                            .append(c.failed() ? "**FAIL**" : c.status().name()).append(" | ").append(cell(c.message()))
                            .append(" |\n");
                }
            }
        }
        if (r.loadSkipped() != null) {
            sb.append("\nLoad not run: ").append(r.loadSkipped()).append('\n');
        }
        for (Report.Table t : r.tables()) {
            table(sb, t);
        }
        if (r.load() != null) {
            sb.append("\n### Load test details\n");
            table(sb, RunReport.percentiles(r.load()).withoutTitle());
            sb.append('\n').append(RunReport.details(r.load())).append('\n');
        }
        if (r.server() != null) {
            table(sb, serverTable(r.server()));
            sb.append('\n').append(platformLine(r.server().platform())).append('\n');
            if (r.server().reading() != null) {
                sb.append("\nServer signals: ").append(r.server().reading()).append('\n');
            }
        }
        for (String note : r.notes()) {
            sb.append("\n> **Note:** ").append(note).append('\n');
        }
        return sb.toString();
    }

    /** One row per replica: what was read, its peaks, and how many reads failed. */
    public static Report.Table serverTable(ServerSignals s) {
        List<List<String>> rows = new java.util.ArrayList<>();
        for (ServerSignals.Replica r : s.replicas()) {
            rows.add(List.of(r.pod(), r.source(), Format.count(r.samples().size()), Format.count(r.gaps().size()),
                    peak(r, ServerSignals.Sample::running), peak(r, ServerSignals.Sample::waiting),
                    peak(r, ServerSignals.Sample::inFlight), peak(r, ServerSignals.Sample::kvCachePct),
                    total(r, ServerSignals.Sample::preemptions)));
        }
        return new Report.Table("Server signals (per replica, read every " + Format.number(s.intervalS()) + "s)",
                List.of("replica", "source", "reads", "gaps", "peak running", "peak waiting", "peak in flight",
                        "peak KV cache %", "preemptions"), rows);
    }

    /** The platform measured, in one line. */
    public static String platformLine(ServerSignals.Platform p) {
        return "Platform: " + String.join(", ", java.util.stream.Stream.of(
                p.engine() == null ? null : "engine " + p.engine(),
                p.image() == null ? null : "image " + p.image(),
                p.model() == null ? null : "model " + p.model(),
                p.parallel() == null ? null : p.parallelSetting() + " " + p.parallel(),
                p.machineType() == null ? null : "machine " + p.machineType(),
                p.gpu() == null ? null : "GPU " + p.gpu(),
                p.gpuDriver() == null ? null : "driver " + p.gpuDriver(),
                Format.plural(p.replicas(), "replica", "replicas")).filter(java.util.Objects::nonNull).toList()) + ".";
    }

    private static String peak(ServerSignals.Replica r, java.util.function.Function<ServerSignals.Sample, Double> f) {
        return r.samples().stream().map(f).filter(java.util.Objects::nonNull).max(Double::compare).map(Format::number).orElse("-");
    }

    private static String total(ServerSignals.Replica r, java.util.function.Function<ServerSignals.Sample, Double> f) {
        List<Double> v = r.samples().stream().map(f).filter(java.util.Objects::nonNull).toList();
        return v.isEmpty() ? "-" : Format.number(v.stream().mapToDouble(Double::doubleValue).sum());
    }

    private static void table(StringBuilder sb, Report.Table t) {
        sb.append('\n');
        if (t.title() != null) {
            sb.append("### ").append(t.title()).append("\n\n");
        }
        sb.append('|');
        t.columns().forEach(c -> sb.append(' ').append(cell(c)).append(" |"));
        sb.append("\n|");
        for (int i = 0; i < t.columns().size(); i++) {
            sb.append(t.figures(i) ? " ---: |" : " :--- |");
        }
        sb.append('\n');
        if (t.rows().isEmpty()) {
            sb.append("| (none) |").append(" |".repeat(Math.max(0, t.columns().size() - 1))).append('\n');
        }
        for (List<String> row : t.rows()) {
            sb.append('|');
            row.forEach(c -> sb.append(' ').append(cell(c)).append(" |"));
            sb.append('\n');
        }
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
