package com.aiinference.config;

import static com.aiinference.config.ConfigKeys.*;

import com.aiinference.core.Check;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.maven.artifact.versioning.ComparableVersion;

/**
 * Rules across keys that GKE, the scheduler or DWS would otherwise enforce late (a pod that never schedules, a node
 * pool request GKE rejects, an OOM-killed replica): only what the chart cannot know (node allocatable memory and CPU,
 * GKE and DWS limits, CIDR overlap). The chart's own rules stay in the chart ({@code stack.ChartValidation} asks it).
 * Each rule yields a {@link Check}; a failure names the key, the value and the rule. {@code pulumi up} refuses a
 * config with any failed rule before registering anything ({@code stack.StackRules}); {@code plan} reports them all.
 */
public final class PolicyRules {
    /**
     * The gateway sidecar's resources as the chart renders them (the stack reads them from the rendered pod, so they
     * are the chart's numbers, never a copy): CPU request (= its limit) and memory limit.
     */
    public record Sidecar(Quantity cpu, Quantity memoryLimit) {}

    /**
     * What the chart said of the release's values, as these rules need it: the gateway container it renders and the
     * keys whose values it refused. A rule whose inputs the chart refused waits for the chart (its bounds, such as
     * the numParallel caps, live only in the chart's schema).
     *
     * @param gateway the gateway container's resources in the rendered pod; empty when the chart did not render (then
     *     the node-fit rules are not checked when the gateway is on: the chart's refusal is reported instead)
     * @param refused the keys whose values the chart refused
     */
    public record ChartVerdict(Optional<Sidecar> gateway, Set<ConfigKey> refused) {
        public ChartVerdict {
            refused = Set.copyOf(refused);
        }
    }

    /** The keys the GPU-fit judgement reads: it needs values the chart accepts. */
    private static final List<ConfigKey> GPU_FIT_INPUTS = List.of(MODEL, NUM_PARALLEL, CONTEXT_LENGTH,
            GPU_MEMORY_UTILIZATION, DTYPE, QUANTIZATION);

    private final Settings s;
    private final ChartVerdict chart;
    private final Optional<Sidecar> gateway;
    private final List<Check> checks = new ArrayList<>();

    private PolicyRules(Settings s, ChartVerdict chart) {
        this.s = s;
        this.chart = chart;
        this.gateway = chart.gateway();
    }

    public static List<Check> check(Settings settings, ChartVerdict chart) {
        PolicyRules r = new PolicyRules(settings, chart);
        r.run();
        return List.copyOf(r.checks);
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
        if (w.gpusPerPod() > pool.acceleratorsPerNode()) {
            fail("gpus-per-pod", k(GPUS_PER_POD) + " " + w.gpusPerPod() + " exceeds the " + pool.acceleratorsPerNode()
                    + " GPU(s) of one " + m.name() + " node");
        } else {
            pass("gpus-per-pod", w.gpusPerPod() + " GPU(s) per pod on " + pool.acceleratorsPerNode() + " per node");
        }

        // --- memory and CPU against the node's allocatable: the whole pod, gateway sidecar included ---
        boolean gw = s.service().gatewayEnabled();
        if (gw && gateway.isEmpty()) {
            skip("memory-limit-fits-node", "not checked: the chart did not render the pod (see chart-accepts-values)");
            skip("cpu-request-fits-node", "not checked: the chart did not render the pod (see chart-accepts-values)");
        } else {
            podFitsNode(gw);
        }

        // --- replicas and the HPA against the pool ---
        int capacity = pool.gpuCapacity() / Math.max(1, w.gpusPerPod());
        String holds = "the " + pool.maxNodes() + " x " + m.name() + " pool holds " + capacity + " pod(s) of "
                + Math.max(1, w.gpusPerPod()) + " GPU";
        if (w.replicas() > capacity) {
            fail("replicas-fit-pool", k(REPLICAS) + " " + w.replicas() + " exceeds what " + holds);
        } else if (w.hpaEnabled() && w.hpaMaxReplicas() > capacity) {
            fail("replicas-fit-pool", k(HPA_MAX_REPLICAS) + " " + w.hpaMaxReplicas() + " exceeds what " + holds);
        } else {
            pass("replicas-fit-pool", "at most " + w.peakReplicas() + " replica(s); " + holds);
        }
        // hpaPinned is the stack's own idea (the chart only sees min and max): a pinned HPA has min = max.
        rule("hpa-pinned", !w.hpaEnabled() || !w.hpaPinned() || w.hpaMinReplicas() == w.hpaMaxReplicas(),
                k(HPA_MIN_REPLICAS) + " " + w.hpaMinReplicas() + " differs from " + k(HPA_MAX_REPLICAS)
                        + " " + w.hpaMaxReplicas() + " but " + k(HPA_PINNED) + " is true (a pinned HPA has min = max)",
                !w.hpaEnabled() ? "no HPA" : w.hpaPinned() ? "HPA pinned at " + w.hpaMinReplicas() : "HPA not pinned");
        // The GPU-fit judgement needs values the chart accepts (its schema bounds numParallel per engine).
        Optional<ConfigKey> refused = GPU_FIT_INPUTS.stream().filter(chart.refused()::contains).findFirst();
        if (refused.isEmpty()) {
            checks.add(GpuFit.check(s));
        } else {
            checks.add(Check.skip(GpuFit.CHECK, "not judged: the chart refuses " + k(refused.get())
                    + " (see chart-accepts-values)"));
        }

        // vLLM downloads from Hugging Face in the pod: a gated repository without a token fails there, hours after
        // `pulumi up`. A warning, not a refusal: the token may be set as a secret before the pods start.
        if (s.engine().isVllm()) {
            String model = w.model();
            if (!KnownModels.gatedOnHuggingFace(model)) {
                pass("hf-model-access", model + " is not from an organisation that gates its models on Hugging Face");
            } else if (s.engine().hfToken().values().isEmpty()) {
                checks.add(Check.warn("hf-model-access", model + " is gated on Hugging Face and " + k(HF_TOKEN)
                        + " is not set: the pods cannot download it; pulumi config set --secret hfToken <token of an "
                        + "account that accepted the model's license>"));
            } else {
                pass("hf-model-access", model + " is gated on Hugging Face; " + k(HF_TOKEN) + " is set (a Secret the "
                        + "stack creates)");
            }
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
            // Current GKE creates queued pools with both --enable-queued-provisioning and --flex-start (GKE's how-to,
            // docs.cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest); the program sends both.
            rule("dws-min-nodes", pool.minNodes() == 0,
                    k(GPU_MIN_NODES) + " " + pool.minNodes() + " must be 0 with " + k(GPU_PROVISIONING)
                            + " queued (nodes only come through a ProvisioningRequest)",
                    "queued pool starts at 0 nodes");
            rule("dws-no-compact-placement", !pool.compactPlacement(),
                    k(COMPACT_PLACEMENT) + " true is not allowed with " + k(GPU_PROVISIONING) + " queued",
                    "no compact placement");
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
        }
        rule("gpu-driver-image", !"LATEST".equals(pool.driverVersion()) || "COS_CONTAINERD".equals(pool.imageType()),
                k(GPU_DRIVER_VERSION) + " LATEST needs " + k(GPU_IMAGE_TYPE) + " COS_CONTAINERD, not " + pool.imageType(),
                "driver " + pool.driverVersion() + " on " + pool.imageType());

        // --- network ranges ---
        if (s.network().createsNetwork()) {
            networkRanges();
        }
    }

