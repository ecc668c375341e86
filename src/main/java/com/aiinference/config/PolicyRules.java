package com.aiinference.config;

import static com.aiinference.config.ConfigKeys.*;

import com.aiinference.core.Check;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rules across keys that GKE, the scheduler or DWS would otherwise enforce late (a pod that never schedules, a node
 * pool request GKE rejects, an OOM-killed replica). Each rule yields a {@link Check}; a failure names the
 * key, the value and the rule. {@code pulumi up} refuses a config with any failed rule before registering anything;
 * {@code plan} reports all of them.
 */
public final class PolicyRules {
    /**
     * The gateway sidecar's resources: the stack does not set {@code gateway.resources}, so the chart's defaults in
     * charts/ai-inference/values.yaml apply (PolicyRulesTest reads them there and fails when they change).
     */
    static final Quantity GATEWAY_CPU = Quantity.parse("500m").orElseThrow();
    static final Quantity GATEWAY_MEMORY_REQUEST = Quantity.parse("128Mi").orElseThrow();
    static final Quantity GATEWAY_MEMORY_LIMIT = Quantity.parse("128Mi").orElseThrow();
    /** First Ollama release with the CVE-2026-7482 fix; the chart refuses older tags (validate.image). */
    static final String OLLAMA_MINIMUM = "0.17.1";

    private final Settings s;
    private final List<Check> checks = new ArrayList<>();

    private PolicyRules(Settings s) {
        this.s = s;
    }

    public static List<Check> check(Settings settings) {
        PolicyRules r = new PolicyRules(settings);
        r.run();
        return List.copyOf(r.checks);
    }

    /** Parses and checks, throwing on any problem: what {@code App.stack} does before creating anything. */
    public static Settings requireValid(String project, java.util.Map<String, String> config,
                                        java.util.Set<String> secretKeys) {
        Settings settings = SettingsParser.parse(project, config, secretKeys);
        List<String> failures = check(settings).stream().filter(Check::failed).map(Check::message).toList();
        if (!failures.isEmpty()) {
            throw new InvalidConfigException(failures);
        }
        return settings;
    }

