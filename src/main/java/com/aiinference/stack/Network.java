package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.compute.Router;
import com.pulumi.gcp.compute.RouterArgs;
import com.pulumi.gcp.compute.RouterNat;
import com.pulumi.gcp.compute.RouterNatArgs;
import com.pulumi.gcp.compute.inputs.RouterNatLogConfigArgs;
import com.pulumi.gcp.compute.inputs.RouterNatSubnetworkArgs;
import com.pulumi.gcp.compute.Subnetwork;
import com.pulumi.gcp.compute.SubnetworkArgs;
import com.pulumi.gcp.compute.inputs.SubnetworkSecondaryIpRangeArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import java.util.List;
import java.util.Map;

/**
 * The cluster's network: a dedicated VPC with one subnet whose secondary ranges hold pods and Services (what a
 * VPC-native cluster allocates from), or an existing network and subnet by name. With private nodes a Cloud Router and
 * Cloud NAT in the region give the nodes (and pods) egress to image registries, the Ollama registry and Hugging Face.
 */
public final class Network extends ComponentResource {
    public static final String TYPE = "ai-inference:gke:Network";

    /*
     * NAT port allocation. Cloud NAT's default (64 ports per VM, static) runs out when one node opens more than 64
     * connections at once to the same destination address and port: a Hugging Face download (parallel ranged
     * requests to one CDN address), containerd pulling image layers in parallel, ten replicas starting together.
     * Dynamic allocation starts each VM at MIN and doubles up to MAX while it is busy. One NAT address carries 64,512
     * ports, so 13 nodes (3 system + 10 GPU) at the MAX of 4,096 need 53,248: a single auto-allocated address.
     */
    public static final int NAT_MIN_PORTS_PER_VM = 256;
    public static final int NAT_MAX_PORTS_PER_VM = 4096;
    /** Source ports one NAT address provides (65,536 minus the 1,024 well-known ports). */
    public static final int NAT_PORTS_PER_ADDRESS = 64_512;

    /** Network name or self link, as the cluster's {@code network} input takes it. */
    public final Output<String> network;
    public final Output<String> subnetwork;
    public final Output<String> podsRangeName;
    public final Output<String> servicesRangeName;
    /** The Cloud Router and NAT (empty without private nodes or with an existing network): nodes need them first. */
    public final List<Resource> egress;

    public Network(String name, Settings settings, Provider gcp, ComponentResourceOptions options) {
        super(TYPE, name, options);
        var n = settings.network();
        if (n.createsNetwork()) {
            var vpc = new com.pulumi.gcp.compute.Network(name + "-vpc", com.pulumi.gcp.compute.NetworkArgs.builder()
                    .name(settings.cluster().name() + "-vpc")
                    .project(settings.gcp().projectId())
                    // Custom mode: the only subnet is ours, with the secondary ranges GKE needs.
                    .autoCreateSubnetworks(false)
                    .routingMode("REGIONAL")
                    .build(), child(gcp));
            var subnet = new Subnetwork(name + "-subnet", SubnetworkArgs.builder()
                    .name(settings.cluster().name() + "-subnet")
                    .project(settings.gcp().projectId())
                    .region(settings.gcp().region())
                    .network(vpc.id())
                    .ipCidrRange(n.subnetCidr())
                    .privateIpGoogleAccess(true)
                    .secondaryIpRanges(List.of(
                            SubnetworkSecondaryIpRangeArgs.builder().rangeName(n.podsRangeName()).ipCidrRange(n.podsCidr()).build(),
                            SubnetworkSecondaryIpRangeArgs.builder().rangeName(n.servicesRangeName()).ipCidrRange(n.servicesCidr()).build()))
                    .build(), child(gcp));
            this.network = vpc.selfLink();
            this.subnetwork = subnet.selfLink();
            this.egress = settings.cluster().privateNodes() ? nat(name, settings, vpc, subnet, gcp) : List.of();
        } else {
            // An existing network's egress (its Cloud NAT) belongs to whoever owns the network.
            this.network = Output.of(n.existingNetwork());
            this.subnetwork = Output.of(n.existingSubnetwork());
            this.egress = List.of();
        }
        this.podsRangeName = Output.of(n.podsRangeName());
        this.servicesRangeName = Output.of(n.servicesRangeName());
        registerOutputs(Map.of(
                "network", network,
                "subnetwork", subnetwork,
                "podsRangeName", podsRangeName,
                "servicesRangeName", servicesRangeName));
    }

    /** Nodes needed at the maximum: the system pool and every GPU node, each holding up to the NAT's MAX ports. */
    public static int natAddresses(Settings settings) {
        int nodes = settings.cluster().systemNodes() + settings.gpuPool().maxNodes();
        return Math.max(1, (int) Math.ceil((double) nodes * NAT_MAX_PORTS_PER_VM / NAT_PORTS_PER_ADDRESS));
    }

    private List<Resource> nat(String name, Settings settings, com.pulumi.gcp.compute.Network vpc, Subnetwork subnet,
                               Provider gcp) {
        String project = settings.gcp().projectId();
        String region = settings.gcp().region();
        var router = new Router(name + "-router", RouterArgs.builder()
                .name(settings.cluster().name() + "-router")
                .project(project)
                .region(region)
                .network(vpc.id())
                .build(), child(gcp));
        var nat = new RouterNat(name + "-nat", RouterNatArgs.builder()
                .name(settings.cluster().name() + "-nat")
                .project(project)
                .region(region)
                .router(router.name())
                // Google allocates (and releases) the addresses; they count against IN_USE_ADDRESSES.
                .natIpAllocateOption("AUTO_ONLY")
                // Only this subnet, all its ranges: the nodes' primary range and the pods' secondary range.
                .sourceSubnetworkIpRangesToNat("LIST_OF_SUBNETWORKS")
                .subnetworks(List.of(RouterNatSubnetworkArgs.builder()
                        .name(subnet.id())
                        .sourceIpRangesToNats(List.of("ALL_IP_RANGES"))
                        .build()))
                .enableDynamicPortAllocation(true)
                // Dynamic port allocation requires endpoint-independent mapping off.
                .enableEndpointIndependentMapping(false)
                .minPortsPerVm(NAT_MIN_PORTS_PER_VM)
                .maxPortsPerVm(NAT_MAX_PORTS_PER_VM)
                // Dropped connections (port exhaustion) show up in Cloud Logging.
                .logConfig(RouterNatLogConfigArgs.builder().enable(true).filter("ERRORS_ONLY").build())
                .build(), child(gcp));
        return List.of(router, nat);
    }

    private CustomResourceOptions child(Provider gcp) {
        return CustomResourceOptions.builder().parent(this).provider(gcp).build();
    }
}