    /** The pod's memory limit and CPU request (Ollama plus the gateway the chart adds) against the node's allocatable. */
    private void podFitsNode(boolean gw) {
        var pool = s.gpuPool();
        var w = s.workload();
        MachineShape m = pool.machine();
        Quantity gatewayMemory = gateway.map(Sidecar::memoryLimit).orElse(Quantity.parse("0").orElseThrow());
        Quantity gatewayCpu = gateway.map(Sidecar::cpu).orElse(Quantity.parse("0").orElseThrow());
        BigDecimal allocatable = m.allocatableMemoryBytes();
        BigDecimal usable = allocatable.subtract(pool.daemonSetMemory().value());
        String alloc = Quantity.formatGiB(allocatable);
        String room = "the " + alloc + " allocatable on " + m.name()
                + (pool.daemonSetMemory().isPositive() ? " less " + pool.daemonSetMemory() + " for DaemonSets ("
                + Quantity.formatGiB(usable) + ")" : "");
        BigDecimal podMemoryLimit = w.memoryLimit().value().add(gw ? gatewayMemory.value() : BigDecimal.ZERO);
        String memoryLimit = k(MEMORY_LIMIT) + " " + w.memoryLimit() + (gw ? " plus the gateway's "
                + gatewayMemory + " (" + k(GATEWAY_ENABLED) + " true) = " + Quantity.formatGiB(podMemoryLimit) : "");
        if (podMemoryLimit.compareTo(allocatable) > 0) {
            fail("memory-limit-fits-node", memoryLimit + " exceeds the " + alloc + " allocatable on " + m.name());
        } else if (podMemoryLimit.compareTo(usable) > 0) {
            fail("memory-limit-fits-node", memoryLimit + " exceeds " + room);
        } else {
            pass("memory-limit-fits-node", "memoryLimit " + w.memoryLimit()
                    + (gw ? " + gateway " + gatewayMemory : "") + " fits " + room);
        }
        BigDecimal cpu = m.allocatableCpu();
        BigDecimal cpuUsable = cpu.subtract(pool.daemonSetCpu().value());
        String cpuRoom = "the " + cores(cpu) + " CPU allocatable on " + m.name()
                + (pool.daemonSetCpu().isPositive() ? " less " + pool.daemonSetCpu() + " for DaemonSets ("
                + cores(cpuUsable) + ")" : "");
        // The Ollama container's CPU limit is its request (the chart's limits.cpu ""), and the gateway's request
        // equals its limit, so the pod's CPU request is also its limit.
        BigDecimal podCpu = w.cpuRequest().value().add(gw ? gatewayCpu.value() : BigDecimal.ZERO);
        String cpuRequest = k(CPU_REQUEST) + " " + w.cpuRequest() + (gw ? " plus the gateway's " + gatewayCpu
                + " (" + k(GATEWAY_ENABLED) + " true) = " + cores(podCpu) : "");
        if (podCpu.compareTo(cpu) > 0) {
            fail("cpu-request-fits-node", cpuRequest + " exceeds the " + cores(cpu) + " CPU allocatable on " + m.name());
        } else if (podCpu.compareTo(cpuUsable) > 0) {
            fail("cpu-request-fits-node", cpuRequest + " exceeds " + cpuRoom);
        } else {
            pass("cpu-request-fits-node", "cpuRequest " + w.cpuRequest() + (gw ? " + gateway " + gatewayCpu : "")
                    + " fits " + cpuRoom);
        }
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

    /** Compares two releases as Maven orders versions (numerically per part: 0.17.10 after 0.17.9). */
    public static int compareRelease(String a, String b) {
        return new ComparableVersion(a).compareTo(new ComparableVersion(b));
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

    private void skip(String name, String message) {
        checks.add(Check.skip(name, message));
    }

    private String k(ConfigKey key) {
        return s.key(key);
    }
}
