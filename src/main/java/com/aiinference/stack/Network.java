package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.compute.Subnetwork;
import com.pulumi.gcp.compute.SubnetworkArgs;
import com.pulumi.gcp.compute.inputs.SubnetworkSecondaryIpRangeArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import java.util.List;
import java.util.Map;

/**
 * The cluster's network: a dedicated VPC with one subnet whose secondary ranges hold pods and Services (what a
 * VPC-native cluster allocates from), or an existing network and subnet by name.
 */
public final class Network extends ComponentResource {
    public static final String TYPE = "ai-inference:gke:Network";

    /** Network name or self link, as the cluster's {@code network} input takes it. */
    public final Output<String> network;
    public final Output<String> subnetwork;
    public final Output<String> podsRangeName;
    public final Output<String> servicesRangeName;

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
        } else {
            this.network = Output.of(n.existingNetwork());
            this.subnetwork = Output.of(n.existingSubnetwork());
        }
        this.podsRangeName = Output.of(n.podsRangeName());
        this.servicesRangeName = Output.of(n.servicesRangeName());
        registerOutputs(Map.of(
                "network", network,
                "subnetwork", subnetwork,
                "podsRangeName", podsRangeName,
                "servicesRangeName", servicesRangeName));
    }

    private CustomResourceOptions child(Provider gcp) {
        return CustomResourceOptions.builder().parent(this).provider(gcp).build();
    }
}
