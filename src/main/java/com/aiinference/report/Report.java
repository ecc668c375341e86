package com.aiinference.report;

import com.aiinference.core.Check;
import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/**
 * The one report model: what {@code loadtest} and {@code verify} tell their reader. {@link MarkdownReport},
 * {@link HtmlReport} and the JSON report ({@link ReportFiles#json()}, Jackson data binding, snake_case) all read this
 * record and nothing else, so the three cannot disagree: every figure is formatted once ({@link Format}).
 *
 * @param version       tool and schema version (JSON readers check {@code schema})
 * @param command       {@code loadtest} or {@code verify}
 * @param title         the page title, e.g. {@code Load test: http://host:8000/api/generate}
 * @param subtitle      what was run, in one line
 * @param verdict       the one verdict the report leads with (the exit code's)
 * @param resultsTitle  {@code Verified Results (50 users, 60s, llama3.1:8b, ollama)}
 * @param results       the Verified Results rows (Stability, Latency, Capacity, then the command's own)
 * @param checks        checks in groups (verify: before, run, after; loadtest: its SLO objectives)
 * @param load          what the load measured, or null when no load ran (then {@code loadSkipped} says why)
 * @param loadSkipped   why no load ran, or null
 * @param tables        further tables (verify: the pods)
 * @param notes         things the reader should know (warnings), in order
 * @param cluster       verify's machine-readable cluster state (snapshots, traffic), JSON only; null for loadtest
 * @param server        the servers' own signals per replica and second, and the platform measured; null when no
 *                      cluster was reachable (a plain --url)
 */
@JsonPropertyOrder({"version", "command", "title", "subtitle", "verdict", "results_title", "results", "checks", "load",
        "load_skipped", "tables", "notes", "cluster", "server"})
public record Report(
        ReportVersion version,
        String command,
        String title,
        String subtitle,
        Verdict verdict,
        String resultsTitle,
        List<ReportRow> results,
        List<CheckGroup> checks,
        LoadTestResult load,
        String loadSkipped,
        List<Table> tables,
        List<String> notes,
        Object cluster,
        ServerSignals server) {

    public Report {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(verdict, "verdict");
        results = List.copyOf(results);
        checks = List.copyOf(checks);
        tables = List.copyOf(tables);
        notes = List.copyOf(notes);
    }

    /** A report without the servers' signals. */
    public Report(ReportVersion version, String command, String title, String subtitle, Verdict verdict,
                  String resultsTitle, List<ReportRow> results, List<CheckGroup> checks, LoadTestResult load,
                  String loadSkipped, List<Table> tables, List<String> notes, Object cluster) {
        this(version, command, title, subtitle, verdict, resultsTitle, results, checks, load, loadSkipped, tables, notes,
                cluster, null);
    }

    /** The same report with the servers' signals (null: none were read). */
    public Report withServer(ServerSignals signals) {
        return new Report(version, command, title, subtitle, verdict, resultsTitle, results, checks, load, loadSkipped,
                tables, notes, cluster, signals);
    }

    /**
     * The verdict a report leads with. {@code status} is the exit code's: PASS (exit 0), FAIL (exit 1), WARN (exit 0
     * with something to look at, e.g. failed requests and no SLO to judge them).
     *
     * @param status   PASS, FAIL or WARN
     * @param headline {@code VERIFIED}, {@code NOT VERIFIED}, {@code SLO MET}, {@code ABORTED}, ...
     * @param reasons  why, one line each (the failed checks with their messages); empty when it passed
     */
    public record Verdict(Check.Status status, String headline, List<String> reasons) {
        public Verdict {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(headline, "headline");
            reasons = List.copyOf(reasons);
        }

        @JsonIgnore
        public boolean passed() {
            return status != Check.Status.FAIL;
        }
    }

    /** Checks of one stage or kind, e.g. {@code before}, {@code run}, {@code after}, {@code slo}. */
    public record CheckGroup(String name, List<Check> checks) {
        public CheckGroup {
            checks = List.copyOf(checks);
        }
    }

    /** A plain table: a title, column names and rows of cells (already formatted). */
    public record Table(String title, List<String> columns, List<List<String>> rows) {
        public Table {
            columns = List.copyOf(columns);
            rows = rows.stream().map(List::copyOf).toList();
        }

        private static final java.util.regex.Pattern FIGURE =
                java.util.regex.Pattern.compile("n/a|-|\\d[\\d.,hm]* ?(ms|s|%)?( → \\d[\\d.,hm]* ?(ms|s|%)?)?");

        /**
         * Whether column {@code i} holds figures (right-aligned by every writer): not the first, every cell a number,
         * a latency, a share, {@code n/a} or {@code -}, and at least one a number (a name, a node, {@code yes → no}
         * or a column of dashes stays left).
         */
        public boolean figures(int i) {
            return i > 0 && rows.stream().allMatch(r -> i >= r.size() || r.get(i) == null || FIGURE.matcher(r.get(i)).matches())
                    && rows.stream().anyMatch(r -> i < r.size() && r.get(i) != null && !r.get(i).isEmpty()
                            && Character.isDigit(r.get(i).charAt(0)));
        }

        /** The same table without its heading (for a table under a heading of its own). */
        public Table withoutTitle() {
            return new Table(null, columns, rows);
        }
    }
}
