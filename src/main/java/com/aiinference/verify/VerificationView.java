package com.aiinference.verify;

import com.aiinference.core.Check;
import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.report.RunReport;
import com.aiinference.report.Report;
import com.aiinference.report.ReportRow;
import com.aiinference.report.ReportVersion;
import com.aiinference.status.Expectations;
import com.aiinference.status.PlatformSnapshot.ContainerState;
import com.aiinference.status.PlatformSnapshot.PodState;
import com.aiinference.status.PlatformSnapshot;
import com.aiinference.status.PodWatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A {@link VerificationReport} as the one {@link Report} model every writer reads: the verification's verdict and
 * its failed checks first, the seed's Verified Results rows (the load's Stability and Latency worded as
 * {@code loadtest} words them, Capacity from the replicas that served), every check by stage, the pods, and the
 * load's own figures. The cluster's raw state goes to JSON under {@code cluster}.
 */
final class VerificationView {
    private VerificationView() {}

    /**
     * The cluster's state for the JSON report.
     *
     * @param expectedReplicas replicas the release should run
     * @param replicasServed   replicas whose gateway counted requests during the run, null when not measured
     */
    record Cluster(String namespace, String release, String endpoint, Expectations expected, int expectedReplicas,
                   Integer replicasServed, int restartsDuringRun, int oomKillsDuringRun, int evictionsOrReplacements,
                   PlatformSnapshot before, Optional<PlatformSnapshot> after, List<ReplicaTraffic> traffic,
                   List<PodWatch.Observation> observedDuringRun) {}

    /** The report; {@code load} is the load's report (replicas served filled in), null when it did not run. */
    static Report of(VerificationReport v, LoadShape shape, LoadTestResult load, List<String> warnings) {
        List<String> reasons = new ArrayList<>();
        v.failures().forEach(c -> reasons.add(c.name() + ": " + c.message()));
        if (v.load().isEmpty() && v.loadSkippedReason() != null) {
            reasons.add("load skipped: " + v.loadSkippedReason());
        }
        Report.Verdict verdict = v.verified()
                ? new Report.Verdict(Check.Status.PASS, "VERIFIED", List.of())
                : new Report.Verdict(Check.Status.FAIL, "NOT VERIFIED", reasons);
        String subtitle = shape.describeLong() + (load == null ? "" : " for " + Format.seconds(load.asked().durationS()))
                + " against " + v.endpoint() + (load == null ? " (load not run)" : "");
        String resultsTitle = "Verified Results (" + shape.describe() + " @ " + v.expectedReplicas() + " Replicas)";
        List<ReportRow> rows = List.of(stabilityRow(v, load), latencyRow(v, load), capacityRow(v, load));
        List<Report.CheckGroup> groups = new ArrayList<>();
        v.stages().forEach((stage, list) -> groups.add(new Report.CheckGroup(stage.label(), list)));
        if (v.load().isEmpty() && !v.stages().containsKey(Moment.RUN)) {
            groups.add(new Report.CheckGroup(Moment.RUN.label(), List.of(Check.skip("load-slo",
                    "load not run: " + (v.loadSkippedReason() == null ? "unknown" : v.loadSkippedReason())))));
        }
        List<Report.Table> tables = new ArrayList<>();
        tables.add(pods(v));
        if (!v.observations().isEmpty()) {
            tables.add(new Report.Table("Seen during the run", List.of("Seen"),
                    v.observations().stream().map(o -> List.of(o.toString())).toList()));
        }
        List<String> notes = new ArrayList<>(warnings);
        String evidence = v.before().pods().isEmpty() ? null : v.before().pods().get(0).model().evidence();
        if (evidence != null) {
            notes.add("Model evidence: " + evidence + ". Traffic per replica: the gateway's stub_status requests delta"
                    + " through the API server's pod proxy, minus verify's own scrape.");
        }
        Integer served = v.traffic().stream().anyMatch(ReplicaTraffic::known)
                ? (int) v.traffic().stream().filter(ReplicaTraffic::servedTraffic).count() : null;
        Cluster cluster = new Cluster(v.namespace(), v.release(), v.endpoint(), v.expected(), v.expectedReplicas(), served,
                v.restartsDuringRun(), v.oomKillsDuringRun(), v.evictionsOrReplacements(), v.before(), v.after(), v.traffic(),
                v.observations());
        return new Report(ReportVersion.current(), "verify", "Scalability verification: release " + v.release()
                + " in namespace " + v.namespace(), subtitle, verdict, resultsTitle, rows, groups, load,
                v.load().isEmpty() ? v.loadSkippedReason() : null, tables, notes, cluster);
    }

