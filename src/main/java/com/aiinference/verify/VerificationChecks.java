package com.aiinference.verify;

import com.aiinference.chart.ChartContract;
import com.aiinference.core.Check;
import com.aiinference.kube.GkeApi;
import com.aiinference.status.Expectations;
import com.aiinference.status.PlatformSnapshot.ContainerState;
import com.aiinference.status.PlatformSnapshot.PodState;
import com.aiinference.status.PlatformSnapshot.ProvisioningState;
import com.aiinference.status.PlatformSnapshot;
import com.aiinference.status.PodWatch;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The checks verify runs on the snapshots before and after the load, and on what the pod watch saw in between. */
public final class VerificationChecks {
    /**
     * nginx counts the stub_status request itself in {@code requests}: the value read before the run already includes
     * the first scrape, so between the two reads exactly one request (the second scrape) is verify's own.
     */
    static final int OWN_SCRAPES_BETWEEN_SNAPSHOTS = 1;

    private VerificationChecks() {}

    public static List<Check> before(PlatformSnapshot s, Expectations e, String namespace, String release) {
        List<Check> checks = new ArrayList<>();
        checks.add(deploymentReady(s, e, namespace, release));
        checks.add(hpaPinned(s, e));
        checks.add(provisioningRequest(s, e, release));
        checks.add(podsReady(s, e));
        checks.add(onePodPerNode(s));
        checks.add(memoryLimit(s, e));
        checks.add(modelLoaded(s, e));
        checks.add(earlierRestarts(s));
        return checks;
    }

    static Check deploymentReady(PlatformSnapshot s, Expectations e, String namespace, String release) {
        String name = "deployment-ready";
        if (s.deployment().isEmpty()) {
            return Check.fail(name, "no Deployment labelled app.kubernetes.io/instance=" + release
                    + " in namespace " + namespace);
        }
        var d = s.deployment().get();
        if (e.replicas() != null && d.desired() != e.replicas()) {
            return Check.fail(name, "Deployment " + d.name() + " wants " + d.desired()
                    + " replicas, expected " + e.replicas());
        }
        if (d.ready() < d.desired()) {
            return Check.fail(name, "Deployment " + d.name() + ": " + d.ready() + "/" + d.desired()
                    + " replicas ready");
        }
        return Check.pass(name, "Deployment " + d.name() + ": " + d.ready() + "/" + d.desired()
                + " replicas ready");
    }

    static Check hpaPinned(PlatformSnapshot s, Expectations e) {
        String name = "hpa-pinned";
        if (s.hpa().isEmpty()) {
            return Boolean.TRUE.equals(e.hpaPinned())
                    ? Check.fail(name, "no HPA (autoscaling/v2) targets the Deployment, expected one pinned at "
                            + (e.replicas() == null ? "min = max" : e.replicas()))
                    : Check.skip(name, "no HPA targets the Deployment");
        }
        var h = s.hpa().get();
        String state = "HPA " + h.name() + ": min " + h.min() + ", max " + h.max() + ", current " + h.current();
        if (Boolean.FALSE.equals(e.hpaPinned()) || (e.hpaPinned() == null && !h.pinned())) {
            return Check.skip(name, state + " (not pinned by configuration)");
        }
        if (!h.pinned()) {
            return Check.fail(name, state + ": not pinned (min != max), it can scale during the run");
        }
        if (e.replicas() != null && h.min() != e.replicas()) {
            return Check.fail(name, state + ": pinned at " + h.min() + ", expected " + e.replicas());
        }
        if (h.current() != h.min()) {
            return Check.fail(name, state + ": current replicas differ from the pin");
        }
        return Check.pass(name, "HPA " + h.name() + ": min = max = current = " + h.min());
    }

