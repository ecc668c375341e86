package com.aiinference.stack;

import com.aiinference.chart.ChartContract;
import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.compute.Address;
import com.pulumi.gcp.compute.AddressArgs;
import com.pulumi.kubernetes.core.v1.Namespace;
import com.pulumi.kubernetes.core.v1.NamespaceArgs;
import com.pulumi.kubernetes.core.v1.Secret;
import com.pulumi.kubernetes.core.v1.SecretArgs;
import com.pulumi.kubernetes.helm.v3.Release;
import com.pulumi.kubernetes.helm.v3.ReleaseArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ollama on the GPU pool: the endpoint's reserved regional address, the namespace, and the Helm release of
 * {@code charts/ai-inference} with values from the typed settings (the Service takes the reserved address). The
 * release does not wait for pods, so {@code pulumi up} finishes in minutes whatever the DWS queue does. Every in-cluster
 * resource names the cluster's Kubernetes provider explicitly.
 */
public final class InferenceRelease extends ComponentResource {
    public static final String TYPE = "ai-inference:app:InferenceRelease";

    public final Output<String> namespace;
    public final Output<String> releaseName;
    public final Output<String> serviceName;
    /** The reserved address of the LoadBalancer ("" for a ClusterIP Service). */
    public final Output<String> address;
    public final Output<String> endpoint;
    public final Release release;