    /** Stability: the load's success share (as loadtest words it), then restarts, OOM kills and evictions. */
    static ReportRow stabilityRow(VerificationReport v, LoadTestResult load) {
        String cluster = Format.plural(v.restartsDuringRun(), "restart", "restarts") + ", "
                + Format.plural(v.oomKillsDuringRun(), "OOM kill", "OOM kills") + ", "
                + Format.plural(v.evictionsOrReplacements(), "eviction/replacement", "evictions/replacements") + " during the run";
        if (load == null) {
            // No run, no after snapshot: nothing "during the run" to count.
            String skipped = v.loadSkippedReason() == null ? "" : "load skipped: " + v.loadSkippedReason();
            return new ReportRow("Stability", "not measured",
                    v.after().isEmpty() ? skipped : (skipped.isEmpty() ? "" : skipped + "; ") + cluster);
        }
        ReportRow l = RunReport.stabilityRow(load);
        return new ReportRow("Stability", l.result(), l.notes() + "; " + cluster);
    }

    static ReportRow latencyRow(VerificationReport v, LoadTestResult load) {
        if (load == null) {
            return new ReportRow("Latency", "not measured", v.loadSkippedReason() == null ? "" : v.loadSkippedReason());
        }
        return RunReport.latencyRow(load);
    }

    /** Capacity: replicas that served traffic out of those expected, then the load's throughput. */
    static ReportRow capacityRow(VerificationReport v, LoadTestResult load) {
        List<ReplicaTraffic> known = v.traffic().stream().filter(ReplicaTraffic::known).toList();
        // The row's value is the replicas; the rate the client measured leads the note, so it is never without its number.
        String throughput = load == null ? "" : "; " + (load.requests().succeeded() == 0 ? "no request succeeded"
                : com.aiinference.core.Format.number(load.served().succeededPerS()) + " req/s: "
                        + RunReport.throughputNotes(load));
        if (known.isEmpty()) {
            long ready = v.after().orElse(v.before()).pods().stream().filter(PodState::ready).count();
            return new ReportRow("Capacity", ready + "/" + v.expectedReplicas() + " Replicas ready",
                    "traffic per replica not measured: " + (!v.traffic().isEmpty() ? v.traffic().get(0).unknownReason()
                            : v.before().pods().isEmpty() ? "no pods" : "the load did not run")
                            + throughput);
        }
        long served = known.stream().filter(ReplicaTraffic::servedTraffic).count();
        var stats = known.stream().mapToLong(ReplicaTraffic::served).summaryStatistics();
        String spread = (stats.getMin() == stats.getMax() ? Format.count(stats.getMin())
                : Format.count(stats.getMin()) + "-" + Format.count(stats.getMax())) + " requests per replica (gateway stub_status)";
        String utilized = served >= v.expectedReplicas() ? "fully utilized: every replica served traffic, "
                : "not fully utilized: " + (v.expectedReplicas() - served) + " served nothing, ";
        return new ReportRow("Capacity", served + "/" + v.expectedReplicas() + " Replicas", utilized + spread + throughput);
    }

    /** One row per pod seen before or after: readiness and restarts before and after, limit, model, requests served. */
    static Report.Table pods(VerificationReport v) {
        Map<String, PodState> afterByUid = v.after().map(a -> a.pods().stream()
                .collect(Collectors.toMap(PodState::uid, p -> p, (x, y) -> x))).orElse(Map.of());
        List<PodState> rows = new ArrayList<>(v.before().pods());
        v.after().ifPresent(a -> a.pods().stream().filter(p -> v.before().pods().stream().noneMatch(b -> b.uid().equals(p.uid())))
                .forEach(rows::add));
        List<List<String>> cells = new ArrayList<>();
        for (PodState p : rows) {
            boolean inBefore = v.before().pods().stream().anyMatch(b -> b.uid().equals(p.uid()));
            PodState a = afterByUid.get(p.uid());
            String ready = (inBefore ? yesNo(p.ready()) : "(new)") + " → "
                    + (v.after().isEmpty() ? "-" : a == null ? "gone" : yesNo(a.ready()));
            String restarts = (inBefore ? String.valueOf(p.restarts()) : "-") + " → "
                    + (v.after().isEmpty() ? "-" : a == null ? "gone" : String.valueOf(a.restarts()));
            PodState latest = a != null ? a : p;
            String lastTermination = latest.containers().stream().filter(c -> c.lastTerminationReason() != null)
                    .map(c -> c.name() + ": " + c.lastTerminationReason()).collect(Collectors.joining(", "));
            String limit = latest.inferenceContainer().map(ContainerState::memoryLimit).orElse("-");
            String served = v.traffic().stream().filter(t -> t.pod().equals(latest.name())).findFirst()
                    .map(t -> t.known() ? Format.count(t.served()) : "n/a").orElse(v.after().isEmpty() ? "-" : "n/a");
            cells.add(List.of(p.name(), p.nodeName() == null ? "-" : p.nodeName(), ready, restarts,
                    lastTermination.isEmpty() ? "-" : lastTermination, limit == null ? "none" : limit,
                    latest.model().loaded() ? "loaded" : "not loaded", served));
        }
        return new Report.Table("Pods", List.of("Pod", "Node", "Ready (before → after)", "Restarts (before → after)",
                "Last termination", "Memory limit", "Model", "Requests served"), cells);
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
