package com.aiinference.stack;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Import;
import com.pulumi.gcp.container.inputs.NodePoolAutoscalingArgs;
import com.pulumi.gcp.container.inputs.NodePoolManagementArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigGuestAcceleratorArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigReservationAffinityArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigShieldedInstanceConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigTaintArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigWorkloadMetadataConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolPlacementPolicyArgs;
import com.pulumi.resources.ResourceArgs;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The inputs of {@code gcp:container/nodePool:NodePool} this project sends, including two the gcp 7.0.0 Java SDK
 * predates: {@code queuedProvisioning} (provider 7.x+, Terraform google 5.21) and {@code nodeConfig.flexStart}
 * (Terraform google 6.33). Pulumi serialises args by their {@link Import} names, so this class puts those fields on
 * the wire under the names the current provider schema uses, while the resource stays a typed
 * {@link com.pulumi.gcp.container.NodePool} (see {@link GpuNodePool}). The provider plugin must know the fields:
 * that is why the gcp {@code Provider} is pinned (config {@code gcpProviderVersion}).
 */
public final class DwsNodePoolArgs extends ResourceArgs {
    @Import(name = "cluster", required = true) final Output<String> cluster;
    @Import(name = "location") final @Nullable Output<String> location;
    @Import(name = "project") final @Nullable Output<String> project;
    @Import(name = "name") final @Nullable Output<String> name;
    @Import(name = "nodeLocations") final @Nullable Output<List<String>> nodeLocations;
    @Import(name = "initialNodeCount") final @Nullable Output<Integer> initialNodeCount;
    @Import(name = "autoscaling") final @Nullable Output<NodePoolAutoscalingArgs> autoscaling;
    @Import(name = "management") final @Nullable Output<NodePoolManagementArgs> management;
    @Import(name = "placementPolicy") final @Nullable Output<NodePoolPlacementPolicyArgs> placementPolicy;
    @Import(name = "queuedProvisioning") final @Nullable Output<QueuedProvisioning> queuedProvisioning;
    @Import(name = "nodeConfig") final @Nullable Output<NodeConfig> nodeConfig;

    DwsNodePoolArgs(Output<String> cluster, @Nullable Output<String> location, @Nullable Output<String> project,
                    @Nullable Output<String> name, @Nullable Output<List<String>> nodeLocations,
                    @Nullable Output<Integer> initialNodeCount, @Nullable Output<NodePoolAutoscalingArgs> autoscaling,
                    @Nullable Output<NodePoolManagementArgs> management,
                    @Nullable Output<NodePoolPlacementPolicyArgs> placementPolicy,
                    @Nullable Output<QueuedProvisioning> queuedProvisioning, @Nullable Output<NodeConfig> nodeConfig) {
        this.cluster = cluster;
        this.location = location;
        this.project = project;
        this.name = name;
        this.nodeLocations = nodeLocations;
        this.initialNodeCount = initialNodeCount;
        this.autoscaling = autoscaling;
        this.management = management;
        this.placementPolicy = placementPolicy;
        this.queuedProvisioning = queuedProvisioning;
        this.nodeConfig = nodeConfig;
    }

    /** {@code queuedProvisioning: {enabled: true}}: GKE's {@code queuedProvisioning.enabled}. */
    public static final class QueuedProvisioning extends ResourceArgs {
        @Import(name = "enabled", required = true) final Output<Boolean> enabled;

        QueuedProvisioning(boolean enabled) {
            this.enabled = Output.of(enabled);
        }
    }

    /** The node config fields of {@code NodePoolNodeConfigArgs} this project uses, plus {@code flexStart}. */
    public static final class NodeConfig extends ResourceArgs {
        @Import(name = "machineType") final @Nullable Output<String> machineType;
        @Import(name = "imageType") final @Nullable Output<String> imageType;
        @Import(name = "diskSizeGb") final @Nullable Output<Integer> diskSizeGb;
        @Import(name = "diskType") final @Nullable Output<String> diskType;
        @Import(name = "guestAccelerators") final @Nullable Output<List<NodePoolNodeConfigGuestAcceleratorArgs>> guestAccelerators;
        @Import(name = "labels") final @Nullable Output<Map<String, String>> labels;
        @Import(name = "resourceLabels") final @Nullable Output<Map<String, String>> resourceLabels;
        @Import(name = "taints") final @Nullable Output<List<NodePoolNodeConfigTaintArgs>> taints;
        @Import(name = "reservationAffinity") final @Nullable Output<NodePoolNodeConfigReservationAffinityArgs> reservationAffinity;
        @Import(name = "serviceAccount") final @Nullable Output<String> serviceAccount;
        @Import(name = "oauthScopes") final @Nullable Output<List<String>> oauthScopes;
        @Import(name = "shieldedInstanceConfig") final @Nullable Output<NodePoolNodeConfigShieldedInstanceConfigArgs> shieldedInstanceConfig;
        @Import(name = "workloadMetadataConfig") final @Nullable Output<NodePoolNodeConfigWorkloadMetadataConfigArgs> workloadMetadataConfig;
        @Import(name = "flexStart") final @Nullable Output<Boolean> flexStart;
        @Import(name = "spot") final @Nullable Output<Boolean> spot;

        NodeConfig(Builder b) {
            this.machineType = b.machineType;
            this.imageType = b.imageType;
            this.diskSizeGb = b.diskSizeGb;
            this.diskType = b.diskType;
            this.guestAccelerators = b.guestAccelerators;
            this.labels = b.labels;
            this.resourceLabels = b.resourceLabels;
            this.taints = b.taints;
            this.reservationAffinity = b.reservationAffinity;
            this.serviceAccount = b.serviceAccount;
            this.oauthScopes = b.oauthScopes;
            this.shieldedInstanceConfig = b.shieldedInstanceConfig;
            this.workloadMetadataConfig = b.workloadMetadataConfig;
            this.flexStart = b.flexStart;
            this.spot = b.spot;
        }

        static final class Builder {
            Output<String> machineType;
            Output<String> imageType;
            Output<Integer> diskSizeGb;
            Output<String> diskType;
            Output<List<NodePoolNodeConfigGuestAcceleratorArgs>> guestAccelerators;
            Output<Map<String, String>> labels;
            Output<Map<String, String>> resourceLabels;
            Output<List<NodePoolNodeConfigTaintArgs>> taints;
            Output<NodePoolNodeConfigReservationAffinityArgs> reservationAffinity;
            Output<String> serviceAccount;
            Output<List<String>> oauthScopes;
            Output<NodePoolNodeConfigShieldedInstanceConfigArgs> shieldedInstanceConfig;
            Output<NodePoolNodeConfigWorkloadMetadataConfigArgs> workloadMetadataConfig;
            Output<Boolean> flexStart;
            Output<Boolean> spot;

            NodeConfig build() {
                return new NodeConfig(this);
            }
        }
    }
}
