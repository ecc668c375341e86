package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.chart.StubStatus;
import com.aiinference.config.ConfigKeys;
import com.aiinference.kube.GkeApi;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for a deployed release, for the verify walk-through and tests: fabric8's Kubernetes mock API
 * server in CRUD mode on 127.0.0.1, seeded with what {@code charts/ai-inference} renders for the simulated settings
 * ({@link ChartSeed}: Deployment, HPA, Service, ServiceAccount, ConfigMaps, PDB, NetworkPolicy, and with DWS the
 * PodTemplate and ProvisioningRequest) plus what the controllers would add (a ReplicaSet, one Ready pod per GPU node
 * made from the Deployment's pod template, the nodes, statuses, the ProvisioningRequest's conditions for a chosen
 * state), a {@link RoundRobinFront}
 * standing in for the LoadBalancer over the given replica servers, and the API server's pod proxy answering
 * {@code :8081/proxy/stub_status} from each replica's real request counter and {@code :11434/proxy/...} from the
 * replica itself. Faults (restart, OOM kill, eviction, not ready) change the API objects the way the kubelet would.
 */
public final class SimulatedCluster implements AutoCloseable {
    private static final Pattern POD_PROXY = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/:]+):(\\d+)/proxy/(.*)$");
    private static final String POD_TEMPLATE_HASH = "6d5f8c7b9";
    private static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    /** How the simulated release is configured (the chart values and stack outputs that verify compares with). */
    public record Spec(String namespace, String release, int replicas, String model, String memoryLimit,
            boolean gateway, String dwsState, int hpaMin, int hpaMax, int numParallel, String engine) {
        /** The stack's default OLLAMA_NUM_PARALLEL (and the fake replicas' default parallelism). */
        public static final int DEFAULT_NUM_PARALLEL = 8;

        public Spec {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
            }
            if (dwsState != null && !DWS_STATES.containsKey(dwsState)) {
                throw new IllegalArgumentException("unknown DWS state '" + dwsState + "', expected one of " + DWS_STATES.keySet());
            }
            java.util.Objects.requireNonNull(engine, "engine");
        }

        public static Spec defaults(int replicas) {
            return new Spec(ChartContract.CHART_NAME, ChartContract.CHART_NAME, replicas, ChartContract.DEFAULT_MODEL, "40Gi", true,
                    null, replicas, replicas, DEFAULT_NUM_PARALLEL, ChartContract.ENGINE_OLLAMA);
        }

        public Spec withDwsState(String state) {
            return new Spec(namespace, release, replicas, model, memoryLimit, gateway, state, hpaMin, hpaMax, numParallel, engine);
        }

        public Spec withGateway(boolean g) {
            return new Spec(namespace, release, replicas, model, memoryLimit, g, dwsState, hpaMin, hpaMax, numParallel, engine);
        }

        public Spec withHpa(int min, int max) {
            return new Spec(namespace, release, replicas, model, memoryLimit, gateway, dwsState, min, max, numParallel, engine);
        }

        public Spec withMemoryLimit(String limit) {
            return new Spec(namespace, release, replicas, model, limit, gateway, dwsState, hpaMin, hpaMax, numParallel, engine);
        }

        public Spec withModel(String m) {
            return new Spec(namespace, release, replicas, m, memoryLimit, gateway, dwsState, hpaMin, hpaMax, numParallel, engine);
        }

        /** OLLAMA_NUM_PARALLEL of the rendered pods: the slots each fake replica serves at once. */
        public Spec withNumParallel(int n) {
            return new Spec(namespace, release, replicas, model, memoryLimit, gateway, dwsState, hpaMin, hpaMax, n, engine);
        }

        /** The chart's engine: the pods' inference container ({@code ollama} or {@code vllm}) and what the replicas speak. */
        public Spec withEngine(String e) {
            return new Spec(namespace, release, replicas, model, memoryLimit, gateway, dwsState, hpaMin, hpaMax, numParallel, e);
        }

        /** The inference container the chart renders for this engine. */
        public String inferenceContainer() {
            return ChartContract.inferenceContainer(engine);
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
        // What a healthy request looks like some minutes after the nodes came up: the autoscaler's booking ran out
        // (it adds this to every Provisioned request, consumed or not); the nodes and pods stay.
        m.put("BookingExpired", List.of(new String[] {"Accepted", "True", "Accepted", "request accepted"},
                new String[] {"Provisioned", "True", "Provisioned", "capacity is available: 1 nodes per pod set"},
                new String[] {"BookingExpired", "True", "CapacityReservationTimeExpired", "Capacity reservation time is expired"}));
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
    private final RenderedChart chart;
    /** The chart's Deployment as rendered; its pod template is what every simulated pod is made from. */
    private final Deployment deployment;
    private final PodTemplateSpec template;
    /** Container ports by the names verify looks up ({@code ollama}, {@code metrics}); -1 when the chart has none. */
    /** The inference container's API port (Ollama's 11434, vLLM's 8000): the pod proxy passes it to the replica. */
    private final int inferencePort;
    private final int metricsPort;
    /** Ports the chart's NetworkPolicy admits; null = all. */
    private final Set<Integer> policyPorts;
    private volatile String replicaSetUid;
    private final List<HasMetadata> seeded = new ArrayList<>();
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final RoundRobinFront front;
    private final SimulatedJobs jobs;
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

    private SimulatedCluster(Spec spec, List<URI> replicas, RenderedChart chart) {
        if (replicas.size() != spec.replicas()) {
            throw new IllegalArgumentException(spec.replicas() + " replicas configured but " + replicas.size() + " servers given");
        }
        this.spec = spec;
        this.chart = chart;
        this.deployment = chart.single(Deployment.class)
                .orElseThrow(() -> new IllegalStateException("the chart rendered no Deployment"));
        this.template = deployment.getSpec().getTemplate();
        this.inferencePort = namedPort(template, spec.inferenceContainer(), ChartContract.inferencePortName(spec.engine()));
        this.metricsPort = namedPort(template, ChartContract.GATEWAY_CONTAINER, ChartContract.METRICS_PORT_NAME);
        this.policyPorts = networkPolicyPorts(chart, template);
        this.front = RoundRobinFront.start(replicas, 0);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        this.server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new PodProxyDispatcher(responses), false);
        server.start(InetAddress.getLoopbackAddress(), 0);
        this.client = new KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig())).build();
        // loadtest/verify --in-cluster: worker Jobs run here, their load aimed at the front as the Service would be.
        this.jobs = new SimulatedJobs(client, front.baseUri(), Map.of());
        for (int i = 0; i < spec.replicas(); i++) {
            String name = podName(deploymentName(), i);
            podNames.add(name);
            replicaOfPod.put(name, i);
        }
        seed();
    }

    /**
     * Starts the mock API server, seeded from the project's chart ({@link ChartRenderer#projectChart()}), and the front
     * over {@code replicas} (one base URI per replica, in pod order).
     */
    public static SimulatedCluster start(Spec spec, List<URI> replicas) {
        return start(spec, replicas, ChartSeed.render(spec, ChartRenderer.projectChart()));
    }

    /** As {@link #start(Spec, List)}, seeded with {@code chart}: the render of {@link ChartSeed#render} for {@code spec}. */
    public static SimulatedCluster start(Spec spec, List<URI> replicas, RenderedChart chart) {
        quietMockServerLogs();
        return new SimulatedCluster(spec, replicas, chart);
    }

    /** The mock server logs every request at INFO through java.util.logging; a demo terminal wants none of it. */
    static void quietMockServerLogs() {
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** Held strongly: java.util.logging keeps only weak references, and a collected logger forgets its level. */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    /** A pod name of the Deployment {@code deployment} (the chart's fullname: the release's name for the default release). */
    public static String podName(String deployment, int index) {
        // Deterministic names shaped like the ReplicaSet's: <deployment>-<template hash>-<5 chars>.
        StringBuilder suffix = new StringBuilder();
        long x = 0x9E3779B97F4A7C15L * (index + 1);
        for (int i = 0; i < 5; i++) {
            suffix.append(SUFFIX_ALPHABET.charAt((int) Math.floorMod(x >>> (i * 7), (long) SUFFIX_ALPHABET.length())));
        }
        return deployment + "-" + POD_TEMPLATE_HASH + "-" + suffix;
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
        return front.baseUri().resolve(ChartContract.generatePath(spec.engine()));
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

    /** The gateway's API key, as a stack with {@code apiKeys} set has it; null when the front admits everyone. */
    private volatile String apiKey;

    /** Requires this bearer key at the front (401 without it) and lists it as the secret {@code apiKey} output. */
    public void requireApiKey(String key) {
        this.apiKey = key;
        front.requireApiKeys(java.util.Set.of(key));
    }

    /** The outputs {@code pulumi stack output --json --show-secrets} would print for this release. */
    public Map<String, Object> outputs() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("externalIp", "127.0.0.1");
        o.put("endpoint", endpoint().toString());
        o.put("clusterName", "simulated");
        o.put("location", "local");
        o.put("gpuNodePool", ChartSeed.GPU_NODE_POOL);
        o.put("namespace", spec.namespace());
        o.put("serviceName", chart.single(io.fabric8.kubernetes.api.model.Service.class)
                .map(x -> x.getMetadata().getName()).orElse(deploymentName()));
        o.put("releaseName", spec.release());
        o.put("kubeconfig", kubeconfig());
        o.put("replicas", spec.replicas());
        o.put("model", spec.model());
        o.put("engine", spec.engine());
        o.put("memoryLimit", spec.memoryLimit());
        o.put("dwsEnabled", spec.dwsState() != null);
        o.put("hpaPinned", spec.hpaPinned());
        o.put("workerImageRepository", "simulated.local/ai-inference");
        if (apiKey != null) {
            o.put("apiKey", apiKey);
        }
        return o;
    }

    // ---- what the chart creates, then what the controllers add ----

    /** The chart's render this cluster was seeded with. */
    public RenderedChart chart() {
        return chart;
    }

    /** The rendered objects the release created in the mock API server (all but the {@code helm test} hook). */
    public List<HasMetadata> seededObjects() {
        return List.copyOf(seeded);
    }

    /** The Deployment's name as the chart renders it (its fullname). */
    public String deploymentName() {
        return deployment.getMetadata().getName();
    }

    /** The ProvisioningRequest's name as the chart renders it (it ends in a hash of its spec); empty without DWS. */
    public java.util.Optional<String> provisioningRequestName() {
        return chart.ofKind("ProvisioningRequest").stream().map(o -> o.getMetadata().getName()).findFirst();
    }

    private static int namedPort(PodTemplateSpec template, String container, String portName) {
        return template.getSpec().getContainers().stream().filter(c -> container.equals(c.getName()))
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> portName.equals(p.getName())).map(ContainerPort::getContainerPort)
                .filter(java.util.Objects::nonNull).findFirst().orElse(-1);
    }

    /**
     * The pod ports the chart's NetworkPolicy admits ingress to (named ports resolved against the pod template);
     * null when it admits every port (no policy, or a rule without ports).
     */
    private static Set<Integer> networkPolicyPorts(RenderedChart chart, PodTemplateSpec template) {
        List<NetworkPolicy> policies = chart.ofType(NetworkPolicy.class);
        if (policies.isEmpty()) {
            return null;
        }
        Set<Integer> ports = new java.util.TreeSet<>();
        for (NetworkPolicy np : policies) {
            for (var rule : np.getSpec().getIngress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()
                    : np.getSpec().getIngress()) {
                if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
                    return null;
                }
                for (var p : rule.getPorts()) {
                    IntOrString port = p.getPort();
                    if (port == null) {
                        return null;
                    }
                    if (port.getIntVal() != null) {
                        ports.add(port.getIntVal());
                    } else {
                        template.getSpec().getContainers().stream()
                                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                                .filter(cp -> port.getStrVal().equals(cp.getName()))
                                .forEach(cp -> ports.add(cp.getContainerPort()));
                    }
                }
            }
        }
        return ports;
    }

    private void seed() {
        String ns = spec.namespace();
        // The stack creates the namespace; the Helm release creates everything it renders but its test hook.
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        for (HasMetadata rendered : chart.objects()) {
            HasMetadata o = Serialization.clone(rendered);
            if (isTestHook(o)) {
                continue;
            }
            o.getMetadata().setNamespace(ns);
            seeded.add(rendered);
            if (o instanceof io.fabric8.kubernetes.api.model.Service svc) {
                // What the service and cloud controllers fill in: a cluster IP and the load balancer's address.
                svc.getSpec().setClusterIP("10.20.0.10");
                if ("LoadBalancer".equals(svc.getSpec().getType())) {
                    svc.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer()
                            .addNewIngress().withIp("127.0.0.1").endIngress().endLoadBalancer().build());
                }
            }
            if (o instanceof Deployment d && d.getSpec().getReplicas() == null) {
                // With autoscaling the chart leaves replicas to the HPA, which sets them through the scale subresource.
                d.getSpec().setReplicas(spec.replicas());
            }
            if (o instanceof GenericKubernetesResource pr && "ProvisioningRequest".equals(pr.getKind())) {
                pr.setAdditionalProperty("status", Map.of("conditions", provisioningConditions()));
                client.genericKubernetesResources(GkeApi.PROVISIONING_REQUESTS).inNamespace(ns).resource(pr).create();
            } else if (o instanceof GenericKubernetesResource g) {
                throw new IllegalStateException("the chart rendered a " + g.getApiVersion() + " " + g.getKind()
                        + " the simulation does not know how to create");
            } else {
                client.resource(o).inNamespace(ns).create();
            }
        }
        // The Deployment controller's ReplicaSet owns the pods.
        var rs = new ReplicaSetBuilder().withNewMetadata().withName(deploymentName() + "-" + POD_TEMPLATE_HASH).withNamespace(ns)
                .withLabels(podLabels()).withAnnotations(template.getMetadata().getAnnotations())
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName(deploymentName())
                .withUid(client.apps().deployments().inNamespace(ns).withName(deploymentName()).get().getMetadata().getUid())
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withReplicas(spec.replicas()).withNewSelector().withMatchLabels(podLabels()).endSelector()
                .withNewTemplateLike(template).editMetadata().withLabels(podLabels()).endMetadata().endTemplate().endSpec()
                .build();
        replicaSetUid = client.apps().replicaSets().inNamespace(ns).resource(rs).create().getMetadata().getUid();
        // Nodes and pods exist only once capacity is there: a queued request that is not Provisioned has none.
        boolean provisioned = spec.dwsState() == null || List.of("Provisioned", "BookingExpired").contains(spec.dwsState());
        if (provisioned) {
            for (int i = 0; i < spec.replicas(); i++) {
                String node = createNode(i, 1);
                client.pods().inNamespace(ns).resource(pod(podNames.get(i), node)).create();
            }
        }
        syncControllers();
    }

    /**
     * A GPU node the pods' nodeSelector matches (the GPU pool's labels the chart selects on), advertising {@code gpus}
     * allocatable {@code nvidia.com/gpu} (0 while GKE's driver installer runs).
     */
    private String createNode(int i, int gpus) {
        String node = nodeName(i);
        Map<String, String> nodeLabels = new LinkedHashMap<>();
        if (template.getSpec().getNodeSelector() != null) {
            nodeLabels.putAll(template.getSpec().getNodeSelector());
        }
        nodeLabels.put("kubernetes.io/hostname", node);
        // What Kubernetes and GKE label a GPU node with: the machine type, and the driver channel the stack asks for.
        nodeLabels.put("node.kubernetes.io/instance-type", String.valueOf(ConfigKeys.GPU_MACHINE_TYPE.defaultValue()));
        nodeLabels.put("cloud.google.com/gke-gpu-driver-version",
                String.valueOf(ConfigKeys.GPU_DRIVER_VERSION.defaultValue()).toLowerCase(java.util.Locale.ROOT));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).withLabels(nodeLabels)
                .withCreationTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).endMetadata()
                .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity(String.valueOf(gpus)))
                .addToAllocatable("memory", new Quantity("45474648Ki")).endStatus().build()).createOr(n -> n.update());
        return node;
    }

    // ---- the DWS walk: a queued request's way to serving, step by step ----

    /** The stages {@link #walkTo} moves the release through, in the order a real deployment passes them. */
    public enum WalkStage {
        /** The request exists, the autoscaler has not looked at it; pods exist and wait for a node. */
        PENDING,
        /** Accepted into the queue; Provisioned=False while it waits for capacity. */
        ACCEPTED,
        /** Provisioned: all nodes joined at once, GKE's driver installer still running (no GPU allocatable). */
        PROVISIONED,
        /** GPUs allocatable; the pods are scheduled and pull their image. */
        DRIVER_READY,
        /** Containers run; the entrypoint pulls and loads the model (not Ready yet). */
        MODEL_LOADING,
        /** Every pod Ready with the model loaded: what a cluster seeded as Provisioned looks like. */
        READY
    }

    private volatile WalkStage walked;

    /**
     * Moves a cluster started with DWS state Pending (no nodes, no pods) to {@code stage}, changing the objects the way
     * the autoscaler, the node pool, the scheduler and the kubelet would. Stages only go forward.
     */
    public synchronized void walkTo(WalkStage stage) {
        if (!"Pending".equals(spec.dwsState())) {
            throw new IllegalStateException("the DWS walk starts from a cluster seeded with DWS state Pending");
        }
        WalkStage from = walked;
        for (WalkStage s : WalkStage.values()) {
            if ((from == null || s.compareTo(from) > 0) && s.compareTo(stage) <= 0) {
                walked = s;
                apply(s);
            }
        }
        syncControllers();
    }

    /** Walks from PENDING to READY on the simulation's timer, one stage per {@code step}. */
    public void startWalk(Duration step) {
        walkTo(WalkStage.PENDING);
        WalkStage[] stages = WalkStage.values();
        for (int i = 1; i < stages.length; i++) {
            WalkStage s = stages[i];
            timers.schedule(() -> walkTo(s), step.toMillis() * i, TimeUnit.MILLISECONDS);
        }
    }

    private void apply(WalkStage stage) {
        String ns = spec.namespace();
        switch (stage) {
            case PENDING -> {
                for (String name : podNames) {
                    replacePod(waitingPod(name, null, null));
                }
            }
            case ACCEPTED -> setProvisioningConditions("Accepted");
            case PROVISIONED -> {
                setProvisioningConditions("Provisioned");
                for (int i = 0; i < spec.replicas(); i++) {
                    createNode(i, 0);
                }
                // The scheduler now sees the GPU nodes too, without allocatable GPUs until the driver is installed.
                for (String name : podNames) {
                    replacePod(waitingPod(name, null, null));
                }
            }
            case DRIVER_READY -> {
                for (int i = 0; i < spec.replicas(); i++) {
                    createNode(i, 1);
                    replacePod(waitingPod(podNames.get(i), nodeName(i), "ContainerCreating"));
                }
            }
            case MODEL_LOADING -> {
                for (int i = 0; i < spec.replicas(); i++) {
                    Pod p = pod(podNames.get(i), nodeName(i));
                    setReadiness(p, "False");
                    p.getStatus().getContainerStatuses().forEach(c -> c.setReady(false));
                    replacePod(p);
                }
            }
            case READY -> {
                for (int i = 0; i < spec.replicas(); i++) {
                    replacePod(pod(podNames.get(i), nodeName(i)));
                }
            }
        }
        if (ns.isEmpty()) {
            throw new IllegalStateException("no namespace");
        }
    }

    /**
     * What the scheduler says of a GPU pod with no node: the system pool's nodes do not match its node selector, and
     * joined GPU nodes whose driver is still installing have no allocatable GPU.
     */
    private String unschedulableMessage() {
        int gpuNodes = walked != null && walked.compareTo(WalkStage.PROVISIONED) >= 0 ? spec.replicas() : 0;
        return "0/" + (SYSTEM_NODES + gpuNodes) + " nodes are available: " + SYSTEM_NODES + " node(s) didn't match Pod's"
                + " node affinity/selector" + (gpuNodes > 0 ? ", " + gpuNodes + " Insufficient nvidia.com/gpu" : "")
                + ". preemption: not eligible" + (gpuNodes > 0 ? "" : "; waiting for the ProvisioningRequest's nodes");
    }

    /** Nodes of the system pool the simulated cluster stands for (not created as objects). */
    private static final int SYSTEM_NODES = 3;

    /** Replaces a pod in one update, so a reader never sees it missing (a delete and a create would show a gap). */
    private void replacePod(Pod p) {
        var pods = client.pods().inNamespace(spec.namespace());
        Pod current = pods.withName(p.getMetadata().getName()).get();
        if (current == null) {
            pods.resource(p).create();
        } else {
            p.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            pods.resource(p).update();
        }
    }

    /** The request's conditions as the named state of {@link #DWS_STATES} shows them, stamped now. */
    private void setProvisioningConditions(String state) {
        var requests = client.genericKubernetesResources(GkeApi.PROVISIONING_REQUESTS).inNamespace(spec.namespace());
        for (GenericKubernetesResource pr : requests.list().getItems()) {
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            List<Map<String, Object>> conditions = new ArrayList<>();
            for (String[] c : DWS_STATES.get(state)) {
                conditions.add(Map.of("type", c[0], "status", c[1], "reason", c[2], "message", c[3], "lastTransitionTime", now));
            }
            pr.setAdditionalProperty("status", Map.of("conditions", conditions));
            requests.resource(pr).update();
        }
    }

    /**
     * A pod the ReplicaSet created that is not running yet: unscheduled (no node: PodScheduled=False, as the scheduler
     * reports a pod waiting for queued capacity), or scheduled with its containers waiting ({@code reason}).
     */
    private Pod waitingPod(String name, String node, String reason) {
        Pod p = pod(name, node);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        p.getStatus().setPhase("Pending");
        p.getStatus().setConditions(new ArrayList<>(List.of(node == null
                ? new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason("Unschedulable").withMessage(unschedulableMessage())
                        .withLastTransitionTime(now).build()
                : new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("PodScheduled").withStatus("True")
                        .withLastTransitionTime(now).build())));
        p.getStatus().setContainerStatuses(node == null ? List.of() : template.getSpec().getContainers().stream()
                .map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(false)
                        .withRestartCount(0).withStarted(false).withNewState().withNewWaiting().withReason(reason)
                        .endWaiting().endState().build())
                .toList());
        p.getStatus().setInitContainerStatuses(List.of());
        if (node == null) {
            p.getSpec().setNodeName(null);
        }
        return p;
    }

    /** {@code helm install} does not create test hooks ({@code helm test} does). */
    private static boolean isTestHook(HasMetadata o) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        String hook = annotations == null ? null : annotations.get("helm.sh/hook");
        return hook != null && java.util.Arrays.stream(hook.split(",")).map(String::strip)
                .anyMatch(h -> h.equals("test") || h.equals("test-success"));
    }

    private List<Map<String, Object>> provisioningConditions() {
        List<Map<String, Object>> conditions = new ArrayList<>();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (String[] c : DWS_STATES.get(spec.dwsState())) {
            conditions.add(Map.of("type", c[0], "status", c[1], "reason", c[2], "message", c[3], "lastTransitionTime", now));
        }
        return conditions;
    }

    /** The pod template's labels plus the ReplicaSet's {@code pod-template-hash}. */
    private Map<String, String> podLabels() {
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
        labels.put("pod-template-hash", POD_TEMPLATE_HASH);
        return labels;
    }

    private static String nodeName(int i) {
        return String.format(Locale.ROOT, "gke-simulated-l4-pool-%08x-%04d", 0x5eed1234, i);
    }

    /** A pod as the ReplicaSet creates it from the Deployment's template, scheduled on {@code node} and running. */
    private Pod pod(String name, String node) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<ContainerStatus> statuses = template.getSpec().getContainers().stream()
                .map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(true)
                        .withRestartCount(0).withStarted(true).withNewState().withNewRunning().withStartedAt(now)
                        .endRunning().endState().build())
                .toList();
        List<ContainerStatus> initStatuses = template.getSpec().getInitContainers() == null ? List.of()
                : template.getSpec().getInitContainers().stream()
                        .map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withReady(true)
                                .withRestartCount(0).withNewState().withNewTerminated().withReason("Completed").withExitCode(0)
                                .withFinishedAt(now).endTerminated().endState().build())
                        .toList();
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(spec.namespace())
                .withLabels(podLabels())
                .withAnnotations(template.getMetadata().getAnnotations())
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName(deploymentName() + "-" + POD_TEMPLATE_HASH).withUid(replicaSetUid).withController(true)
                .endOwnerReference()
                .endMetadata()
                .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(template.getSpec()).withNodeName(node).build())
                .withNewStatus().withPhase("Running").withQosClass(qosClass(template.getSpec().getContainers()))
                .withHostIP("10.10.0." + (10 + podNames.indexOf(name) % 200))
                .addNewCondition().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("Initialized").withStatus("True").withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("ContainersReady").withStatus("True").withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now).endCondition()
                .withContainerStatuses(statuses).withInitContainerStatuses(initStatuses).endStatus()
                .build();
    }

    /** Kubernetes' QoS class: Guaranteed when every container's cpu and memory requests equal its limits. */
    static String qosClass(List<Container> containers) {
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : containers) {
            Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null
                    ? Map.of() : c.getResources().getRequests();
            Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null
                    ? Map.of() : c.getResources().getLimits();
            any |= !requests.isEmpty() || !limits.isEmpty();
            for (String r : List.of("cpu", "memory")) {
                Quantity limit = limits.get(r);
                Quantity request = requests.getOrDefault(r, limit);
                if (limit == null || request.getNumericalAmount().compareTo(limit.getNumericalAmount()) != 0) {
                    guaranteed = false;
                }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    private static boolean isReady(Pod p) {
        return p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Keeps Deployment, ReplicaSet, HPA and PDB status in step with the pods, as their controllers would. */
    private synchronized void syncControllers() {
        String ns = spec.namespace();
        List<Pod> pods = client.pods().inNamespace(ns).withLabels(deployment.getSpec().getSelector().getMatchLabels())
                .list().getItems();
        int ready = (int) pods.stream().filter(SimulatedCluster::isReady).count();
        var d = client.apps().deployments().inNamespace(ns).withName(deploymentName()).get();
        d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withObservedGeneration(1L)
                .withReplicas(pods.size()).withReadyReplicas(ready).withAvailableReplicas(ready)
                .withUnavailableReplicas(pods.size() - ready).withUpdatedReplicas(pods.size())
                .addNewCondition().withType("Available").withStatus(ready >= spec.replicas() - maxUnavailable() ? "True" : "False")
                .withReason(ready >= spec.replicas() - maxUnavailable() ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                .endCondition().build());
        client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
        var rs = client.apps().replicaSets().inNamespace(ns).withName(deploymentName() + "-" + POD_TEMPLATE_HASH).get();
        rs.setStatus(new io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder().withReplicas(pods.size())
                .withReadyReplicas(ready).withAvailableReplicas(ready).withFullyLabeledReplicas(pods.size()).build());
        client.apps().replicaSets().inNamespace(ns).resource(rs).updateStatus();
        for (var rendered : chart.ofType(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class)) {
            var h = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(rendered.getMetadata().getName()).get();
            h.setStatus(new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder()
                    .withCurrentReplicas(pods.size()).withDesiredReplicas(spec.replicas()).build());
            client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(h).updateStatus();
        }
        for (var rendered : chart.ofType(PodDisruptionBudget.class)) {
            var pdb = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(rendered.getMetadata().getName()).get();
            int desired = Math.max(0, spec.replicas() - maxUnavailable());
            pdb.setStatus(new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder()
                    .withExpectedPods(pods.size()).withCurrentHealthy(ready).withDesiredHealthy(desired)
                    .withDisruptionsAllowed(Math.max(0, ready - desired)).build());
            client.policy().v1().podDisruptionBudget().inNamespace(ns).resource(pdb).updateStatus();
        }
        for (Pod p : pods) {
            Integer i = replicaOfPod.get(p.getMetadata().getName());
            if (i != null) {
                front.backends().get(i).setReady(isReady(p));
            }
        }
    }

    /** The PDB's maxUnavailable as a pod count (1 when the chart renders none or a percentage). */
    private int maxUnavailable() {
        return chart.ofType(PodDisruptionBudget.class).stream().map(p -> p.getSpec().getMaxUnavailable())
                .filter(java.util.Objects::nonNull).filter(v -> v.getIntVal() != null).map(IntOrString::getIntVal)
                .findFirst().orElse(1);
    }

    // ---- faults, as the kubelet and the eviction manager would report them ----

    /** The kubelet's readiness: Ready and ContainersReady; the pod stays scheduled and initialized. */
    private static void setReadiness(Pod p, String status) {
        p.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready") || c.getType().equals("ContainersReady"))
                .forEach(c -> c.setStatus(status));
    }

    /** Marks a pod (not) Ready; the front stops (or resumes) routing to it like the Service's endpoints would. */
    public synchronized void setReady(String pod, boolean ready) {
        Pod p = client.pods().inNamespace(spec.namespace()).withName(pod).get();
        if (p == null) {
            throw new IllegalArgumentException("no pod " + pod);
        }
        String s = ready ? "True" : "False";
        setReadiness(p, s);
        p.getStatus().getContainerStatuses().stream().filter(c -> c.getName().equals(spec.inferenceContainer()))
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
            if (c.getName().equals(spec.inferenceContainer())) {
                c.setRestartCount(c.getRestartCount() + 1);
                c.setReady(false);
                c.setLastState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated()
                        .withReason(oomKilled ? "OOMKilled" : "Error").withExitCode(oomKilled ? 137 : 1)
                        .withFinishedAt(now).endTerminated().build());
            }
        }
        setReadiness(p, "False");
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
        Pod fresh = pod(replacement, p.getSpec().getNodeName());
        setReadiness(fresh, "False");
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
            java.util.Optional<java.util.Optional<String>> log = "GET".equals(request.getMethod()) && jobs != null
                    ? jobs.log(request.getPath()) : java.util.Optional.empty();
            if (log.isPresent()) {
                return log.get().map(text -> new MockResponse().setResponseCode(200).setBody(text))
                        .orElseGet(() -> status(404, "pod log not found"));
            }
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
            if (port == metricsPort && m.group(4).equals(ChartContract.STUB_STATUS_PATH)) {
                long requests = backend.countDirect();
                long active = backend.inFlight() + 1;
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain")
                        .setBody(new StubStatus(active, requests, requests, requests).render(0, active, 0));
            }
            if (port == metricsPort && m.group(4).equals("metrics")
                    && ChartContract.ENGINE_VLLM.equals(spec.engine())) {
                // The chart's gateway passes vLLM's /metrics on its pod-only port.
                return passThrough(backend, "metrics");
            }
            if (networkPolicy && policyPorts != null && !policyPorts.contains(port)) {
                return status(503, "error trying to reach service: dial tcp 10.8.0." + (replica + 10) + ":" + port
                        + ": i/o timeout");
            }
            if (port == inferencePort) {
                return passThrough(backend, m.group(4));
            }
            return status(503, "error trying to reach service: dial tcp 10.8.0." + (replica + 10) + ":" + port
                    + ": connect: connection refused");
        }

        /** GET {@code path} from the replica itself, as the API server's proxy reaches the pod. */
        private MockResponse passThrough(RoundRobinFront.Backend backend, String path) {
            try {
                HttpResponse<String> r = proxyClient.send(HttpRequest.newBuilder(backend.base().resolve("/" + path))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                return new MockResponse().setResponseCode(r.statusCode()).setBody(r.body());
            } catch (IOException e) {
                return status(503, "error trying to reach service: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status(503, "interrupted");
            }
        }

        private MockResponse status(int code, String message) {
            String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                    + Serialization.asJson(message) + ",\"code\":" + code + "}";
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
        }
    }

    @Override
    public void close() {
        jobs.close();
        timers.shutdownNow();
        client.close();
        try {
            server.shutdown();
        } catch (java.util.concurrent.RejectedExecutionException alreadyDown) {
            // fabric8's MockWebServer.shutdown closes Vert.x, then waits on a future whose listener Vert.x may no longer
            // run ("event executor terminated") on a busy machine: the server is down by then.
        }
        front.close();
    }
}