    private void run() {
        var pool = s.gpuPool();
        var w = s.workload();
        MachineShape m = pool.machine();

        // --- the machine and its GPUs ---
        if (!m.hasGpus() || !m.acceleratorType().equals(pool.acceleratorType())) {
            fail("accelerator-fits-machine", k(ACCELERATOR_TYPE) + " " + pool.acceleratorType() + " cannot be attached to "
                    + m.name() + (m.hasGpus() ? " (" + m.family() + " machines carry " + m.acceleratorType() + ")"
                    : " (a machine without GPUs; use g2-standard-* for nvidia-l4)"));
        } else if (pool.acceleratorsPerNode() != m.acceleratorCount()) {
            fail("accelerator-fits-machine", k(ACCELERATORS_PER_NODE) + " " + pool.acceleratorsPerNode() + " does not match "
                    + m.name() + ", which has " + m.acceleratorCount() + " x " + m.acceleratorType());
        } else {
            pass("accelerator-fits-machine", m.name() + " carries " + m.acceleratorCount() + " x " + m.acceleratorType());
        }
        if (w.gpusPerPod() < 1) {
            fail("gpus-per-pod", k(GPUS_PER_POD) + " " + w.gpusPerPod() + " must be at least 1");
        } else if (w.gpusPerPod() > pool.acceleratorsPerNode()) {
            fail("gpus-per-pod", k(GPUS_PER_POD) + " " + w.gpusPerPod() + " exceeds the " + pool.acceleratorsPerNode()
                    + " GPU(s) of one " + m.name() + " node");
        } else {
            pass("gpus-per-pod", w.gpusPerPod() + " GPU(s) per pod on " + pool.acceleratorsPerNode() + " per node");
        }

        // --- memory and CPU against the node's allocatable: the whole pod, gateway sidecar included ---
        boolean gw = s.service().gatewayEnabled();
        BigDecimal allocatable = m.allocatableMemoryBytes();
        BigDecimal usable = allocatable.subtract(pool.daemonSetMemory().value());
        String alloc = Quantity.formatGiB(allocatable);
        String room = "the " + alloc + " allocatable on " + m.name()
                + (pool.daemonSetMemory().isPositive() ? " less " + pool.daemonSetMemory() + " for DaemonSets ("
                + Quantity.formatGiB(usable) + ")" : "");
        BigDecimal podMemoryLimit = w.memoryLimit().value().add(gw ? GATEWAY_MEMORY_LIMIT.value() : BigDecimal.ZERO);
        String memoryLimit = k(MEMORY_LIMIT) + " " + w.memoryLimit() + (gw ? " plus the gateway's "
                + GATEWAY_MEMORY_LIMIT + " (" + k(GATEWAY_ENABLED) + " true) = " + Quantity.formatGiB(podMemoryLimit) : "");
        if (podMemoryLimit.compareTo(allocatable) > 0) {
            fail("memory-limit-fits-node", memoryLimit + " exceeds the " + alloc + " allocatable on " + m.name());
        } else if (podMemoryLimit.compareTo(usable) > 0) {
            fail("memory-limit-fits-node", memoryLimit + " exceeds " + room);
        } else {
            pass("memory-limit-fits-node", "memoryLimit " + w.memoryLimit()
                    + (gw ? " + gateway " + GATEWAY_MEMORY_LIMIT : "") + " fits " + room);
        }
        if (w.memoryRequest().compareTo(w.memoryLimit()) > 0) {
            fail("memory-request-within-limit", k(MEMORY_REQUEST) + " " + w.memoryRequest() + " exceeds "
                    + k(MEMORY_LIMIT) + " " + w.memoryLimit());
        } else {
            pass("memory-request-within-limit", "memoryRequest " + w.memoryRequest() + " <= memoryLimit " + w.memoryLimit()
                    + (w.memoryRequest().compareTo(w.memoryLimit()) == 0 ? " (Guaranteed QoS)" : ""));
        }
        BigDecimal cpu = m.allocatableCpu();
        BigDecimal cpuUsable = cpu.subtract(pool.daemonSetCpu().value());
        String cpuRoom = "the " + cores(cpu) + " CPU allocatable on " + m.name()
                + (pool.daemonSetCpu().isPositive() ? " less " + pool.daemonSetCpu() + " for DaemonSets ("
                + cores(cpuUsable) + ")" : "");
        // The Ollama container's CPU limit is its request (the chart's limits.cpu ""), and the gateway's request
        // equals its limit, so the pod's CPU request is also its limit.
        BigDecimal podCpu = w.cpuRequest().value().add(gw ? GATEWAY_CPU.value() : BigDecimal.ZERO);
        String cpuRequest = k(CPU_REQUEST) + " " + w.cpuRequest() + (gw ? " plus the gateway's " + GATEWAY_CPU
                + " (" + k(GATEWAY_ENABLED) + " true) = " + cores(podCpu) : "");
        if (podCpu.compareTo(cpu) > 0) {
            fail("cpu-request-fits-node", cpuRequest + " exceeds the " + cores(cpu) + " CPU allocatable on " + m.name());
        } else if (podCpu.compareTo(cpuUsable) > 0) {
            fail("cpu-request-fits-node", cpuRequest + " exceeds " + cpuRoom);
        } else {
            pass("cpu-request-fits-node", "cpuRequest " + w.cpuRequest() + (gw ? " + gateway " + GATEWAY_CPU : "")
                    + " fits " + cpuRoom);
        }

        // --- the Ollama image: the chart refuses releases before the CVE-2026-7482 fix ---
        if (w.imageTag().isEmpty()) {
            pass("ollama-image-version", "the chart's pinned appVersion (0.17.1 or later)");
        } else {
            rule("ollama-image-version", compareRelease(w.imageTag(), OLLAMA_MINIMUM) >= 0,
                    k(IMAGE_TAG) + " " + w.imageTag() + " is older than Ollama " + OLLAMA_MINIMUM
                            + ", which fixes CVE-2026-7482 (unauthenticated heap read through /api/create)",
                    "Ollama " + w.imageTag() + " >= " + OLLAMA_MINIMUM);
        }

        // --- replicas and the HPA against the pool ---
        int capacity = pool.gpuCapacity() / Math.max(1, w.gpusPerPod());
        String holds = "the " + pool.maxNodes() + " x " + m.name() + " pool holds " + capacity + " pod(s) of "
                + Math.max(1, w.gpusPerPod()) + " GPU";
        if (w.replicas() < 1) {
            fail("replicas-fit-pool", k(REPLICAS) + " " + w.replicas() + " must be at least 1");
        } else if (w.replicas() > capacity) {
            fail("replicas-fit-pool", k(REPLICAS) + " " + w.replicas() + " exceeds what " + holds);
        } else if (w.hpaEnabled() && w.hpaMaxReplicas() > capacity) {
            fail("replicas-fit-pool", k(HPA_MAX_REPLICAS) + " " + w.hpaMaxReplicas() + " exceeds what " + holds);
        } else {
            pass("replicas-fit-pool", "at most " + w.peakReplicas() + " replica(s); " + holds);
        }
        if (!w.hpaEnabled()) {
            pass("hpa-bounds", "no HPA: " + w.replicas() + " fixed replica(s)");
        } else if (w.hpaMinReplicas() < 1) {
            fail("hpa-bounds", k(HPA_MIN_REPLICAS) + " " + w.hpaMinReplicas() + " must be at least 1");
        } else if (w.hpaMinReplicas() > w.hpaMaxReplicas()) {
            fail("hpa-bounds", k(HPA_MIN_REPLICAS) + " " + w.hpaMinReplicas() + " exceeds " + k(HPA_MAX_REPLICAS)
                    + " " + w.hpaMaxReplicas());
        } else if (w.hpaPinned() && w.hpaMinReplicas() != w.hpaMaxReplicas()) {
            fail("hpa-bounds", k(HPA_MIN_REPLICAS) + " " + w.hpaMinReplicas() + " differs from " + k(HPA_MAX_REPLICAS)
                    + " " + w.hpaMaxReplicas() + " but " + k(HPA_PINNED) + " is true (a pinned HPA has min = max)");
        } else if (w.hpaMinReplicas() == w.hpaMaxReplicas() && w.replicas() != w.hpaMinReplicas()) {
            // The chart treats min = max as pinned whatever hpaPinned says, and refuses a replicaCount that differs.
            fail("hpa-bounds", k(REPLICAS) + " " + w.replicas() + " differs from the pinned HPA's "
                    + w.hpaMinReplicas() + " (" + k(HPA_MIN_REPLICAS) + ")");
        } else {
            pass("hpa-bounds", w.hpaPinned() ? "HPA pinned at " + w.hpaMinReplicas()
                    : "HPA " + w.hpaMinReplicas() + ".." + w.hpaMaxReplicas());
        }
        if (w.numParallel() < 1) {
            fail("num-parallel", k(NUM_PARALLEL) + " " + w.numParallel() + " must be at least 1");
        } else if (w.numParallel() > (s.engine().isVllm() ? 1024 : 64)) {
            // The chart's schema caps ollama.numParallel at 64 and vllm.maxNumSeqs at 1024.
            fail("num-parallel", k(NUM_PARALLEL) + " " + w.numParallel() + " exceeds the chart's maximum of "
                    + (s.engine().isVllm() ? "1024 (vllm.maxNumSeqs)" : "64"));
        } else {
            pass("num-parallel", (s.engine().isVllm() ? "vLLM --max-num-seqs " : "OLLAMA_NUM_PARALLEL ") + w.numParallel()
                    + " x " + w.peakReplicas() + " replica(s) = " + (long) w.numParallel() * w.peakReplicas()
                    + " requests in flight");
        }
        if (w.numParallel() >= 1 && w.numParallel() <= (s.engine().isVllm() ? 1024 : 64)) {
            checks.add(GpuFit.check(s));
        } else {
            checks.add(Check.skip(GpuFit.CHECK, "not judged: " + k(NUM_PARALLEL) + " is out of range"));
        }

        // --- DWS queued provisioning: what GKE rejects on such a pool ---
        if (pool.minNodes() > pool.maxNodes()) {
            fail("gpu-autoscaling-bounds", k(GPU_MIN_NODES) + " " + pool.minNodes() + " exceeds " + k(GPU_NODE_COUNT)
                    + " " + pool.maxNodes());
        } else {
            pass("gpu-autoscaling-bounds", "GPU pool autoscales " + pool.minNodes() + ".." + pool.maxNodes() + " nodes");
        }
        gpuProvisioning();
        if (pool.queuedProvisioning()) {
            // FACTS.md (GKE provisioningrequest how-to): current GKE creates queued pools with both
            // --enable-queued-provisioning and --flex-start (the program sends both for gpuProvisioning queued).
            rule("dws-min-nodes", pool.minNodes() == 0,
                    k(GPU_MIN_NODES) + " " + pool.minNodes() + " must be 0 with " + k(GPU_PROVISIONING)
                            + " queued (nodes only come through a ProvisioningRequest)",
                    "queued pool starts at 0 nodes");
            rule("dws-no-compact-placement", !pool.compactPlacement(),
                    k(COMPACT_PLACEMENT) + " true is not allowed with " + k(GPU_PROVISIONING) + " queued",
                    "no compact placement");
            // Mirrors the chart's validate.dws: the ProvisioningRequest asks for a fixed node count.
            rule("dws-fixed-replicas", !w.hpaEnabled() || w.hpaMinReplicas() == w.hpaMaxReplicas(),
                    k(GPU_PROVISIONING) + " queued provisions a fixed set of nodes, but the HPA ranges "
                            + w.hpaMinReplicas() + ".." + w.hpaMaxReplicas() + " (" + k(HPA_MIN_REPLICAS) + ", "
                            + k(HPA_MAX_REPLICAS) + "); set them equal or " + k(HPA_ENABLED) + " false",
                    w.hpaEnabled() ? "HPA pinned at " + w.hpaMinReplicas() + " for the provisioned nodes"
                            : w.replicas() + " fixed replica(s) for the provisioned nodes");
            rule("dws-no-auto-repair", !pool.autoRepair(),
                    k(GPU_AUTO_REPAIR) + " true is not allowed with " + k(GPU_PROVISIONING)
                            + " queued (GKE rejects auto-repair on queued pools)",
                    "auto-repair off");
        }
        if (pool.queuedProvisioning() || pool.flexStart()) {
            GkeVersionPin v = s.cluster().version();
            String floor = GkeVersion.DWS_MINIMUM + ", the minimum for queued provisioning on flex-start";
            switch (v.against(GkeVersion.DWS_MINIMUM)) {
                case -1 -> fail("dws-gke-version", k(GKE_VERSION) + " " + v.text() + " is below " + floor);
                case 1 -> pass("dws-gke-version", "GKE " + v.text() + " >= " + GkeVersion.DWS_MINIMUM);
                default -> pass("dws-gke-version", (v.kind() == GkeVersionPin.Kind.MINOR ? "GKE " + v.text()
                        + " resolved" : "the " + s.cluster().releaseChannel() + " channel's default version")
                        + " is checked against " + GkeVersion.DWS_MINIMUM + " at deploy time, before the cluster is created");
            }
            rule("dws-max-run-duration", pool.maxRunDurationSeconds() <= 604800,
                    k(DWS_MAX_RUN_DURATION) + " " + pool.maxRunDurationSeconds() + " exceeds DWS's 7-day maximum (604800)",
                    "nodes live at most " + pool.maxRunDurationSeconds() + "s (" + pool.maxRunDurationSeconds() / 3600 + "h)");
        }
        rule("gpu-driver-image", !"LATEST".equals(pool.driverVersion()) || "COS_CONTAINERD".equals(pool.imageType()),
                k(GPU_DRIVER_VERSION) + " LATEST needs " + k(GPU_IMAGE_TYPE) + " COS_CONTAINERD, not " + pool.imageType(),
                "driver " + pool.driverVersion() + " on " + pool.imageType());

        // --- network ranges and exposure ---
        if (s.network().createsNetwork()) {
            networkRanges();
        }
        exposure();
    }