    public static Check provisioningRequest(PlatformSnapshot s, Expectations e, String release) {
        String name = "provisioning-request";
        Optional<ProvisioningState> pr = s.provisioningRequest();
        if (pr.isEmpty()) {
            return Boolean.TRUE.equals(e.dwsEnabled())
                    ? Check.fail(name, "DWS is enabled but no ProvisioningRequest is labelled "
                            + ChartContract.INSTANCE_LABEL + "=" + release)
                    : Check.skip(name, "DWS queued provisioning not enabled");
        }
        ProvisioningState p = pr.get();
        String why = p.explaining().map(Object::toString).orElse("no conditions yet");
        if (Boolean.FALSE.equals(e.dwsEnabled())) {
            return Check.warn(name, "DWS is disabled but ProvisioningRequest " + p.name() + " exists ("
                    + p.phase().name().toLowerCase() + ")");
        }
        return switch (p.phase()) {
            case PROVISIONED -> Check.pass(name, "ProvisioningRequest " + p.name() + " Provisioned");
            case BOOKING_EXPIRED -> bookingExpired(name, p, s, why);
            case FAILED -> Check.fail(name, "ProvisioningRequest " + p.name() + " failed: " + why);
            case ACCEPTED -> Check.fail(name, "ProvisioningRequest " + p.name()
                    + " accepted but not provisioned: " + why);
            case PENDING -> Check.fail(name, "ProvisioningRequest " + p.name() + " pending: " + why);
        };
    }

    /** Provisioned, then the booking ran out: PASS when the release's pods run on nodes (they consumed it). */
    private static Check bookingExpired(String name, ProvisioningState p, PlatformSnapshot s, String why) {
        long running = s.pods().stream()
                .filter(pod -> "Running".equals(pod.phase()) && pod.nodeName() != null && !pod.nodeName().isBlank()).count();
        if (running == 0) {
            return Check.fail(name, "ProvisioningRequest " + p.name() + " booking expired with no pod of the"
                    + " release running on a node: the provisioned capacity was not consumed (" + why + ")");
        }
        return Check.pass(name, "ProvisioningRequest " + p.name() + " Provisioned; booking expired after "
                + running + " pod(s) of the release started running on its nodes (capacity consumed; nodes stay until "
                + "maxRunDurationSeconds)");
    }

    static Check podsReady(PlatformSnapshot s, Expectations e) {
        String name = "pods-ready";
        List<String> notReady = s.pods().stream().filter(p -> !p.ready())
                .map(p -> p.name() + " (" + p.phase() + ")").toList();
        int expected = e.replicas() != null ? e.replicas() : s.deployment().map(d -> d.desired()).orElse(s.pods().size());
        long ready = s.pods().stream().filter(PodState::ready).count();
        if (!notReady.isEmpty()) {
            return Check.fail(name, ready + "/" + expected + " pods ready; not ready: " + String.join(", ", notReady));
        }
        if (ready != expected) {
            return Check.fail(name, ready + " pods ready, expected " + expected);
        }
        return Check.pass(name, ready + "/" + expected + " pods ready");
    }

    static Check onePodPerNode(PlatformSnapshot s) {
        String name = "one-pod-per-gpu-node";
        List<String> problems = new ArrayList<>();
        s.pods().stream().filter(p -> p.nodeName() == null || p.nodeName().isBlank())
                .forEach(p -> problems.add(p.name() + " not scheduled"));
        Map<String, List<String>> byNode = s.pods().stream().filter(p -> p.nodeName() != null && !p.nodeName().isBlank())
                .collect(Collectors.groupingBy(PodState::nodeName, LinkedHashMap::new,
                        Collectors.mapping(PodState::name, Collectors.toList())));
        byNode.forEach((node, pods) -> {
            if (pods.size() > 1) {
                problems.add("node " + node + " runs " + pods.size() + " pods (" + String.join(", ", pods) + ")");
            }
        });
        s.pods().stream().filter(p -> "".equals(p.nodeAccelerator()))
                .forEach(p -> problems.add(p.name() + " runs on " + p.nodeName() + ", a node without a GPU ("
                        + GkeApi.ACCELERATOR_LABEL + " not set)"));
        if (!problems.isEmpty()) {
            return Check.fail(name, String.join("; ", problems));
        }
        if (s.pods().isEmpty()) {
            return Check.fail(name, "no inference pods");
        }
        List<String> gpus = s.pods().stream().map(PodState::nodeAccelerator).filter(a -> a != null && !a.isEmpty())
                .distinct().toList();
        String what = gpus.isEmpty() ? " distinct nodes (node labels not readable)" : " distinct " + String.join("/", gpus) + " nodes";
        return Check.pass(name, s.pods().size() + " pods on " + byNode.size() + what);
    }

