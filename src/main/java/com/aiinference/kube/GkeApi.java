package com.aiinference.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** Names of the Kubernetes and GKE API that status, verify and the simulator all read or serve. */
public final class GkeApi {
    private GkeApi() {}

    /** The node label GKE sets to the GPU type of a GPU node (e.g. {@code nvidia-l4}). */
    public static final String ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator";

    /** DWS's ProvisioningRequest: the CRD is not built into fabric8; naming the plural avoids a discovery round trip. */
    public static final ResourceDefinitionContext PROVISIONING_REQUESTS = new ResourceDefinitionContext.Builder()
            .withGroup("autoscaling.x-k8s.io").withVersion("v1").withKind("ProvisioningRequest")
            .withPlural("provisioningrequests").withNamespaced(true).build();
}
