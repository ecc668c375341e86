package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.container.NodePool;
import com.pulumi.gcp.container.NodePoolArgs;
import com.pulumi.gcp.container.inputs.ClusterIpAllocationPolicyArgs;
import com.pulumi.gcp.container.inputs.ClusterMasterAuthorizedNetworksConfigArgs;
import com.pulumi.gcp.container.inputs.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs;
import com.pulumi.gcp.container.inputs.ClusterPrivateClusterConfigArgs;
import com.pulumi.gcp.container.inputs.ClusterNodeConfigArgs;
import com.pulumi.gcp.container.inputs.ClusterNodeConfigShieldedInstanceConfigArgs;
import com.pulumi.gcp.container.inputs.ClusterReleaseChannelArgs;
import com.pulumi.gcp.container.inputs.ClusterWorkloadIdentityConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolManagementArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigShieldedInstanceConfigArgs;
import com.pulumi.gcp.container.inputs.NodePoolNodeConfigWorkloadMetadataConfigArgs;
import com.pulumi.gcp.projects.IAMMember;
import com.pulumi.gcp.projects.IAMMemberArgs;
import com.pulumi.gcp.serviceaccount.Account;
import com.pulumi.gcp.serviceaccount.AccountArgs;
import com.pulumi.kubernetes.ProviderArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A regional, VPC-native GKE cluster on a release channel, with Workload Identity and shielded nodes, nodes running
 * as a dedicated least-privilege service account, and a small system pool. Exposes the Kubernetes provider that
 * every in-cluster resource must name.
 */
public final class Cluster extends ComponentResource {
    public static final String TYPE = "ai-inference:gke:Cluster";

    /**
     * GKE's own least-privilege role for node service accounts, which bundles what nodes need today (logging,
     * monitoring, resource metadata, autoscaling metrics) and follows GKE when that changes; no Editor, no default
     * compute SA. Images here are public; pulling private ones adds roles/artifactregistry.reader on the repository.
     */
    public static final List<String> NODE_ROLES = List.of("roles/container.defaultNodeServiceAccount");

    static final List<String> NODE_OAUTH_SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

    public final Output<String> name;
    public final Output<String> location;
    public final Output<String> endpoint;
    public final Output<String> nodeServiceAccount;
    /** The control-plane version GKE is asked for: the channel's default, a resolved minor, or the pinned one. */
    public final Output<String> version;
    /** Secret: kubeconfig YAML for this cluster (gke-gcloud-auth-plugin). */
    public final Output<String> kubeconfig;
    public final com.pulumi.kubernetes.Provider kubernetesProvider;
    /** The node pools that must exist before anything is scheduled (the system pool). */
    public final List<Resource> systemPools;

    private final com.pulumi.gcp.container.Cluster cluster;