    static Check memoryLimit(PlatformSnapshot s, Expectations e) {
        String name = "memory-limit";
        List<String> problems = new ArrayList<>();
        for (PodState p : s.pods()) {
            Optional<ContainerState> c = p.inferenceContainer();
            if (c.isEmpty()) {
                problems.add(p.name() + " has no '" + ChartContract.OLLAMA_CONTAINER + "' or '" + ChartContract.VLLM_CONTAINER + "' container");
            } else if (c.get().memoryLimit() == null) {
                problems.add(p.name() + ": " + c.get().name() + " has no memory limit");
            } else if (e.memoryLimit() != null && !sameQuantity(c.get().memoryLimit(), e.memoryLimit())) {
                problems.add(p.name() + ": " + c.get().name() + " memory limit " + c.get().memoryLimit() + ", expected "
                        + e.memoryLimit());
            }
        }
        if (s.pods().isEmpty()) {
            return Check.skip(name, "no pods to inspect");
        }
        if (!problems.isEmpty()) {
            return Check.fail(name, String.join("; ", problems));
        }
        Optional<ContainerState> first = s.pods().get(0).inferenceContainer();
        return Check.pass(name, "every " + first.map(ContainerState::name).orElse("inference") + " container limited to "
                + first.map(ContainerState::memoryLimit).orElse("?"));
    }

    static boolean sameQuantity(String a, String b) {
        try {
            return Quantity.getAmountInBytes(new Quantity(a)).compareTo(Quantity.getAmountInBytes(new Quantity(b))) == 0;
        } catch (IllegalArgumentException ex) {
            return a.equals(b);
        }
    }

    static Check modelLoaded(PlatformSnapshot s, Expectations e) {
        String name = "model-loaded";
        if (s.pods().isEmpty()) {
            return Check.skip(name, "no pods to inspect");
        }
        String model = e.model() == null ? "the model" : e.model();
        List<String> missing = s.pods().stream().filter(p -> !p.model().loaded())
                .map(p -> p.name() + " (" + p.model().evidence() + ")").toList();
        if (!missing.isEmpty()) {
            return Check.fail(name, model + " not loaded in " + String.join(", ", missing));
        }
        String evidence = s.pods().get(0).model().evidence();
        return Check.pass(name, model + " loaded in " + s.pods().size() + "/" + s.pods().size()
                + " pods (" + evidence + ")");
    }

    static Check earlierRestarts(PlatformSnapshot s) {
        String name = "restarts-before-run";
        List<String> restarted = new ArrayList<>();
        for (PodState p : s.pods()) {
            for (ContainerState c : p.containers()) {
                if (c.restartCount() > 0) {
                    restarted.add(p.name() + "/" + c.name() + " " + c.restartCount() + "x"
                            + (c.lastTerminationReason() == null ? "" : ", last " + c.lastTerminationReason()));
                }
            }
        }
        return restarted.isEmpty()
                ? Check.pass(name, "no container has restarted")
                : Check.warn(name, "restarted before this run (not counted against it): "
                        + String.join("; ", restarted));
    }

    /** Checks on the run: restarts, OOM kills, evictions and readiness between the snapshots, and per-replica traffic. */
    /** {@code ownReads}: per pod, this tool's own requests to its gateway between the snapshots (not traffic). */
    public static List<Check> after(PlatformSnapshot before, PlatformSnapshot after, List<PodWatch.Observation> seen,
            Optional<String> watchFailure, Instant runStart, Expectations e, Map<String, Long> ownReads) {
        List<Check> checks = new ArrayList<>();
        checks.add(restartsDuringRun(before, after, seen));
        checks.add(evictions(before, after, seen, runStart));
        checks.add(readyThroughout(after, seen, watchFailure));
        checks.add(replicasServed(traffic(before, after, ownReads), e, after));
        return checks;
    }

