package com.aiinference.report;

import com.aiinference.core.Check;
import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.RunStop;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the {@link Report} of a load test: its verdict, the seed's Verified Results rows and the SLO checks, from
 * one {@link LoadTestResult}. {@code verify} reuses {@link #stabilityRow}, {@link #latencyRow} and
 * {@link #details} so both commands word the same figure the same way.
 */
public final class RunReport {
    private RunReport() {}

    /** The report of a {@code loadtest} run. */
    public static Report of(LoadTestResult r) {
        List<Check> slo = r.sloOutcomes();
        List<Report.CheckGroup> checks = slo.isEmpty() ? List.of() : List.of(new Report.CheckGroup("slo", slo));
        return new Report(ReportVersion.current(), "loadtest", "Load test: " + r.target(), subtitle(r),
                verdict(r), resultsTitle(r), List.of(stabilityRow(r), latencyRow(r), capacityRow(r)),
                checks, r, null, TrafficTables.of(r.traffic()), r.warnings(), null);
    }

    /** {@code 50 users (closed loop) · 60s after 10s warm-up · llama3.1:8b · ollama (streaming) · started ...} */
    public static String subtitle(LoadTestResult l) {
        LoadTestResult.RunSettings c = l.asked();
        return c.load().describeLong() + " · " + Format.seconds(c.durationS())
                + (c.warmupS() == 0 ? "" : " after " + Format.seconds(c.warmupS()) + " warm-up") + " · " + c.model()
                + " · " + c.api() + (c.stream() ? " (streaming)" : " (not streaming)") + " · started "
                + l.run().startedAt().toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }

    /** {@code Verified Results (50 users, 60s, llama3.1:8b, ollama)} */
    public static String resultsTitle(LoadTestResult l) {
        LoadTestResult.RunSettings c = l.asked();
        return String.format(Locale.ROOT, "Verified Results (%s, %s, %s, %s)", c.load().describe(),
                Format.seconds(c.durationS()), c.model(), c.api());
    }

    /** The one verdict of a load test, as its exit code has it. */
    static Report.Verdict verdict(LoadTestResult r) {
        List<String> reasons = new ArrayList<>();
        if (r.stoppedByUserSignal()) {
            reasons.add(stopLine(r));
        }
        if (r.aborted()) {
            reasons.add(r.abortReason());
            return new Report.Verdict(Check.Status.FAIL, "ABORTED", reasons);
        }
        if (r.noSuccessReason() != null) {
            reasons.add(r.noSuccessReason());
            return new Report.Verdict(Check.Status.FAIL, r.requests().total() == 0 ? "NOTHING MEASURED" : "NO SUCCESS", reasons);
        }
        String stopped = r.stoppedByUserSignal() ? " (STOPPED BY USER)" : "";
        List<Check> slo = r.sloOutcomes();
        if (!slo.isEmpty()) {
            List<Check> unmet = slo.stream().filter(Check::failed).toList();
            unmet.forEach(c -> reasons.add("SLO " + c.name() + " not met: measured " + c.message()));
            return unmet.isEmpty() ? new Report.Verdict(Check.Status.PASS, "SLO MET" + stopped, reasons)
                    : new Report.Verdict(Check.Status.FAIL, "SLO NOT MET" + stopped, reasons);
        }
        if (r.requests().failed() == 0) {
            return new Report.Verdict(r.stoppedByUserSignal() ? Check.Status.WARN : Check.Status.PASS, "NO ERRORS" + stopped,
                    reasons);
        }
        reasons.add(Format.count(r.requests().failed()) + " of " + Format.count(r.requests().total()) + " requests failed ("
                + LoadTestResult.errorsInline(r.errors()) + "); no --slo to judge them");
        return new Report.Verdict(Check.Status.WARN, Format.count(r.requests().failed()) + " FAILED" + stopped, reasons);
    }

    /** {@code stopped by the user after 12.3s: 5 requests in flight were cut and are not counted} */
    public static String stopLine(LoadTestResult l) {
        RunStop s = l.run().stopped();
        return "stopped by the user (" + s.reason() + ") after " + Format.seconds(l.run().windowS())
                + " of the " + Format.seconds(l.asked().durationS()) + " asked: " + Format.plural(l.requests().stoppedByUser(),
                        "request", "requests") + " in flight were cut and are not counted";
    }

    /** Stability: the share of measured requests that succeeded, and how the others failed. */
    public static ReportRow stabilityRow(LoadTestResult l) {
        LoadTestResult.Requests q = l.requests();
        String stop = l.run().stopped() == null ? ""
                : l.run().stopped().aborted() ? "; ABORTED: " + l.run().stopped().reason() : "; " + stopLine(l);
        if (q.total() == 0) {
            return new ReportRow("Stability", "n/a", "0/0 requests measured" + stop);
        }
        String failures = q.failed() == 0 ? "0 failed"
                : Format.count(q.failed()) + " failed: " + LoadTestResult.errorsInline(l.errors());
        return new ReportRow("Stability", Format.share(q.successShare()), Format.count(q.succeeded()) + "/"
                + Format.count(q.total()) + " requests succeeded; " + failures + stop);
    }

    /** Latency: the mean end-to-end latency of successes, percentiles and TTFT p95 in the notes. */
    public static ReportRow latencyRow(LoadTestResult l) {
        LatencySummary s = l.latency();
        if (s.isEmpty()) {
            return new ReportRow("Latency", "n/a", "no successful request");
        }
        return new ReportRow("Latency", "~" + Format.millis(s.mean()), "mean end-to-end; p50 " + Format.millis(s.p50())
                + ", p95 " + Format.millis(s.p95()) + ", p99 " + Format.millis(s.p99()) + ", max " + Format.millis(s.max())
                + (l.ttft().isEmpty() ? "" : "; TTFT p95 " + Format.millis(l.ttft().p95())));
    }

    /** Capacity as the client sees it: successes per second of the send window (never a rate of failures). */
    public static ReportRow capacityRow(LoadTestResult l) {
        String visible = "; replicas serving are not visible from the client (run verify)";
        if (l.requests().succeeded() == 0) {
            // No rate at all: a rate of failures is not a capacity.
            return new ReportRow("Capacity", "n/a", "no request succeeded; peak " + l.served().peakInFlight()
                    + " in flight" + visible);
        }
        return new ReportRow("Capacity", Format.number(l.served().succeededPerS()) + " req/s", throughputNotes(l) + visible);
    }

    /** {@code steady-state successes per second over the 60s send window (...); peak 50 in flight; 2,178 output tok/s, ...} */
    public static String throughputNotes(LoadTestResult l) {
        return "steady-state successes per second over the " + Format.seconds(l.run().windowS())
                + " send window (work done in it, warm-up included); peak "
                + l.served().peakInFlight() + " in flight" + tokenRates(l);
    }

    /** {@code ; 2,178 output tok/s, 520 input tok/s, 2,698 total tok/s (server counts)}, or nothing without tokens. */
    static String tokenRates(LoadTestResult l) {
        if (l.tokens().outputSource().equals("none")) {
            return "";
        }
        LoadTestResult.Throughput t = l.throughput();
        String input = Double.isNaN(t.inputTokensPerS()) ? ""
                : ", " + Format.number(t.inputTokensPerS()) + " input tok/s, " + Format.number(t.totalTokensPerS()) + " total tok/s";
        return "; " + Format.number(t.outputTokensPerS()) + " output tok/s" + input + " (" + l.tokenSourceLabel() + ")";
    }

    /** Percentiles, and one line of counts and rates; {@code null} inputs are skipped. */
    public static Report.Table percentiles(LoadTestResult l) {
        List<List<String>> rows = new ArrayList<>();
        String[] names = {"latency", "TTFT", "ITL", "TPOT"};
        LatencySummary[] s = {l.latency(), l.ttft(), l.itl(), l.tpot()};
        for (int i = 0; i < s.length; i++) {
            List<String> row = new ArrayList<>();
            row.add(names[i]);
            for (String stat : List.of("mean", "p50", "p90", "p95", "p99", "max")) {
                row.add(s[i].isEmpty() ? "n/a" : Format.millis(s[i].get(stat)));
            }
            rows.add(row);
        }
        return new Report.Table("Percentiles", List.of("", "mean", "p50", "p90", "p95", "p99", "max"), rows);
    }

    /** {@code 1,050 requests measured over 61.2s (60s send window + 1.2s drain), 17.2 req/s; 134,400 output tokens ...} */
    public static String details(LoadTestResult l) {
        StringBuilder sb = new StringBuilder();
        sb.append(Format.count(l.requests().total())).append(" requests measured over ").append(Format.seconds(l.run().measuredS()))
                .append(" (").append(Format.seconds(l.run().windowS())).append(" send window + ")
                .append(Format.seconds(l.run().drainS())).append(" drain), ")
                .append(l.requests().succeeded() == 0 ? "none succeeded"
                        : Format.number(l.throughput().requestsPerS()) + " req/s")
                .append("; ").append(l.tokens().outputSource().equals("none") ? "no output tokens"
                        : Format.count(l.tokens().output()) + " output tokens (" + l.tokenSourceLabel() + ")");
        if (l.tokens().input() != null) {
            sb.append(", ").append(Format.count(l.tokens().input())).append(" input tokens");
        }
        sb.append(tokenRates(l));
        if (!Double.isNaN(l.throughput().serverDecodeTokensPerS())) {
            sb.append("; server decode ").append(Format.number(l.throughput().serverDecodeTokensPerS())).append(" tok/s per answer");
        }
        if (l.run().warmupRequests() > 0) {
            sb.append("; ").append(Format.count(l.run().warmupRequests())).append(" warm-up requests excluded");
        }
        if (l.requests().stoppedByUser() > 0) {
            sb.append("; ").append(Format.count(l.requests().stoppedByUser())).append(" cut by the user's stop, not counted");
        }
        return sb.append('.').toString();
    }
}
