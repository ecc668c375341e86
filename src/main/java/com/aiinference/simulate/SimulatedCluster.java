package com.aiinference.simulate;

import com.aiinference.verify.PlatformInspector;
import com.aiinference.verify.StubStatus;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for a deployed release, for the verify walk-through and tests: fabric8's Kubernetes mock API
 * server in CRUD mode on 127.0.0.1, seeded with what the chart creates (Deployment, HPA, Service, one Ready pod per
 * GPU node, and with DWS a PodTemplate and a ProvisioningRequest in a chosen state), a {@link RoundRobinFront}
 * standing in for the LoadBalancer over the given replica servers, and the API server's pod proxy answering
 * {@code :8081/proxy/stub_status} from each replica's real request counter and {@code :11434/proxy/...} from the
 * replica itself. Faults (restart, OOM kill, eviction, not ready) change the API objects the way the kubelet would.
 */
public final class SimulatedCluster implements AutoCloseable {
    private static final Pattern POD_PROXY = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/:]+):(\\d+)/proxy/(.*)$");
    private static final String POD_TEMPLATE_HASH = "6d5f8c7b9";
    private static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int METRICS_PORT = 8081;
    private static final int OLLAMA_PORT = 11434;

    /** How the simulated release is configured (the chart values and stack outputs that verify compares with). */
    public record Spec(String namespace, String release, int replicas, String model, String memoryLimit,
            boolean gateway, String dwsState, int hpaMin, int hpaMax) {
        public Spec {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
            }
            if (dwsState != null && !DWS_STATES.containsKey(dwsState)) {
                throw new IllegalArgumentException("unknown DWS state '" + dwsState + "', expected one of " + DWS_STATES.keySet());
            }
        }

        public static Spec defaults(int replicas) {
            return new Spec("ai-inference", "ai-inference", replicas, "llama3.1:8b", "40Gi", true, null, replicas, replicas);
        }

        public Spec withDwsState(String state) {
            return new Spec(namespace, release, replicas, model, memoryLimit, gateway, state, hpaMin, hpaMax);
        }

        public Spec withGateway(boolean g) {
            return new Spec(namespace, release, replicas, model, memoryLimit, g, dwsState, hpaMin, hpaMax);
        }

        public Spec withHpa(int min, int max) {
            return new Spec(namespace, release, replicas, model, memoryLimit, gateway, dwsState, min, max);
        }

        public Spec withMemoryLimit(String limit) {
            return new Spec(namespace, release, replicas, model, limit, gateway, dwsState, hpaMin, hpaMax);
        }

        public Spec withModel(String m) {
            return new Spec(namespace, release, replicas, m, memoryLimit, gateway, dwsState, hpaMin, hpaMax);
        }

        public boolean hpaPinned() {
            return hpaMin == hpaMax;
        }
    }

    /**
     * ProvisioningRequest states the simulation can show, as conditions (type, status, reason) in the order the
     * autoscaler sets them. QuotaExceeded and ResourcePoolExhausted are GKE's reasons for a queued request that
     * cannot be served yet.
     */
    public static final Map<String, List<String[]>> DWS_STATES = dwsStates();

    private static Map<String, List<String[]>> dwsStates() {
        Map<String, List<String[]>> m = new LinkedHashMap<>();
        m.put("Provisioned", List.of(new String[] {"Accepted", "True", "Accepted", "request accepted"},
                new String[] {"Provisioned", "True", "Provisioned", "capacity is available: 1 nodes per pod set"}));
        m.put("Accepted", List.of(new String[] {"Accepted", "True", "Accepted", "request accepted"},
                new String[] {"Provisioned", "False", "Pending", "waiting for capacity in the queue"}));
        m.put("Pending", List.of());
        m.put("QuotaExceeded", List.of(new String[] {"Accepted", "True", "Accepted", "request accepted"},
                new String[] {"Provisioned", "False", "QuotaExceeded", "NVIDIA_L4_GPUS quota exceeded in region"}));
        m.put("ResourcePoolExhausted", List.of(new String[] {"Accepted", "True", "Accepted", "request accepted"},
                new String[] {"Provisioned", "False", "ResourcePoolExhausted", "no nvidia-l4 capacity in any zone"}));
        m.put("Failed", List.of(new String[] {"Accepted", "True", "Accepted", "request accepted"},
                new String[] {"Failed", "True", "QuotaExceeded", "quota for NVIDIA_L4_GPUS is below the requested 10"}));
        return java.util.Collections.unmodifiableMap(m);
    }

    private final Spec spec;
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final RoundRobinFront front;
    // Read by the mock server's event loop (pod proxy) while faults change them.
    private final List<String> podNames = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int replacements;
    private volatile boolean networkPolicy;
    private final Map<String, Integer> replicaOfPod = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpClient proxyClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-kubelet");
        t.setDaemon(true);
        return t;
    });

    private SimulatedCluster(Spec spec, List<URI> replicas) {
        if (replicas.size() != spec.replicas()) {
            throw new IllegalArgumentException(spec.replicas() + " replicas configured but " + replicas.size() + " servers given");
        }
        this.spec = spec;
        this.front = RoundRobinFront.start(replicas, 0);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        this.server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new PodProxyDispatcher(responses), false);
        server.start(InetAddress.getLoopbackAddress(), 0);
        this.client = new KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig())).build();
        for (int i = 0; i < spec.replicas(); i++) {
            String name = podName(spec.release(), i);
            podNames.add(name);
            replicaOfPod.put(name, i);
        }
        seed();
    }

    /** Starts the mock API server and the front over {@code replicas} (one base URI per replica, in pod order). */
    public static SimulatedCluster start(Spec spec, List<URI> replicas) {
        quietMockServerLogs();
        return new SimulatedCluster(spec, replicas);
    }

    /** The mock server logs every request at INFO through java.util.logging; a demo terminal wants none of it. */
    static void quietMockServerLogs() {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** Held strongly: java.util.logging keeps only weak references, and a collected logger forgets its level. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static String podName(String release, int index) {
        // Deterministic names shaped like the ReplicaSet's: <deployment>-<template hash>-<5 chars>.
        StringBuilder suffix = new StringBuilder();
        long x = 0x9E3779B97F4A7C15L * (index + 1);
        for (int i = 0; i < 5; i++) {
            suffix.append(SUFFIX_ALPHABET.charAt((int) Math.floorMod(x >>> (i * 7), (long) SUFFIX_ALPHABET.length())));
        }
        return release + "-" + POD_TEMPLATE_HASH + "-" + suffix;
    }

    public Spec spec() {
        return spec;
    }

    public RoundRobinFront front() {
        return front;
    }

    /** A client with admin access to the mock API server (tests mutate the cluster through it). */
    public KubernetesClient client() {
        return client;
    }

    public URI apiServer() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    /** The {@code endpoint} stack output: the front's {@code /api/generate}. */
    public URI endpoint() {
        return front.baseUri().resolve("/api/generate");
    }

    public List<String> podNames() {
        return List.copyOf(podNames);
    }

    /** A pod by name or by its 0-based index. */
    public String resolvePod(String nameOrIndex) {
        if (nameOrIndex.matches("\\d+")) {
            int i = Integer.parseInt(nameOrIndex);
            if (i >= podNames.size()) {
                throw new IllegalArgumentException("pod index " + i + " out of range 0-" + (podNames.size() - 1));
            }
            return podNames.get(i);
        }
        if (!replicaOfPod.containsKey(nameOrIndex)) {
            throw new IllegalArgumentException("no pod '" + nameOrIndex + "' (pods: " + String.join(", ", podNames) + ")");
        }
        return nameOrIndex;
    }

    /** A kubeconfig for the mock API server (plain HTTP on loopback; the token is not checked). */
    public String kubeconfig() {
        return Serialization.asYaml(new io.fabric8.kubernetes.api.model.ConfigBuilder()
                .withCurrentContext("simulated")
                .addNewCluster().withName("simulated").withNewCluster().withServer(apiServer().toString()).endCluster().endCluster()
                .addNewContext().withName("simulated").withNewContext().withCluster("simulated").withUser("simulated-admin")
                .withNamespace(spec.namespace()).endContext().endContext()
                .addNewUser().withName("simulated-admin").withNewUser().withToken("simulated").endUser().endUser()
                .build());
    }

    /** The outputs {@code pulumi stack output --json --show-secrets} would print for this release. */
    public Map<String, Object> outputs() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("externalIp", "127.0.0.1");
        o.put("endpoint", endpoint().toString());
        o.put("clusterName", "simulated");
        o.put("location", "local");
        o.put("gpuNodePool", "l4-pool");
        o.put("namespace", spec.namespace());
        o.put("serviceName", spec.release());
        o.put("releaseName", spec.release());
        o.put("kubeconfig", kubeconfig());
        o.put("replicas", spec.replicas());
        o.put("model", spec.model());
        o.put("memoryLimit", spec.memoryLimit());
        o.put("dwsEnabled", spec.dwsState() != null);
        o.put("hpaPinned", spec.hpaPinned());
        return o;
    }

    // ---- what the chart creates ----

    private Map<String, String> labels() {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("app.kubernetes.io/name", "ai-inference");
        l.put("app.kubernetes.io/instance", spec.release());
        l.put("app.kubernetes.io/component", "inference");
        return l;
    }

    private String provisioningRequestName() {
        return spec.release() + "-" + POD_TEMPLATE_HASH.substring(0, 5);
    }

    private PodTemplateSpec podTemplate() {
        var ollama = new ContainerBuilder().withName(PlatformInspector.OLLAMA_CONTAINER)
                .withImage("ollama/ollama:0.17.1")
                .addNewPort().withName("ollama").withContainerPort(OLLAMA_PORT).endPort()
                .withNewResources()
                .addToRequests("memory", new Quantity(spec.memoryLimit())).addToRequests("cpu", new Quantity("8"))
                .addToLimits("memory", new Quantity(spec.memoryLimit())).addToLimits("nvidia.com/gpu", new Quantity("1"))
                .endResources().build();
        var b = new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels()).endMetadata()
                .withNewSpec().addToNodeSelector("cloud.google.com/gke-nodepool", "l4-pool").addToContainers(ollama).endSpec();
        if (spec.gateway()) {
            b.editSpec().addToContainers(new ContainerBuilder().withName(PlatformInspector.GATEWAY_CONTAINER)
                    .withImage("nginxinc/nginx-unprivileged:1.29.3-alpine")
                    .addNewPort().withName("http").withContainerPort(8080).endPort()
                    .addNewPort().withName("metrics").withContainerPort(METRICS_PORT).endPort()
                    .withNewResources().addToLimits("memory", new Quantity("128Mi")).endResources()
                    .build()).endSpec();
        }
        if (spec.dwsState() != null) {
            b.editMetadata().addToAnnotations("autoscaling.x-k8s.io/consume-provisioning-request", provisioningRequestName())
                    .addToAnnotations("autoscaling.x-k8s.io/provisioning-class-name", "queued-provisioning.gke.io").endMetadata();
        }
        return b.build();
    }

    private void seed() {
        String ns = spec.namespace();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        boolean provisioned = spec.dwsState() == null || spec.dwsState().equals("Provisioned");
        PodTemplateSpec template = podTemplate();
        Deployment d = new DeploymentBuilder().withNewMetadata().withName(spec.release()).withNamespace(ns)
                .withLabels(labels()).endMetadata()
                .withNewSpec().withReplicas(spec.replicas()).withNewSelector().addToMatchLabels("app.kubernetes.io/name", "ai-inference")
                .addToMatchLabels("app.kubernetes.io/instance", spec.release()).endSelector()
                .withTemplate(template).endSpec()
                .build();
        client.apps().deployments().inNamespace(ns).resource(d).create();
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName(spec.release()).withLabels(labels()).endMetadata()
                .withNewSpec().withMinReplicas(spec.hpaMin()).withMaxReplicas(spec.hpaMax())
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(spec.release()).endScaleTargetRef()
                .endSpec().build()).create();
        client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(spec.release())
                .withLabels(labels()).endMetadata().withNewSpec().withType("LoadBalancer")
                .addNewPort().withName("http").withPort(8000).withNewTargetPort("http").endPort()
                .withSelector(Map.of("app.kubernetes.io/name", "ai-inference", "app.kubernetes.io/instance", spec.release()))
                .endSpec().withNewStatus().withNewLoadBalancer().addNewIngress().withIp("127.0.0.1").endIngress()
                .endLoadBalancer().endStatus().build()).create();
        if (spec.dwsState() != null) {
            GenericKubernetesResource pr = new GenericKubernetesResourceBuilder().withApiVersion("autoscaling.x-k8s.io/v1")
                    .withKind("ProvisioningRequest").withNewMetadata().withName(provisioningRequestName()).withNamespace(ns)
                    .withLabels(labels()).endMetadata().build();
            pr.setAdditionalProperty("spec", Map.of("provisioningClassName", "queued-provisioning.gke.io",
                    "podSets", List.of(Map.of("count", spec.replicas(), "podTemplateRef", Map.of("name", provisioningRequestName()))),
                    "parameters", Map.of("maxRunDurationSeconds", "604800")));
            List<Map<String, Object>> conditions = new ArrayList<>();
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            for (String[] c : DWS_STATES.get(spec.dwsState())) {
                conditions.add(Map.of("type", c[0], "status", c[1], "reason", c[2], "message", c[3], "lastTransitionTime", now));
            }
            pr.setAdditionalProperty("status", Map.of("conditions", conditions));
            client.genericKubernetesResources(PlatformInspector.PROVISIONING_REQUESTS).inNamespace(ns).resource(pr).create();
        }
        // Nodes and pods exist only once capacity is there: a queued request that is not Provisioned has none.
        if (provisioned) {
            for (int i = 0; i < spec.replicas(); i++) {
                String node = nodeName(i);
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node)
                        .addToLabels("cloud.google.com/gke-nodepool", "l4-pool")
                        .addToLabels("cloud.google.com/gke-accelerator", "nvidia-l4").endMetadata()
                        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("1"))
                        .addToAllocatable("memory", new Quantity("45474648Ki")).endStatus().build()).create();
                client.pods().inNamespace(ns).resource(pod(podNames.get(i), node, template)).create();
            }
        }
        syncControllers();
    }

    private static String nodeName(int i) {
        return String.format(Locale.ROOT, "gke-simulated-l4-pool-%08x-%04d", 0x5eed1234, i);
    }

    private Pod pod(String name, String node, PodTemplateSpec template) {
        List<ContainerStatus> statuses = template.getSpec().getContainers().stream()
                .map(c -> new ContainerStatusBuilder().withName(c.getName()).withReady(true).withRestartCount(0)
                        .withStarted(true).withNewState().withNewRunning().withStartedAt(Instant.now().toString())
                        .endRunning().endState().build())
                .toList();
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(spec.namespace())
                .withLabels(template.getMetadata().getLabels())
                .addToLabels("pod-template-hash", POD_TEMPLATE_HASH)
                .withAnnotations(template.getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(template.getSpec()).withNodeName(node).build())
                .withNewStatus().withPhase("Running").withQosClass("Burstable")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewCondition().withType("ContainersReady").withStatus("True").endCondition()
                .withContainerStatuses(statuses).endStatus()
                .build();
    }

    /** Keeps Deployment and HPA status in step with the pods, as their controllers would. */
    private synchronized void syncControllers() {
        String ns = spec.namespace();
        List<Pod> pods = client.pods().inNamespace(ns).withLabels(Map.of("app.kubernetes.io/instance", spec.release())).list().getItems();
        int ready = (int) pods.stream().filter(p -> p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))).count();
        var d = client.apps().deployments().inNamespace(ns).withName(spec.release()).get();
        d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(pods.size())
                .withReadyReplicas(ready).withAvailableReplicas(ready).withUpdatedReplicas(pods.size()).build());
        client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
        var h = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(spec.release()).get();
        h.setStatus(new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder()
                .withCurrentReplicas(pods.size()).withDesiredReplicas(spec.replicas()).build());
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(h).updateStatus();
        for (Pod p : pods) {
            Integer i = replicaOfPod.get(p.getMetadata().getName());
            if (i != null) {
                front.backends().get(i).setReady(p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
            }
        }
    }

    // ---- faults, as the kubelet and the eviction manager would report them ----

    /** Marks a pod (not) Ready; the front stops (or resumes) routing to it like the Service's endpoints would. */
    public synchronized void setReady(String pod, boolean ready) {
        Pod p = client.pods().inNamespace(spec.namespace()).withName(pod).get();
        if (p == null) {
            throw new IllegalArgumentException("no pod " + pod);
        }
        String s = ready ? "True" : "False";
        p.getStatus().getConditions().forEach(c -> c.setStatus(s));
        p.getStatus().getContainerStatuses().stream().filter(c -> c.getName().equals(PlatformInspector.OLLAMA_CONTAINER))
                .forEach(c -> c.setReady(ready));
        client.pods().inNamespace(spec.namespace()).resource(p).updateStatus();
        syncControllers();
    }

    /**
     * The {@code ollama} container of {@code pod} ends ({@code OOMKilled}, exit 137, or {@code Error}, exit 1) and is
     * restarted by the kubelet: restart count +1, last state terminated with that reason, not Ready for
     * {@code downFor}, then Ready again. Answers it was streaming end unfinished.
     */
    public synchronized void restart(String pod, boolean oomKilled, Duration downFor) {
        Pod p = client.pods().inNamespace(spec.namespace()).withName(pod).get();
        if (p == null) {
            throw new IllegalArgumentException("no pod " + pod);
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
            if (c.getName().equals(PlatformInspector.OLLAMA_CONTAINER)) {
                c.setRestartCount(c.getRestartCount() + 1);
                c.setReady(false);
                c.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
                        .withReason(oomKilled ? "OOMKilled" : "Error").withExitCode(oomKilled ? 137 : 1)
                        .withFinishedAt(now).endTerminated().build());
            }
        }
        p.getStatus().getConditions().forEach(c -> c.setStatus("False"));
        client.pods().inNamespace(spec.namespace()).resource(p).updateStatus();
        syncControllers();
        // The old container took its in-flight answers with it.
        front.backends().get(replicaOfPod.get(pod)).dropInFlight();
        timers.schedule(() -> setReady(pod, true), downFor.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The eviction manager evicts {@code pod} (node memory pressure) and the ReplicaSet replaces it with a new pod
     * (new name and uid) on the same node, Ready after {@code downFor}.
     */
    public synchronized String evict(String pod, Duration downFor) {
        Pod p = client.pods().inNamespace(spec.namespace()).withName(pod).get();
        if (p == null) {
            throw new IllegalArgumentException("no pod " + pod);
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.v1().events().inNamespace(spec.namespace()).resource(new EventBuilder().withNewMetadata()
                .withName(pod + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(spec.namespace())
                .withUid(p.getMetadata().getUid()).endInvolvedObject()
                .withReason("Evicted").withType("Warning")
                .withMessage("The node was low on resource: memory.")
                .withFirstTimestamp(now).withLastTimestamp(now).build()).create();
        client.pods().inNamespace(spec.namespace()).withName(pod).delete();
        int index = replicaOfPod.remove(pod);
        front.backends().get(index).setReady(false);
        front.backends().get(index).dropInFlight();
        String replacement = podName(spec.release(), index + spec.replicas() * (1 + replacements++));
        replicaOfPod.put(replacement, index);
        podNames.set(index, replacement);
        Pod fresh = pod(replacement, p.getSpec().getNodeName(), podTemplate());
        fresh.getStatus().getConditions().forEach(c -> c.setStatus("False"));
        client.pods().inNamespace(spec.namespace()).resource(fresh).create();
        syncControllers();
        timers.schedule(() -> setReady(replacement, true), downFor.toMillis(), TimeUnit.MILLISECONDS);
        return replacement;
    }

    /**
     * Like the chart's NetworkPolicy on a cluster that enforces it: ingress only to the gateway's ports, so the API
     * server's pod proxy cannot reach Ollama's own port 11434.
     */
    public void enforceNetworkPolicy(boolean on) {
        networkPolicy = on;
    }

    // ---- the API server's pod proxy ----

    /**
     * Serves {@code /api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH} like the API server does: 404 for a pod that
     * does not exist, the gateway's stub_status on 8081 (from the replica's real counter; the scrape itself counts,
     * as in nginx), a pass-through to the replica on 11434, and 503 "connection refused" where nothing listens.
     * Everything else is fabric8's CRUD mock.
     */
    private final class PodProxyDispatcher extends KubernetesMixedDispatcher {
        PodProxyDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            Matcher m = POD_PROXY.matcher(request.getPath().split("\\?", 2)[0]);
            if (!m.matches()) {
                return super.dispatch(request);
            }
            String ns = m.group(1);
            String pod = m.group(2);
            int port = Integer.parseInt(m.group(3));
            Integer replica = ns.equals(spec.namespace()) ? replicaOfPod.get(pod) : null;
            if (replica == null) {
                return status(404, "pods \"" + pod + "\" not found");
            }
            RoundRobinFront.Backend backend = front.backends().get(replica);
            if (port == METRICS_PORT && spec.gateway() && m.group(4).equals("stub_status")) {
                long requests = backend.countDirect();
                long active = backend.inFlight() + 1;
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain")
                        .setBody(new StubStatus(active, requests, requests, requests).render(0, active, 0));
            }
            if (port == OLLAMA_PORT && networkPolicy && spec.gateway()) {
                return status(503, "error trying to reach service: dial tcp 10.8.0." + (replica + 10) + ":" + port
                        + ": i/o timeout");
            }
            if (port == OLLAMA_PORT) {
                try {
                    HttpResponse<String> r = proxyClient.send(HttpRequest.newBuilder(backend.base().resolve("/" + m.group(4)))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    return new MockResponse().setResponseCode(r.statusCode()).setBody(r.body());
                } catch (IOException e) {
                    return status(503, "error trying to reach service: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return status(503, "interrupted");
                }
            }
            return status(503, "error trying to reach service: dial tcp 10.8.0." + (replica + 10) + ":" + port
                    + ": connect: connection refused");
        }

        private MockResponse status(int code, String message) {
            String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                    + Serialization.asJson(message) + ",\"code\":" + code + "}";
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        client.close();
        server.shutdown();
        front.close();
    }
}