    static Check restartsDuringRun(PlatformSnapshot before, PlatformSnapshot after, List<PodWatch.Observation> seen) {
        String name = "no-restarts-during-run";
        Map<String, PodState> old = byUid(before);
        List<String> problems = new ArrayList<>();
        for (PodState p : after.pods()) {
            PodState was = old.get(p.uid());
            if (was == null) {
                continue;
            }
            for (ContainerState c : p.containers()) {
                int prev = was.container(c.name()).map(ContainerState::restartCount).orElse(0);
                if (c.restartCount() > prev) {
                    int n = c.restartCount() - prev;
                    problems.add(p.name() + "/" + c.name() + (c.oomKilled() ? " OOM-killed" : " restarted")
                            + " " + n + "x during the run (last termination: "
                            + (c.lastTerminationReason() == null ? "unknown" : c.lastTerminationReason())
                            + (c.lastExitCode() == null ? "" : ", exit " + c.lastExitCode()) + ")");
                }
            }
        }
        // A pod that restarted and then disappeared is only in the watch.
        seen.stream().filter(o -> o.kind() == PodWatch.Observation.Kind.RESTARTED)
                .filter(o -> after.pods().stream().noneMatch(p -> p.name().equals(o.pod())))
                .forEach(o -> problems.add(o.pod() + " " + o.detail()));
        if (!problems.isEmpty()) {
            return Check.fail(name, String.join("; ", problems));
        }
        return Check.pass(name, "0 restarts, 0 OOM kills during the run");
    }

    static Check evictions(PlatformSnapshot before, PlatformSnapshot after, List<PodWatch.Observation> seen,
            Instant runStart) {
        String name = "no-evictions-or-replacements";
        Map<String, PodState> now = byUid(after);
        Map<String, PodState> old = byUid(before);
        List<String> problems = new ArrayList<>();
        before.pods().stream().filter(p -> !now.containsKey(p.uid())).forEach(p -> problems.add(p.name() + " gone"));
        after.pods().stream().filter(p -> !old.containsKey(p.uid())).forEach(p -> problems.add(p.name() + " new (replacement)"));
        // Event timestamps have second precision.
        Instant since = runStart.truncatedTo(ChronoUnit.SECONDS);
        after.evictions().stream().filter(ev -> !ev.at().isBefore(since))
                .forEach(ev -> problems.add(ev.podName() + " evicted" + (ev.message() == null ? "" : ": " + ev.message())));
        seen.stream().filter(o -> o.kind() == PodWatch.Observation.Kind.DELETED
                        && problems.stream().noneMatch(p -> p.startsWith(o.pod() + " ")))
                .forEach(o -> problems.add(o.pod() + " " + o.detail()));
        if (!problems.isEmpty()) {
            return Check.fail(name, String.join("; ", problems));
        }
        return Check.pass(name, "0 evictions, same " + after.pods().size() + " pods before and after");
    }

    static Check readyThroughout(PlatformSnapshot after, List<PodWatch.Observation> seen, Optional<String> watchFailure) {
        String name = "pods-ready-throughout";
        Map<String, Long> notReady = new LinkedHashMap<>();
        seen.stream().filter(o -> o.kind() == PodWatch.Observation.Kind.NOT_READY)
                .forEach(o -> notReady.merge(o.pod(), 1L, Long::sum));
        after.pods().stream().filter(p -> !p.ready()).forEach(p -> notReady.putIfAbsent(p.name(), 0L));
        String how = watchFailure.map(f -> " (" + f + "; readiness checked after the run only)").orElse(" (watched during the run)");
        if (!notReady.isEmpty()) {
            List<String> names = new ArrayList<>();
            notReady.forEach((pod, n) -> names.add(pod + (after.pods().stream().anyMatch(p -> p.name().equals(pod) && !p.ready())
                    ? " still not ready" : " not ready for a while")));
            return Check.fail(name, String.join("; ", names) + how);
        }
        return Check.pass(name, "all " + after.pods().size() + " pods stayed ready" + how);
    }

    /** Requests each replica's gateway served between the snapshots (pods matched by uid). */
    public static List<ReplicaTraffic> traffic(PlatformSnapshot before, PlatformSnapshot after) {
        return traffic(before, after, Map.of());
    }