    public Cluster(String name, Settings settings, Network network, Provider gcp, ControlPlaneVersion version,
                   ComponentResourceOptions options) {
        super(TYPE, name, options);
        var c = settings.cluster();
        String project = settings.gcp().projectId();

        var nodeSa = new Account(name + "-nodes-sa", AccountArgs.builder()
                .project(project)
                .accountId(c.name() + "-nodes")
                .displayName("GKE nodes of " + c.name())
                .build(), child(gcp));
        Output<String> member = nodeSa.email().applyValue(e -> "serviceAccount:" + e);
        List<Resource> grants = new ArrayList<>();
        for (String role : NODE_ROLES) {
            String suffix = role.substring(role.indexOf('/') + 1).replace('.', '-');
            grants.add(new IAMMember(name + "-nodes-" + suffix, IAMMemberArgs.builder()
                    .project(project)
                    .role(role)
                    .member(member)
                    .build(), child(gcp)));
        }

        List<Resource> before = new ArrayList<>(grants);
        // Private nodes are created with their egress in place: the first image pulls go through the NAT.
        before.addAll(network.egress);
        var clusterArgs = com.pulumi.gcp.container.ClusterArgs.builder();
        if (c.privateNodes()) {
            // No external IP on any node (system, GPU, the throwaway default pool). No masterIpv4CidrBlock: GKE then
            // connects the control plane through Private Service Connect, and no /28 has to be kept free. The public
            // endpoint stays on (enablePrivateEndpoint false): `pulumi up`, `status` and CI reach the API through it.
            clusterArgs.privateClusterConfig(ClusterPrivateClusterConfigArgs.builder()
                    .enablePrivateNodes(true)
                    .enablePrivateEndpoint(false)
                    .build());
        }
        if (!c.controlPlaneAuthorizedNetworks().isEmpty()) {
            // Only these CIDRs reach the public endpoint (nodes reach it privately). Empty sends no block at all: an
            // empty enabled block would shut out everyone outside the VPC, the deployer included.
            clusterArgs.masterAuthorizedNetworksConfig(ClusterMasterAuthorizedNetworksConfigArgs.builder()
                    .cidrBlocks(c.controlPlaneAuthorizedNetworks().stream()
                            .map(cidr -> ClusterMasterAuthorizedNetworksConfigCidrBlockArgs.builder()
                                    .cidrBlock(cidr).displayName("controlPlaneAuthorizedNetworks " + cidr).build())
                            .toList())
                    .build());
        }
        this.cluster = new com.pulumi.gcp.container.Cluster(name + "-gke", clusterArgs
                .name(c.name())
                .project(project)
                .location(settings.gcp().region())
                .network(network.network)
                .subnetwork(network.subnetwork)
                .networkingMode("VPC_NATIVE")
                // GKE Dataplane V2 (Cilium) enforces NetworkPolicy; without it (and without the Calico add-on) the
                // chart's policy that keeps Ollama's port 11434 behind the gateway is accepted but does nothing.
                .datapathProvider("ADVANCED_DATAPATH")
                // GKE subsetting: internal LoadBalancer Services are run by GKE's L4 controller (GCE_VM_IP NEGs),
                // which gives them the reserved address the chart names (networking.gke.io/load-balancer-ip-addresses).
                // It can be turned on later but never off, so it is on from the start.
                .enableL4IlbSubsetting(true)
                .ipAllocationPolicy(ClusterIpAllocationPolicyArgs.builder()
                        .clusterSecondaryRangeName(network.podsRangeName)
                        .servicesSecondaryRangeName(network.servicesRangeName)
                        .build())
                .releaseChannel(ClusterReleaseChannelArgs.builder().channel(c.releaseChannel()).build())
                .minMasterVersion(version.minMasterVersion)
                .workloadIdentityConfig(ClusterWorkloadIdentityConfigArgs.builder()
                        .workloadPool(project + ".svc.id.goog")
                        .build())
                .enableShieldedNodes(true)
                .deletionProtection(c.deletionProtection())
                // GKE cannot create a cluster without a node pool: it gets a throwaway default pool (still on our
                // service account), which is deleted right after; the pools below are managed on their own.
                .removeDefaultNodePool(true)
                .initialNodeCount(1)
                .nodeConfig(ClusterNodeConfigArgs.builder()
                        .serviceAccount(nodeSa.email())
                        .oauthScopes(NODE_OAUTH_SCOPES)
                        .shieldedInstanceConfig(ClusterNodeConfigShieldedInstanceConfigArgs.builder()
                                .enableSecureBoot(true).enableIntegrityMonitoring(true).build())
                        .build())
                .build(), CustomResourceOptions.builder()
                .parent(this)
                .provider(gcp)
                .dependsOn(before)
                // Only the throwaway default pool uses these; changing them later must not replace the cluster.
                .ignoreChanges("nodeConfig", "initialNodeCount")
                .build());

        // Queued-provisioning pools cannot host cluster services (kube-dns, metrics-server, konnectivity): GKE
        // requires at least one ordinary pool next to them.
        var systemPool = new NodePool(name + "-system-pool", NodePoolArgs.builder()
                .name("system")
                .project(project)
                .location(settings.gcp().region())
                .cluster(cluster.name())
                .nodeCount(c.systemNodesPerZone())
                .management(NodePoolManagementArgs.builder().autoRepair(true).autoUpgrade(true).build())
                .nodeConfig(NodePoolNodeConfigArgs.builder()
                        .machineType(c.systemMachineType())
                        .serviceAccount(nodeSa.email())
                        .oauthScopes(NODE_OAUTH_SCOPES)
                        .workloadMetadataConfig(NodePoolNodeConfigWorkloadMetadataConfigArgs.builder().mode("GKE_METADATA").build())
                        .shieldedInstanceConfig(NodePoolNodeConfigShieldedInstanceConfigArgs.builder()
                                .enableSecureBoot(true).enableIntegrityMonitoring(true).build())
                        .labels(Map.of("ai-inference/pool", "system"))
                        .build())
                .build(), child(gcp));
        this.systemPools = List.of(systemPool);

        this.name = cluster.name();
        this.location = cluster.location();
        this.endpoint = cluster.endpoint();
        this.nodeServiceAccount = nodeSa.email();
        this.version = version.resolved;
        this.kubeconfig = Output.tuple(cluster.name(), cluster.location(), cluster.endpoint(), cluster.masterAuth())
                .applyValue(t -> Kubeconfig.yaml(
                        Kubeconfig.contextName(project, t.t2, t.t1),
                        t.t3,
                        t.t4.clusterCaCertificate().orElse("")))
                .asSecret();
        this.kubernetesProvider = new com.pulumi.kubernetes.Provider(name + "-k8s", ProviderArgs.builder()
                .kubeconfig(kubeconfig)
                .build(), CustomResourceOptions.builder()
                .parent(this)
                .version(settings.providers().kubernetesVersion())
                .build());

        registerOutputs(Map.of(
                "name", this.name,
                "location", this.location,
                "endpoint", this.endpoint,
                "nodeServiceAccount", this.nodeServiceAccount,
                "kubeconfig", this.kubeconfig));
    }

    /** The underlying GKE cluster resource. */
    public com.pulumi.gcp.container.Cluster cluster() {
        return cluster;
    }

    private CustomResourceOptions child(Provider gcp) {
        return CustomResourceOptions.builder().parent(this).provider(gcp).build();
    }
}