    /** @param chartServiceName the chart's Service for this release, as the chart renders it ({@code StackRules.Accepted}) */
    public InferenceRelease(String name, Settings settings, String chartServiceName, Network network, Cluster cluster,
                            GpuNodePool gpuPool, Provider gcp, ComponentResourceOptions options) {
        super(TYPE, name, options);
        var w = settings.workload();
        var k8s = cluster.kubernetesProvider;

        // The endpoint's address is reserved first, so it is known before any load balancer or GPU node exists and
        // stays the same when the Service is recreated (allow-lists and clients keep working across redeploys).
        var svcSettings = settings.service();
        Output<String> reserved;
        Output<String> addressName;
        List<Resource> addressFirst = new ArrayList<>();
        if (svcSettings.isLoadBalancer()) {
            var address = new Address(name + "-address", endpointAddress(settings, network), CustomResourceOptions.builder()
                    .parent(this)
                    .provider(gcp)
                    .build());
            reserved = address.address();
            addressName = address.name();
            addressFirst.add(address);
        } else {
            reserved = Output.of("");
            addressName = Output.of("");
        }

        var ns = new Namespace(name + "-ns", NamespaceArgs.builder()
                .metadata(ObjectMetaArgs.builder()
                        .name(w.namespace())
                        .labels(Map.of(
                                ChartContract.PART_OF_LABEL, ChartContract.CHART_NAME,
                                // Every pod of the release, its helm test and the load-test workers meet "restricted"
                                // (non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp).
                                "pod-security.kubernetes.io/enforce", "restricted"))
                        .build())
                .build(), CustomResourceOptions.builder().parent(this).provider(k8s)
                // Destroy order: the release goes first (Helm's uninstall returns at once), then the namespace, whose
                // deletion waits for its Service's load-balancer finalizer, i.e. until GKE has removed the load
                // balancer and its firewall rules; only then the reserved address (and, after the cluster, the
                // network), which GCP refuses to delete while a forwarding rule uses it.
                .dependsOn(addressFirst)
                .build());
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

        if (settings.service().createsTlsSecret()) {
            var tls = new Secret(name + "-tls", SecretArgs.builder()
                    .metadata(ObjectMetaArgs.builder()
                            .name(ChartValues.tlsSecretName(settings))
                            .namespace(nsName)
                            .build())
                    .type("kubernetes.io/tls")
                    .stringData(Output.ofSecret(Map.of(
                            ChartContract.TLS_CERT_KEY, settings.service().tls().certificate(),
                            ChartContract.TLS_KEY_KEY, settings.service().tls().key().values().get(0))))
                    .build(), CustomResourceOptions.builder().parent(this).provider(k8s).build());
            releaseDeps.add(tls);
        }

        if (settings.engine().createsHfTokenSecret()) {
            var token = new Secret(name + "-hf-token", SecretArgs.builder()
                    .metadata(ObjectMetaArgs.builder()
                            .name(ChartValues.hfTokenSecretName(settings))
                            .namespace(nsName)
                            .build())
                    .type("Opaque")
                    .stringData(Output.ofSecret(Map.of(ChartContract.HF_TOKEN_SECRET_KEY,
                            settings.engine().hfToken().values().get(0))))
                    .build(), CustomResourceOptions.builder().parent(this).provider(k8s).build());
            releaseDeps.add(token);
        }

        Output<Map<String, Object>> values = Output.tuple(gpuPool.name, addressName)
                .applyValue(t -> ChartValues.of(settings, t.t1, t.t2));
        this.release = new Release(name + "-release", ReleaseArgs.builder()
                .name(w.releaseName())
                .chart(w.chartPath())
                .namespace(nsName)
                .values(values)
                // `pulumi up` installs the objects and returns: it does not wait for pods, which need the DWS queue
                // (hours at worst), node boot, the driver install and the model pull. `ai-inference status --wait`
                // follows that part, and `verify --wait-ready` gates on it.
                .skipAwait(true)
                .cleanupOnFail(true)
                .build(), CustomResourceOptions.builder()
                .parent(this)
                .provider(k8s)
                .dependsOn(releaseDeps)
                .build());

        // The outputs come from the reservation and the name the chart rendered (StackRules.Accepted), not from reading the Service back (a read
        // whose id is only known after the release would show as a phantom create in every preview).
        String service = chartServiceName;
        int port = svcSettings.port();
        this.namespace = nsName;
        this.releaseName = release.status().applyValue(st -> st.name().orElse(w.releaseName()));
        this.serviceName = Output.of(service);
        this.address = reserved;
        // HTTPS only (TLS without plain HTTP): the endpoint is the https one; the certificate must name the address.
        boolean httpsOnly = svcSettings.createsTlsSecret() && !svcSettings.tls().plainHttp();
        this.endpoint = svcSettings.isLoadBalancer() && httpsOnly
                ? reserved.applyValue(ip -> "https://" + ip + endpointPath(settings))
                : svcSettings.isLoadBalancer()
                ? reserved.applyValue(ip -> "http://" + ip + ":" + port + endpointPath(settings))
                // A ClusterIP Service is reached in the cluster by its DNS name (an in-cluster load test, port-forward).
                : nsName.applyValue(n -> "http://" + service + "." + n + ".svc.cluster.local:" + port + endpointPath(settings));

        registerOutputs(Map.of(
                "namespace", namespace,
                "releaseName", releaseName,
                "serviceName", serviceName,
                "address", address,
                "endpoint", endpoint));
    }

    /** The inference route clients post to: Ollama's generate API, or vLLM's OpenAI completions. */
    public static String endpointPath(com.aiinference.config.Settings settings) {
        return ChartContract.generatePath(settings.engine().kind());
    }

    /**
     * A regional address in the cluster's region: EXTERNAL for a public load balancer, INTERNAL in the cluster's subnet
     * for an internal one (GKE takes an internal LB's address from the subnet its nodes use).
     */
    private static AddressArgs endpointAddress(Settings settings, Network network) {
        var args = AddressArgs.builder()
                .name(ChartValues.addressName(settings))
                .project(settings.gcp().projectId())
                .region(settings.gcp().region())
                .description("Endpoint of " + settings.cluster().name() + " (" + settings.workload().releaseName()
                        + " LoadBalancer, port " + settings.service().port() + ")");
        if (settings.service().internal()) {
            args.addressType("INTERNAL").subnetwork(network.subnetwork);
        } else {
            args.addressType("EXTERNAL").networkTier("PREMIUM");
        }
        return args.build();
    }
}
