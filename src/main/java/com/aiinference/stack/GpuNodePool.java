package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.container.NodePool;
import com.pulumi.gcp.container.NodePoolArgs;
import com.pulumi.gcp.container.inputs.NodePoolAutoscalingArgs;
import com.pulumi.gcp.container.inputs.NodePoolManagementArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigGuestAcceleratorArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigReservationAffinityArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigShieldedInstanceConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigTaintArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigWorkloadMetadataConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolPlacementPolicyArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceTransformation;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The L4 node pool. With queued provisioning (DWS) every rule GKE enforces on such a pool is applied here: autoscaling
 * from 0 to N nodes in total with location policy ANY, initial count 0, no reservation, no compact placement,
 * auto-repair off; nodes then only arrive through a ProvisioningRequest (the chart creates it), all at once.
 */
public final class GpuNodePool extends ComponentResource {
    public static final String TYPE = "ai-inference:gke:GpuNodePool";

    /** GKE taints GPU nodes with this when the cluster also has CPU pools; declared so it never goes missing. */
    public static final String GPU_TAINT_KEY = "nvidia.com/gpu";
    /** The reservation affinity key that names a specific reservation. */
    public static final String RESERVATION_NAME_KEY = "compute.googleapis.com/reservation-name";

    /** GKE pool name: the chart's nodeSelector {@code cloud.google.com/gke-nodepool} selects on it. */
    public final Output<String> name;
    public final Output<Integer> maxNodes;
    public final NodePool nodePool;

    public GpuNodePool(String name, Settings settings, Cluster cluster, Provider gcp, ComponentResourceOptions options) {
        super(TYPE, name, options);
        var pool = settings.gpuPool();
        String project = settings.gcp().projectId();

        var nodeConfig = new DwsNodePoolArgs.NodeConfig.Builder();
        nodeConfig.machineType = Output.of(pool.machine().name());
        nodeConfig.imageType = Output.of(pool.imageType());
        nodeConfig.diskSizeGb = Output.of(pool.diskSizeGb());
        nodeConfig.diskType = Output.of("pd-balanced");
        nodeConfig.guestAccelerators = Output.of(List.of(NodePoolNodeConfigGuestAcceleratorArgs.builder()
                .type(pool.acceleratorType())
                .count(pool.acceleratorsPerNode())
                // GKE installs the driver itself (DEFAULT or LATEST); no driver DaemonSet to apply by hand.
                .gpuDriverInstallationConfig(NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs.builder()
                        .gpuDriverVersion(pool.driverVersion())
                        .build())
                .build()));
        nodeConfig.labels = Output.of(Map.of("ai-inference/pool", "gpu"));
        nodeConfig.resourceLabels = Output.of(Map.of("app", "ai-inference", "pool", pool.name()));
        nodeConfig.taints = Output.of(List.of(NodePoolNodeConfigTaintArgs.builder()
                .key(GPU_TAINT_KEY).value("present").effect("NO_SCHEDULE").build()));
        var affinity = NodePoolNodeConfigReservationAffinityArgs.builder().consumeReservationType(pool.reservationAffinity());
        if (pool.provisioning() == Settings.Provisioning.RESERVATION) {
            // A specific reservation (e.g. a DWS calendar-mode future reservation) is named by this key.
            affinity.key(RESERVATION_NAME_KEY).values(List.of(pool.reservation()));
        }
        nodeConfig.reservationAffinity = Output.of(affinity.build());
        nodeConfig.serviceAccount = cluster.nodeServiceAccount;
        nodeConfig.oauthScopes = Output.of(Cluster.NODE_OAUTH_SCOPES);
        nodeConfig.shieldedInstanceConfig = Output.of(NodePoolNodeConfigShieldedInstanceConfigArgs.builder()
                .enableSecureBoot(true).enableIntegrityMonitoring(true).build());
        nodeConfig.workloadMetadataConfig = Output.of(NodePoolNodeConfigWorkloadMetadataConfigArgs.builder()
                .mode("GKE_METADATA").build());
        nodeConfig.flexStart = pool.flexStart() ? Output.of(true) : null;
        nodeConfig.spot = pool.spot() ? Output.of(true) : null;

        var args = new DwsNodePoolArgs(
                cluster.name,
                Output.of(settings.gcp().region()),
                Output.of(project),
                Output.of(pool.name()),
                settings.gcp().gpuZones().isEmpty() ? null : Output.of(settings.gcp().gpuZones()),
                Output.of(0),
                Output.of(NodePoolAutoscalingArgs.builder()
                        .totalMinNodeCount(pool.minNodes())
                        .totalMaxNodeCount(pool.maxNodes())
                        // ANY: DWS takes the zone that has the capacity; all nodes land in that one zone.
                        .locationPolicy("ANY")
                        .build()),
                Output.of(NodePoolManagementArgs.builder().autoRepair(pool.autoRepair()).autoUpgrade(true).build()),
                pool.compactPlacement() ? Output.of(NodePoolPlacementPolicyArgs.builder().type("COMPACT").build()) : null,
                pool.queuedProvisioning() ? Output.of(new DwsNodePoolArgs.QueuedProvisioning(true)) : null,
                Output.of(nodeConfig.build()));

        // The typed NodePool is constructed with the SDK's args (cluster only), and this transformation swaps in the
        // full args before registration: the engine receives DwsNodePoolArgs, the program keeps NodePool's outputs.
        String resourceName = name + "-nodes";
        ResourceTransformation sendDwsFields = t ->
                t.resource() instanceof NodePool && resourceName.equals(t.resource().pulumiResourceName())
                        ? Optional.of(new ResourceTransformation.Result(args, t.options()))
                        : Optional.empty();
        this.nodePool = new NodePool(resourceName, NodePoolArgs.builder().cluster(cluster.name).build(),
                CustomResourceOptions.builder()
                        .parent(this)
                        .provider(gcp)
                        .dependsOn(cluster.systemPools)
                        .resourceTransformations(sendDwsFields)
                        .build());

        this.name = nodePool.name();
        this.maxNodes = Output.of(pool.maxNodes());
        registerOutputs(Map.of("name", this.name, "maxNodes", this.maxNodes));
    }
}