    /** {@code ownReads}: per pod, the requests of this tool's own between the snapshots (the signal sampler's reads). */
    public static List<ReplicaTraffic> traffic(PlatformSnapshot before, PlatformSnapshot after, Map<String, Long> ownReads) {
        Map<String, PodState> old = byUid(before);
        List<ReplicaTraffic> out = new ArrayList<>();
        for (PodState p : after.pods()) {
            PodState was = old.get(p.uid());
            if (!p.requests().available()) {
                out.add(new ReplicaTraffic(p.name(), p.nodeName(), null, p.requests().unavailableReason()));
            } else if (was == null) {
                out.add(new ReplicaTraffic(p.name(), p.nodeName(), null, "pod created during the run"));
            } else if (!was.requests().available()) {
                out.add(new ReplicaTraffic(p.name(), p.nodeName(), null, "no counter before the run: "
                        + was.requests().unavailableReason()));
            } else if (p.requests().requests() < was.requests().requests()) {
                out.add(new ReplicaTraffic(p.name(), p.nodeName(), null, "counter reset (gateway restarted)"));
            } else {
                long served = p.requests().requests() - was.requests().requests() - OWN_SCRAPES_BETWEEN_SNAPSHOTS
                        - ownReads.getOrDefault(p.name(), 0L);
                out.add(new ReplicaTraffic(p.name(), p.nodeName(), Math.max(0, served), null));
            }
        }
        return out;
    }

    static Check replicasServed(List<ReplicaTraffic> traffic, Expectations e, PlatformSnapshot after) {
        String name = "all-replicas-served";
        int expected = e.replicas() != null ? e.replicas() : after.deployment().map(d -> d.desired()).orElse(after.pods().size());
        List<ReplicaTraffic> known = traffic.stream().filter(ReplicaTraffic::known).toList();
        if (known.isEmpty()) {
            String why = traffic.isEmpty() ? "no pods" : traffic.get(0).unknownReason();
            return Check.skip(name, "per-replica traffic not measurable: " + why);
        }
        List<String> idle = known.stream().filter(t -> !t.servedTraffic()).map(ReplicaTraffic::pod).toList();
        long served = known.stream().filter(ReplicaTraffic::servedTraffic).count();
        List<String> unknown = traffic.stream().filter(t -> !t.known()).map(t -> t.pod() + " (" + t.unknownReason() + ")").toList();
        String range = known.stream().filter(ReplicaTraffic::servedTraffic).mapToLong(ReplicaTraffic::served).summaryStatistics()
                .getCount() == 0 ? "" : ", " + minMax(known) + " requests each";
        String detail = served + "/" + expected + " replicas served traffic" + range
                + (idle.isEmpty() ? "" : "; idle: " + String.join(", ", idle))
                + (unknown.isEmpty() ? "" : "; not measured: " + String.join(", ", unknown));
        return served >= expected && idle.isEmpty()
                ? Check.pass(name, detail)
                : Check.fail(name, detail);
    }

    private static String minMax(List<ReplicaTraffic> known) {
        var stats = known.stream().filter(ReplicaTraffic::servedTraffic).mapToLong(ReplicaTraffic::served).summaryStatistics();
        return stats.getMin() == stats.getMax() ? String.valueOf(stats.getMin()) : stats.getMin() + "-" + stats.getMax();
    }

    /** The load's own verdict: its SLOs (the same ones {@code loadtest --slo} applies). */
    public static Check load(LoadOutcome load) {
        String name = "load-slo";
        if (load.result().requests().total() == 0) {
            return Check.fail(name, "no request completed during the run");
        }
        String detail = load.sloResults().isEmpty()
                ? String.format(java.util.Locale.ROOT, "%d/%d requests succeeded (no SLO given)",
                        load.result().requests().succeeded(), load.result().requests().total())
                : String.join("; ", load.sloResults());
        return load.sloMet() ? Check.pass(name, detail) : Check.fail(name, detail);
    }

    private static Map<String, PodState> byUid(PlatformSnapshot s) {
        return s.pods().stream().collect(Collectors.toMap(PodState::uid, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }
}