    /**
     * Each provisioning mode's rules (GKE facts): where the nodes come from, what GKE refuses on such a pool, and what
     * replaces a lost node. Only queued provisioning renews through a new ProvisioningRequest ({@code dwsGeneration}).
     */
    private void gpuProvisioning() {
        var pool = s.gpuPool();
        String mode = k(GPU_PROVISIONING) + " " + pool.provisioning().configName();
        if (!pool.reservation().isEmpty() && pool.provisioning() != Settings.Provisioning.RESERVATION) {
            fail("gpu-provisioning", k(GPU_RESERVATION) + " " + pool.reservation() + " is only used with "
                    + k(GPU_PROVISIONING) + " reservation (it is " + pool.provisioning().configName() + ")");
            return;
        }
        if (pool.dwsGeneration() != 1 && !pool.queuedProvisioning()) {
            fail("gpu-provisioning", k(DWS_GENERATION) + " " + pool.dwsGeneration() + " names a new ProvisioningRequest, "
                    + "which only " + k(GPU_PROVISIONING) + " queued has (it is " + pool.provisioning().configName() + ")");
            return;
        }
        switch (pool.provisioning()) {
            case QUEUED -> pass("gpu-provisioning", mode + ": all " + pool.maxNodes() + " nodes at once through "
                    + "ProvisioningRequest generation " + pool.dwsGeneration() + ", removed after "
                    + pool.maxRunDurationSeconds() / 3600 + "h; a lost node is not replaced until a new request");
            case FLEX_START -> rule("gpu-provisioning", !pool.compactPlacement(),
                    k(COMPACT_PLACEMENT) + " true is not allowed with " + mode + " (flex-start VMs take no placement policy)",
                    mode + ": the autoscaler adds flex-start VMs one by one (0.." + pool.maxNodes()
                            + "), each removed after at most 7 days and replaced while pods need it");
            case ON_DEMAND -> pass("gpu-provisioning", mode + ": the autoscaler keeps " + pool.minNodes() + ".."
                    + pool.maxNodes() + " on-demand nodes and replaces lost ones (needs on-demand L4 quota and capacity)");
            case SPOT -> pass("gpu-provisioning", mode + ": preemptible Spot VMs, " + pool.minNodes() + ".."
                    + pool.maxNodes() + "; GKE may reclaim any node at any time and the autoscaler replaces it");
            case RESERVATION -> {
                if (pool.reservation().isEmpty()) {
                    fail("gpu-provisioning", mode + " needs " + k(GPU_RESERVATION) + " (the reservation's name)");
                } else if (s.gcp().gpuZones().size() != 1) {
                    fail("gpu-provisioning", mode + " needs exactly one " + k(GPU_ZONES)
                            + " entry, the zone of reservation " + pool.reservation() + " (it is "
                            + s.gcp().gpuZones() + ")");
                } else {
                    pass("gpu-provisioning", mode + ": nodes consume reservation " + pool.reservation() + " in "
                            + s.gcp().gpuZones().get(0) + " (SPECIFIC_RESERVATION), replaced from it while it lasts");
                }
            }
        }
    }

