package com.aiinference.stack;

import com.aiinference.chart.ChartContract;
import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.kubernetes.core.v1.Namespace;
import com.pulumi.kubernetes.core.v1.NamespaceArgs;
import com.pulumi.kubernetes.core.v1.Secret;
import com.pulumi.kubernetes.core.v1.SecretArgs;
import com.pulumi.kubernetes.core.v1.Service;
import com.pulumi.kubernetes.core.v1.outputs.LoadBalancerIngress;
import com.pulumi.kubernetes.core.v1.outputs.LoadBalancerStatus;
import com.pulumi.kubernetes.core.v1.outputs.ServiceStatus;
import com.pulumi.kubernetes.helm.v3.Release;
import com.pulumi.kubernetes.helm.v3.ReleaseArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ollama on the GPU pool: the namespace, the Helm release of {@code charts/ai-inference} with values from the typed
 * settings, and the chart's Service read back after the release so its load balancer address becomes an output.
 * Every resource here names the cluster's Kubernetes provider explicitly.
 */
public final class InferenceRelease extends ComponentResource {
    public static final String TYPE = "ai-inference:app:InferenceRelease";

    public final Output<String> namespace;
    public final Output<String> releaseName;
    public final Output<String> serviceName;
    /** The LoadBalancer's IP (or the ClusterIP for a ClusterIP Service). */
    public final Output<String> address;
    public final Output<String> endpoint;
    public final Release release;

    /** @param chartServiceName the chart's Service for this release, as the chart renders it ({@code StackRules.Accepted}) */
    public InferenceRelease(String name, Settings settings, String chartServiceName, Cluster cluster, GpuNodePool gpuPool,
                            ComponentResourceOptions options) {
        super(TYPE, name, options);
        var w = settings.workload();
        var k8s = cluster.kubernetesProvider;

        var ns = new Namespace(name + "-ns", NamespaceArgs.builder()
                .metadata(ObjectMetaArgs.builder()
                        .name(w.namespace())
                        .labels(Map.of(
                                ChartContract.PART_OF_LABEL, ChartContract.CHART_NAME,
                                // Ollama and nginx run fine under "baseline": no privileged or host access allowed.
                                "pod-security.kubernetes.io/enforce", "baseline"))
                        .build())
                .build(), CustomResourceOptions.builder().parent(this).provider(k8s).build());
        Output<String> nsName = ns.metadata().applyValue(m -> m.name().orElse(w.namespace()));

        List<com.pulumi.resources.Resource> releaseDeps = new java.util.ArrayList<>(List.of(gpuPool.nodePool));
        if (settings.service().createsApiKeySecret()) {
            var keys = new Secret(name + "-api-keys", SecretArgs.builder()
                    .metadata(ObjectMetaArgs.builder()
                            .name(ChartValues.apiKeysSecretName(settings))
                            .namespace(nsName)
                            .build())
                    .type("Opaque")
                    .stringData(Output.ofSecret(Map.of(ChartContract.API_KEYS_SECRET_KEY,
                            String.join("\n", settings.service().apiKeys().values()) + "\n")))
                    .build(), CustomResourceOptions.builder().parent(this).provider(k8s).build());
            releaseDeps.add(keys);
        }

        Output<Map<String, Object>> values = gpuPool.name.applyValue(pool -> ChartValues.of(settings, pool));
        this.release = new Release(name + "-release", ReleaseArgs.builder()
                .name(w.releaseName())
                .chart(w.chartPath())
                .namespace(nsName)
                .values(values)
                // DWS provisioning, the driver install and the first model pull all happen before pods are Ready.
                .timeout(w.releaseTimeoutSeconds())
                .skipAwait(false)
                .cleanupOnFail(true)
                .build(), CustomResourceOptions.builder()
                .parent(this)
                .provider(k8s)
                .dependsOn(releaseDeps)
                .build());

        String service = chartServiceName;
        Output<String> serviceId = release.status().applyValue(st ->
                st.namespace().orElse(w.namespace()) + "/" + service);
        var svc = Service.get(name + "-service", serviceId, CustomResourceOptions.builder()
                .parent(this)
                .provider(k8s)
                .dependsOn(release)
                .build());

        this.namespace = nsName;
        this.releaseName = release.status().applyValue(st -> st.name().orElse(w.releaseName()));
        this.serviceName = svc.metadata().applyValue(m -> m.name().orElse(service));
        this.address = Output.tuple(svc.status(), svc.spec()).applyValue(t -> settings.service().isLoadBalancer()
                ? t.t1.flatMap(ServiceStatus::loadBalancer).map(LoadBalancerStatus::ingress).orElse(List.of()).stream()
                        .map(InferenceRelease::ingressAddress).flatMap(Optional::stream).findFirst().orElse("")
                : t.t2.clusterIP().orElse(""));
        int port = settings.service().port();
        this.endpoint = address.applyValue(ip -> ip.isEmpty() ? "" : "http://" + ip + ":" + port + "/api/generate");

        registerOutputs(Map.of(
                "namespace", namespace,
                "releaseName", releaseName,
                "serviceName", serviceName,
                "address", address,
                "endpoint", endpoint));
    }

    private static Optional<String> ingressAddress(LoadBalancerIngress ingress) {
        return ingress.ip().or(ingress::hostname);
    }
}
