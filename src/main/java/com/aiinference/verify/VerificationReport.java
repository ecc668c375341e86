package com.aiinference.verify;

import com.aiinference.chart.ChartContract;
import com.aiinference.core.Check;
import com.aiinference.loadtest.Reports;
import com.aiinference.verify.PlatformSnapshot.ContainerState;
import com.aiinference.verify.PlatformSnapshot.PodState;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of one verification: the seed's Verified Results table (Stability, Latency, Capacity) backed by every
 * check, the pods before and after, per-replica traffic and the load test's own report.
 */
public record VerificationReport(
        String namespace,
        String release,
        String endpoint,
        int plannedUsers,
        Expectations expected,
        PlatformSnapshot before,
        Optional<PlatformSnapshot> after,
        Map<Stage, List<Check>> stages,
        List<ReplicaTraffic> traffic,
        Optional<LoadOutcome> load,
        String loadSkippedReason,
        List<PodWatch.Observation> observations) {

    public VerificationReport {
        var byStage = new java.util.EnumMap<Stage, List<Check>>(Stage.class);
        stages.forEach((stage, list) -> byStage.put(stage, List.copyOf(list)));
        stages = java.util.Collections.unmodifiableMap(byStage);
        traffic = List.copyOf(traffic);
        observations = List.copyOf(observations);
    }

    /** Every check, stage by stage (before the load, the run, after it). */
    public List<Check> checks() {
        return stages.values().stream().flatMap(List::stream).toList();
    }

    public boolean verified() {
        return checks().stream().noneMatch(Check::failed) && load.isPresent();
    }

    public List<Check> failures() {
        return checks().stream().filter(Check::failed).toList();
    }

    /** One line for stderr/CI logs saying why it is not verified. */
    public String verdictLine() {
        if (verified()) {
            return "VERIFIED";
        }
        List<String> failed = failures().stream().map(c -> c.name() + ": " + c.message()).collect(Collectors.toList());
        if (load.isEmpty() && loadSkippedReason != null) {
            failed.add("load skipped: " + loadSkippedReason);
        }
        return "NOT VERIFIED: " + String.join(" | ", failed);
    }

    // ---- Verified Results rows ----

    int restartsDuringRun() {
        if (after.isEmpty()) {
            return 0;
        }
        Map<String, PodState> old = before.pods().stream().collect(Collectors.toMap(PodState::uid, p -> p, (a, b) -> a));
        int n = 0;
        for (PodState p : after.get().pods()) {
            PodState was = old.get(p.uid());
            if (was != null) {
                n += Math.max(0, p.restarts() - was.restarts());
            }
        }
        n += (int) observations.stream().filter(o -> o.kind() == PodWatch.Observation.Kind.RESTARTED)
                .filter(o -> after.get().pods().stream().noneMatch(p -> p.name().equals(o.pod()))).count();
        return n;
    }

    int oomKillsDuringRun() {
        if (after.isEmpty()) {
            return 0;
        }
        Map<String, PodState> old = before.pods().stream().collect(Collectors.toMap(PodState::uid, p -> p, (a, b) -> a));
        int n = 0;
        for (PodState p : after.get().pods()) {
            PodState was = old.get(p.uid());
            for (ContainerState c : p.containers()) {
                int prev = was == null ? c.restartCount() : was.container(c.name()).map(ContainerState::restartCount).orElse(0);
                if (c.restartCount() > prev && c.oomKilled()) {
                    n += 1;
                }
            }
        }
        return n;
    }

    int evictionsOrReplacements() {
        if (after.isEmpty()) {
            return 0;
        }
        var uidsAfter = after.get().pods().stream().map(PodState::uid).collect(Collectors.toSet());
        return (int) before.pods().stream().filter(p -> !uidsAfter.contains(p.uid())).count();
    }

    int expectedReplicas() {
        return expected.replicas() != null ? expected.replicas()
                : before.deployment().map(PlatformSnapshot.DeploymentState::desired).orElse(before.pods().size());
    }

    String stabilityResult() {
        return load.map(l -> percent(l.successPercent())).orElse("not measured");
    }

    String stabilityNotes() {
        if (load.isEmpty() && loadSkippedReason != null) {
            return "load skipped: " + loadSkippedReason;
        }
        String cluster = plural(restartsDuringRun(), "restart") + ", " + plural(oomKillsDuringRun(), "OOM kill") + ", "
                + plural(evictionsOrReplacements(), "eviction/replacement", "evictions/replacements") + " during the run";
        return load.map(l -> String.format(Locale.ROOT, "%,d/%,d requests succeeded", l.succeeded(), l.total())
                + (l.errors().isEmpty() ? "" : " (" + l.errors().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")")
                + "; " + cluster).orElse(cluster);
    }

    String latencyResult() {
        return load.filter(l -> l.succeeded() > 0)
                .map(l -> "~" + (l.latencyMeanMs() < 1000 ? seconds(l.latencyMeanMs())
                        : String.format(Locale.ROOT, "%.1fs", l.latencyMeanMs() / 1000)))
                .orElse("not measured");
    }

    String latencyNotes() {
        return load.filter(l -> l.succeeded() > 0).map(l -> "mean end-to-end; p50 " + seconds(l.latencyP50Ms())
                + ", p95 " + seconds(l.latencyP95Ms()) + ", p99 " + seconds(l.latencyP99Ms())
                + (l.ttftP95Ms() == null ? "" : "; TTFT p95 " + seconds(l.ttftP95Ms()))
                + String.format(Locale.ROOT, "; %.1f req/s", l.requestsPerSecond())
                + (l.outputTokensPerSecond() == null ? "" : String.format(Locale.ROOT, ", %.0f output tokens/s", l.outputTokensPerSecond())))
                .orElse(loadSkippedReason == null ? "" : loadSkippedReason);
    }

    String capacityResult() {
        List<ReplicaTraffic> known = traffic.stream().filter(ReplicaTraffic::known).toList();
        if (known.isEmpty()) {
            long ready = after.orElse(before).pods().stream().filter(PodState::ready).count();
            return ready + "/" + expectedReplicas() + " Replicas ready";
        }
        long served = known.stream().filter(ReplicaTraffic::servedTraffic).count();
        return served + "/" + expectedReplicas() + " Replicas";
    }

    String capacityNotes() {
        List<ReplicaTraffic> known = traffic.stream().filter(ReplicaTraffic::known).toList();
        if (known.isEmpty()) {
            return "traffic per replica not measured: " + (traffic.isEmpty() ? "no pods" : traffic.get(0).unknownReason());
        }
        long served = known.stream().filter(ReplicaTraffic::servedTraffic).count();
        var stats = known.stream().mapToLong(ReplicaTraffic::served).summaryStatistics();
        String spread = (stats.getMin() == stats.getMax() ? String.valueOf(stats.getMin()) : stats.getMin() + "-" + stats.getMax())
                + " requests per replica (gateway stub_status)";
        return (served >= expectedReplicas() ? "fully utilized: every replica served traffic, " : "not fully utilized: ") + spread;
    }

    // ---- Markdown ----

    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Scalability verification: release `").append(release).append("` in namespace `").append(namespace).append("`\n\n");
        md.append(verified() ? "**VERIFIED**" : "**NOT VERIFIED**");
        load.ifPresent(l -> md.append(": ").append(l.shape()).append(" against ").append(endpoint));
        md.append("\n\n");
        int users = load.map(LoadOutcome::users).orElse(plannedUsers);
        md.append("### Verified Results (").append(users).append(" Users @ ").append(expectedReplicas()).append(" Replicas)\n");
        md.append("| Metric | Result | Notes |\n| :--- | :--- | :--- |\n");
        md.append("| **Stability** | **").append(stabilityResult()).append("** | ").append(cell(stabilityNotes())).append(" |\n");
        md.append("| **Latency** | **").append(latencyResult()).append("** | ").append(cell(latencyNotes())).append(" |\n");
        md.append("| **Capacity** | **").append(capacityResult()).append("** | ").append(cell(capacityNotes())).append(" |\n\n");

        md.append("### Checks\n| Check | Stage | Result | Detail |\n| :--- | :--- | :--- | :--- |\n");
        stages.forEach((stage, list) -> list.forEach(c -> md.append("| ").append(c.name()).append(" | ")
                .append(stage.label()).append(" | ")
                .append(c.failed() ? "**FAIL**" : c.status().name()).append(" | ")
                .append(cell(c.message())).append(" |\n")));
        if (load.isEmpty() && loadSkippedReason != null) {
            md.append("| load | run | **SKIPPED** | ").append(cell(loadSkippedReason)).append(" |\n");
        }
        md.append('\n');

        md.append("### Pods\n| Pod | Node | Ready (before → after) | Restarts (before → after) | Last termination | Memory limit | Model | Requests served |\n")
                .append("| :--- | :--- | :--- | ---: | :--- | :--- | :--- | ---: |\n");
        Map<String, PodState> afterByUid = after.map(a -> a.pods().stream()
                .collect(Collectors.toMap(PodState::uid, p -> p, (x, y) -> x))).orElse(Map.of());
        List<PodState> rows = new ArrayList<>(before.pods());
        after.ifPresent(a -> a.pods().stream().filter(p -> before.pods().stream().noneMatch(b -> b.uid().equals(p.uid())))
                .forEach(rows::add));
        if (rows.isEmpty()) {
            md.append("| (no pods) | | | | | | | |\n");
        }
        for (PodState p : rows) {
            boolean inBefore = before.pods().stream().anyMatch(b -> b.uid().equals(p.uid()));
            PodState a = afterByUid.get(p.uid());
            String ready = (inBefore ? yesNo(p.ready()) : "(new)") + " → "
                    + (after.isEmpty() ? "-" : a == null ? "gone" : yesNo(a.ready()));
            String restarts = (inBefore ? String.valueOf(p.restarts()) : "-") + " → "
                    + (after.isEmpty() ? "-" : a == null ? "gone" : String.valueOf(a.restarts()));
            PodState latest = a != null ? a : p;
            String lastTermination = latest.containers().stream().filter(c -> c.lastTerminationReason() != null)
                    .map(c -> c.name() + ": " + c.lastTerminationReason()).collect(Collectors.joining(", "));
            String limit = latest.inferenceContainer().map(ContainerState::memoryLimit).orElse("-");
            String served = traffic.stream().filter(t -> t.pod().equals(latest.name())).findFirst()
                    .map(t -> t.known() ? String.valueOf(t.served()) : "n/a").orElse(after.isEmpty() ? "-" : "n/a");
            md.append("| ").append(p.name()).append(" | ").append(p.nodeName() == null ? "-" : p.nodeName()).append(" | ")
                    .append(ready).append(" | ").append(restarts).append(" | ")
                    .append(lastTermination.isEmpty() ? "-" : lastTermination).append(" | ")
                    .append(limit == null ? "none" : limit).append(" | ")
                    .append(latest.model().loaded() ? "loaded" : "**not loaded**").append(" | ")
                    .append(served).append(" |\n");
        }
        if (!observations.isEmpty()) {
            md.append("\n### Seen during the run\n");
            for (PodWatch.Observation o : observations) {
                md.append("- ").append(o).append('\n');
            }
        }
        String evidence = before.pods().isEmpty() ? null : before.pods().get(0).model().evidence();
        if (evidence != null) {
            md.append("\nModel evidence: ").append(evidence).append(". Traffic per replica: gateway stub_status `requests` delta ")
                    .append("through the API server's pod proxy, minus verify's own scrape.\n");
        }
        return md.toString();
    }

    static String plural(int n, String one) {
        return plural(n, one, one + "s");
    }

    static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "**no**";
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    /** A percentage (0..100) printed like every load-test report prints a share (never rounded up to 100%). */
    static String percent(double p) {
        return Reports.percent(p / 100.0);
    }

    static String seconds(double ms) {
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        double s = ms / 1000;
        return String.format(Locale.ROOT, s < 10 ? "%.2fs" : "%.1fs", s);
    }

    // ---- JSON ----

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("verified", verified());
        root.put("verdict", verdictLine());
        root.put("namespace", namespace);
        root.put("release", release);
        root.put("endpoint", endpoint);
        root.set("expected", mapper.valueToTree(expected));
        ObjectNode results = root.putObject("verifiedResults");
        results.putObject("stability").put("result", stabilityResult()).put("notes", stabilityNotes())
                .put("restartsDuringRun", restartsDuringRun()).put("oomKillsDuringRun", oomKillsDuringRun())
                .put("evictionsOrReplacements", evictionsOrReplacements());
        load.ifPresent(l -> ((ObjectNode) results.get("stability")).put("successPercent", l.successPercent()));
        results.putObject("latency").put("result", latencyResult()).put("notes", latencyNotes());
        ObjectNode capacity = results.putObject("capacity").put("result", capacityResult()).put("notes", capacityNotes())
                .put("expectedReplicas", expectedReplicas());
        if (traffic.stream().anyMatch(ReplicaTraffic::known)) {
            capacity.put("replicasServed", traffic.stream().filter(ReplicaTraffic::servedTraffic).count());
        } else {
            capacity.putNull("replicasServed");
        }
        ArrayNode checksNode = root.putArray("checks");
        stages.forEach((stage, list) -> list.forEach(c -> checksNode.addObject().put("name", c.name())
                .put("stage", stage.name()).put("status", c.status().name()).put("message", c.message())));
        root.set("traffic", mapper.valueToTree(traffic));
        root.set("before", mapper.valueToTree(before));
        after.ifPresentOrElse(a -> root.set("after", mapper.valueToTree(a)), () -> root.putNull("after"));
        root.set("observedDuringRun", mapper.valueToTree(observations));
        if (load.isPresent()) {
            root.set("loadtest", load.get().report());
        } else {
            root.putNull("loadtest");
            root.put("loadSkipped", loadSkippedReason);
        }
        return root;
    }

    /** A Jackson mapper that writes java.time and Optional the way this report wants them. */
    public static ObjectMapper jsonMapper() {
        ObjectMapper m = new ObjectMapper();
        m.registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                .addSerializer(java.time.Instant.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer())
                .addSerializer(Duration.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer()));
        m.registerModule(new Jdk8OptionalModule());
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        return m;
    }

    /** Writes Optional as its value or null (jackson-datatype-jdk8 is not a dependency of this build). */
    static final class Jdk8OptionalModule extends com.fasterxml.jackson.databind.module.SimpleModule {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings({"rawtypes", "unchecked"})
        Jdk8OptionalModule() {
            addSerializer((Class) Optional.class, new com.fasterxml.jackson.databind.JsonSerializer<Optional<?>>() {
                @Override
                public void serialize(Optional<?> value, com.fasterxml.jackson.core.JsonGenerator gen,
                        com.fasterxml.jackson.databind.SerializerProvider serializers) throws java.io.IOException {
                    if (value.isPresent()) {
                        serializers.defaultSerializeValue(value.get(), gen);
                    } else {
                        gen.writeNull();
                    }
                }
            });
        }
    }
}
