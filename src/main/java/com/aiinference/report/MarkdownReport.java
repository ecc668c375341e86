package com.aiinference.report;

import com.aiinference.core.Check;
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
        for (String note : r.notes()) {
            sb.append("\n> **Note:** ").append(note).append('\n');
        }
        return sb.toString();
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
