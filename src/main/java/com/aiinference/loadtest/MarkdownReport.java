package com.aiinference.loadtest;

import com.aiinference.core.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed's "Verified Results" table (Stability, Latency, Capacity) and the detail tables under it, in Markdown.
 * {@code verify} passes its own rows (restarts, OOM kills, replicas) to {@link #render(LoadTestResult, List)}.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    /** Table and details for a load-test result alone. */
    public static String render(LoadTestResult r) {
        return render(r, List.of());
    }

    /** Table (the three standard rows, then {@code extraRows}) and details. */
    public static String render(LoadTestResult r, List<ReportRow> extraRows) {
        StringBuilder sb = new StringBuilder();
        sb.append(title(r)).append("\n\n");
        sb.append(table(r, extraRows)).append('\n');
        sb.append(details(r));
        return sb.toString();
    }

    /** {@code ### Verified Results (50 users, 60s, llama3.1:8b)} */
    public static String title(LoadTestResult r) {
        LoadTestConfig c = r.config();
        String load = c.openLoop() ? Reports.number(c.rate()) + " req/s open loop" : c.users() + " users";
        return String.format(Locale.ROOT, "### Verified Results (%s, %s, %s, %s)", load,
                Durations.format(c.duration()), c.model(), c.api().cliName());
    }

    /** The three rows the seed reported, from what the client measured. */
    public static List<ReportRow> standardRows(LoadTestResult r) {
        List<ReportRow> rows = new ArrayList<>();
        String failures = r.failed() == 0 ? "0 failed"
                : r.failed() + " failed: " + errorsInline(r.errors());
        if (r.total() == 0) {
            rows.add(new ReportRow("Stability", "n/a", "0/0 requests: " + r.noSuccessReason()));
        } else {
            rows.add(new ReportRow("Stability", Reports.percent(r.successRate()),
                    String.format(Locale.ROOT, "%d/%d requests succeeded; %s%s", r.succeeded(), r.total(), failures,
                            r.aborted() ? "; ABORTED: " + r.abortReason() : "")));
        }
        LatencySummary l = r.latency();
        String latencyNotes = l.isEmpty() ? "no successful request"
                : String.format(Locale.ROOT, "p50 %s, p95 %s, p99 %s, max %s%s", ms(l.p50()), ms(l.p95()), ms(l.p99()),
                        ms(l.max()), r.ttft().isEmpty() ? "" : "; TTFT p95 " + ms(r.ttft().p95()));
        rows.add(new ReportRow("Latency", l.isEmpty() ? "n/a" : "~" + ms(l.mean()), latencyNotes));
        String tokens = r.outputTokensSource().equals("none") ? ""
                : String.format(Locale.ROOT, ", %s output tok/s (%s)", Reports.number(r.outputTokensPerSecond()),
                        tokenSourceLabel(r.outputTokensSource()));
        String throughput = String.format(Locale.ROOT, "%s req/s%s; peak %d in flight", Reports.number(r.requestsPerSecond()),
                tokens, r.peakInFlight());
        if (r.replicasServed() != null) {
            rows.add(new ReportRow("Capacity", r.replicasServed() + " Replicas", "served traffic; " + throughput));
        } else {
            rows.add(new ReportRow("Capacity", Reports.number(r.requestsPerSecond()) + " req/s",
                    "peak " + r.peakInFlight() + " in flight" + tokens
                            + "; replicas serving are not visible from the client (run `verify`)"));
        }
        return rows;
    }

    /** The Markdown table: standard rows, then extra ones. */
    public static String table(LoadTestResult r, List<ReportRow> extraRows) {
        List<ReportRow> rows = new ArrayList<>(standardRows(r));
        rows.addAll(extraRows);
        StringBuilder sb = new StringBuilder();
        sb.append("| Metric | Result | Notes |\n| :--- | :--- | :--- |\n");
        for (ReportRow row : rows) {
            sb.append("| **").append(cell(row.metric())).append("** | **").append(cell(row.result())).append("** | ")
                    .append(cell(row.notes())).append(" |\n");
        }
        return sb.toString();
    }

    /** Latency/TTFT/ITL/TPOT percentiles, errors by kind, SLOs, warnings. */
    public static String details(LoadTestResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ms | mean | p50 | p90 | p95 | p99 | max |\n| :--- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        summaryRow(sb, "latency", r.latency());
        summaryRow(sb, "TTFT", r.ttft());
        summaryRow(sb, "ITL", r.itl());
        summaryRow(sb, "TPOT", r.tpot());
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%d requests in %.1fs (%s req/s), %d output tokens (%s, %s tok/s)",
                r.total(), r.durationSeconds(), Reports.number(r.requestsPerSecond()), r.outputTokens(),
                tokenSourceLabel(r.outputTokensSource()), Reports.number(r.outputTokensPerSecond())));
        if (!Double.isNaN(r.serverTokensPerSecond())) {
            sb.append(String.format(Locale.ROOT, "; server decode %s tok/s per answer", Reports.number(r.serverTokensPerSecond())));
        }
        if (r.warmupRequests() > 0) {
            sb.append(String.format(Locale.ROOT, "; %d warm-up requests excluded", r.warmupRequests()));
        }
        sb.append(".\n");
        if (!r.errors().isEmpty()) {
            sb.append("\nErrors: ").append(errorsInline(r.errors())).append('\n');
        }
        List<Check> slo = r.sloOutcomes();
        if (!slo.isEmpty()) {
            sb.append("\nSLO:");
            for (Check o : slo) {
                sb.append(String.format(Locale.ROOT, " %s %s (%s);", o.status(), o.name(), o.message()));
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        if (r.aborted()) {
            sb.append("\nAborted: ").append(r.abortReason()).append('\n');
        }
        for (String w : r.warnings()) {
            sb.append("\n> **Note:** ").append(w).append('\n');
        }
        return sb.toString();
    }

    static String tokenSourceLabel(String source) {
        return switch (source) {
            case "server" -> "server counts";
            case "chunks" -> "estimated from stream chunks";
            case "mixed" -> "server counts where given, else stream chunks";
            default -> "no tokens";
        };
    }

    private static void summaryRow(StringBuilder sb, String name, LatencySummary s) {
        if (s.isEmpty()) {
            sb.append("| ").append(name).append(" | n/a | | | | | |\n");
            return;
        }
        sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", name, s.mean(), s.p50(),
                s.p90(), s.p95(), s.p99(), s.max()));
    }

    static String errorsInline(Map<String, Long> errors) {
        StringBuilder sb = new StringBuilder();
        errors.forEach((k, v) -> sb.append(k).append(' ').append(v).append(", "));
        return sb.length() == 0 ? "none" : sb.substring(0, sb.length() - 2);
    }

    private static String ms(double v) {
        return Durations.formatMillis(v);
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
