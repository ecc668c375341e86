package com.aiinference.verify;

import com.aiinference.core.Check;
import com.aiinference.status.Expectations;
import com.aiinference.status.PlatformSnapshot.ContainerState;
import com.aiinference.status.PlatformSnapshot.PodState;
import com.aiinference.status.PlatformSnapshot;
import com.aiinference.status.PodWatch;
import java.util.List;
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
        Map<Moment, List<Check>> stages,
        List<ReplicaTraffic> traffic,
        Optional<LoadOutcome> load,
        String loadSkippedReason,
        List<PodWatch.Observation> observations) {

    public VerificationReport {
        var byStage = new java.util.EnumMap<Moment, List<Check>>(Moment.class);
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
}