    private void networkRanges() {
        var n = s.network();
        Optional<Cidr> subnet = Cidr.parse(n.subnetCidr());
        Optional<Cidr> pods = Cidr.parse(n.podsCidr());
        Optional<Cidr> services = Cidr.parse(n.servicesCidr());
        if (subnet.get().overlaps(pods.get())) {
            fail("network-ranges-disjoint", k(PODS_CIDR) + " " + n.podsCidr() + " overlaps " + k(SUBNET_CIDR) + " " + n.subnetCidr());
        } else if (subnet.get().overlaps(services.get())) {
            fail("network-ranges-disjoint", k(SERVICES_CIDR) + " " + n.servicesCidr() + " overlaps " + k(SUBNET_CIDR) + " " + n.subnetCidr());
        } else if (pods.get().overlaps(services.get())) {
            fail("network-ranges-disjoint", k(SERVICES_CIDR) + " " + n.servicesCidr() + " overlaps " + k(PODS_CIDR) + " " + n.podsCidr());
        } else {
            pass("network-ranges-disjoint", "nodes " + n.subnetCidr() + ", pods " + n.podsCidr() + ", services " + n.servicesCidr());
        }
    }

    /**
     * The chart's validate.exposure and validate.gateway rules (charts/ai-inference/templates/_helpers.tpl), named
     * by config key, so {@code pulumi up} stops before the network and cluster exist rather than at the Release.
     */
    private void exposure() {
        var svc = s.service();
        List<String> ranges = svc.loadBalancerSourceRanges();
        boolean publicLb = svc.isLoadBalancer() && !svc.internal();
        if (svc.internal() && !svc.isLoadBalancer()) {
            fail("service-options", k(INTERNAL_LB) + " true needs " + k(SERVICE_TYPE) + " LoadBalancer (it is "
                    + svc.type() + ")");
        } else if (svc.internal() && svc.allowPublicAccess()) {
            fail("service-options", k(INTERNAL_LB) + " true and " + k(ALLOW_PUBLIC_ACCESS)
                    + " true contradict each other; choose one");
        } else if (!ranges.isEmpty() && !svc.isLoadBalancer()) {
            fail("service-options", k(LB_SOURCE_RANGES) + " " + String.join(", ", ranges) + " only applies to "
                    + k(SERVICE_TYPE) + " LoadBalancer (it is " + svc.type() + ")");
        } else {
            pass("service-options", svc.type() + (svc.internal() ? " (internal)" : "") + " on port " + svc.port());
        }

        if (!svc.isLoadBalancer()) {
            pass("public-exposure", "ClusterIP Service: not exposed outside the cluster");
        } else if (svc.internal()) {
            pass("public-exposure", "internal LoadBalancer: reachable from the VPC only");
        } else {
            boolean anywhere = ranges.stream().map(Cidr::parse).flatMap(Optional::stream).anyMatch(Cidr::isAnywhere);
            if (anywhere && !svc.allowPublicAccess()) {
                fail("public-exposure", k(LB_SOURCE_RANGES) + " 0.0.0.0/0 opens the endpoint to the internet; set "
                        + k(ALLOW_PUBLIC_ACCESS) + " true to mean it");
            } else if (ranges.isEmpty() && !svc.allowPublicAccess()) {
                fail("public-exposure", k(LB_SOURCE_RANGES) + " [] leaves a public LoadBalancer open to everyone; list the client CIDRs, or set "
                        + k(INTERNAL_LB) + " true, or " + k(ALLOW_PUBLIC_ACCESS) + " true");
            } else if (svc.allowPublicAccess() && ranges.isEmpty()) {
                pass("public-exposure", "public LoadBalancer open to 0.0.0.0/0 (allowPublicAccess)");
            } else {
                pass("public-exposure", "public LoadBalancer limited to " + String.join(", ", ranges));
            }
        }

        if (svc.gatewayEnabled()) {
            pass("gateway", "gateway forwards only the inference API"
                    + (svc.createsApiKeySecret() || !svc.apiKeysSecret().isEmpty() ? " and checks API keys" : ""));
        } else if (publicLb) {
            fail("gateway", k(GATEWAY_ENABLED) + " false on a public LoadBalancer would expose the whole Ollama API "
                    + "(pull, create, push, delete); keep the gateway, or set " + k(INTERNAL_LB) + " true or "
                    + k(SERVICE_TYPE) + " ClusterIP");
        } else if (!svc.apiKeysSecret().isEmpty()) {
            fail("gateway", k(API_KEYS_SECRET) + " " + svc.apiKeysSecret() + " needs " + k(GATEWAY_ENABLED)
                    + " true: the gateway checks the keys");
        } else if (svc.createsApiKeySecret()) {
            fail("gateway", k(API_KEYS) + " needs " + k(GATEWAY_ENABLED) + " true: the gateway checks the keys");
        } else {
            pass("gateway", "gateway off: the whole Ollama API is reachable " + (svc.isLoadBalancer()
                    ? "from the VPC" : "inside the cluster"));
        }
    }

    /** Compares two exact x.y.z releases numerically (the parser has checked the form). */
    public static int compareRelease(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String cores(BigDecimal cpu) {
        return cpu.stripTrailingZeros().toPlainString();
    }

    private void rule(String name, boolean ok, String failure, String success) {
        checks.add(ok ? Check.pass(name, success) : Check.fail(name, failure));
    }

    private void pass(String name, String message) {
        checks.add(Check.pass(name, message));
    }

    private void fail(String name, String message) {
        checks.add(Check.fail(name, message));
    }

    private String k(ConfigKey key) {
        return s.key(key);
    }
}
