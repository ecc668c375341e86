package com.aiinference.status;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.StubStatus;
import com.aiinference.kube.GkeApi;
import com.aiinference.kube.PodProxy;
import com.aiinference.status.PlatformSnapshot.Condition;
import com.aiinference.status.PlatformSnapshot.ContainerState;
import com.aiinference.status.PlatformSnapshot.DeploymentState;
import com.aiinference.status.PlatformSnapshot.EvictionEvent;
import com.aiinference.status.PlatformSnapshot.HpaState;
import com.aiinference.status.PlatformSnapshot.ModelState;
import com.aiinference.status.PlatformSnapshot.PodState;
import com.aiinference.status.PlatformSnapshot.ProvisioningState;
import com.aiinference.status.PlatformSnapshot.RequestCounter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/** Reads a {@link PlatformSnapshot} of one release through the Kubernetes API. */
public final class PlatformInspector {


    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROXY_TIMEOUT_S = 5;

    private final KubernetesClient client;
    private final PlatformTarget target;

    public PlatformInspector(KubernetesClient client, PlatformTarget target) {
        this.client = client;
        this.target = target;
    }

    public PlatformSnapshot snapshot() {
        Instant now = Instant.now();
        Optional<Deployment> deployment = findDeployment(client, target);
        List<Pod> pods = client.pods().inNamespace(target.namespace()).withLabels(target.podSelector()).list()
                .getItems().stream()
                .filter(p -> inferenceComponent(p.getMetadata().getLabels()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        List<PodState> podStates = new ArrayList<>();
        Map<String, String> accelerators = new java.util.concurrent.ConcurrentHashMap<>();
        // All pods at once: a pod proxy that cannot reach the pod (a NetworkPolicy that only admits the gateway's
        // ports drops the API server's connection to 11434) costs one timeout per snapshot, not one per pod.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Math.min(pods.size(), 16)), r -> {
                    Thread t = new Thread(r, "verify-inspect");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<PodState>> futures = new ArrayList<>();
            for (Pod pod : pods) {
                futures.add(pool.submit(() -> podState(pod, accelerators)));
            }
            for (var f : futures) {
                podStates.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while inspecting pods");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new KubernetesClientException(e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
        return new PlatformSnapshot(now,
                deployment.map(PlatformInspector::deploymentState),
                deployment.flatMap(this::findHpa).map(PlatformInspector::hpaState),
                findProvisioningRequestObject(client, target, pods).map(PlatformInspector::provisioningState),
                podStates,
                evictions(deployment.map(d -> d.getMetadata().getName()).orElse(null)));
    }

    static boolean inferenceComponent(Map<String, String> labels) {
        // The helm test pod carries the same name/instance labels; only the inference pods serve traffic.
        String component = labels == null ? null : labels.get(ChartContract.COMPONENT_LABEL);
        return component == null || component.equals(ChartContract.INFERENCE_COMPONENT);
    }

    static Optional<Deployment> findDeployment(KubernetesClient client, PlatformTarget target) {
        return client.apps().deployments().inNamespace(target.namespace()).withLabels(target.podSelector()).list()
                .getItems().stream()
                .filter(d -> inferenceComponent(d.getMetadata().getLabels()))
                .min(Comparator.comparing(d -> d.getMetadata().getName()));
    }

    private static DeploymentState deploymentState(Deployment d) {
        var status = d.getStatus();
        return new DeploymentState(d.getMetadata().getName(),
                d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(),
                status == null ? 0 : zero(status.getReadyReplicas()),
                status == null ? 0 : zero(status.getAvailableReplicas()),
                status == null ? 0 : zero(status.getUpdatedReplicas()));
    }

    private Optional<HorizontalPodAutoscaler> findHpa(Deployment d) {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(target.namespace()).list()
                .getItems().stream()
                .filter(h -> h.getSpec() != null && h.getSpec().getScaleTargetRef() != null
                        && "Deployment".equals(h.getSpec().getScaleTargetRef().getKind())
                        && d.getMetadata().getName().equals(h.getSpec().getScaleTargetRef().getName()))
                .findFirst();
    }

    private static HpaState hpaState(HorizontalPodAutoscaler h) {
        var status = h.getStatus();
        return new HpaState(h.getMetadata().getName(),
                h.getSpec().getMinReplicas() == null ? 1 : h.getSpec().getMinReplicas(),
                zero(h.getSpec().getMaxReplicas()),
                status == null ? 0 : zero(status.getCurrentReplicas()),
                status == null ? 0 : zero(status.getDesiredReplicas()));
    }

    /**
     * The ProvisioningRequest the pods consume (their annotation names it), else the newest one with the release's
     * labels: an upgrade that changed its spec creates a new, differently named request.
     */
    static Optional<GenericKubernetesResource> findProvisioningRequestObject(KubernetesClient client, PlatformTarget target,
                                                                           List<Pod> pods) {
        List<GenericKubernetesResource> requests;
        try {
            requests = client.genericKubernetesResources(GkeApi.PROVISIONING_REQUESTS).inNamespace(target.namespace())
                    .withLabels(target.podSelector()).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty(); // CRD not installed: no DWS on this cluster.
            }
            throw e;
        }
        if (requests.isEmpty()) {
            return Optional.empty();
        }
        List<String> consumed = pods.stream()
                .map(p -> p.getMetadata().getAnnotations() == null ? null
                        : p.getMetadata().getAnnotations().get(ChartContract.CONSUME_PROVISIONING_REQUEST))
                .filter(Objects::nonNull).distinct().toList();
        GenericKubernetesResource chosen = requests.stream()
                .filter(r -> consumed.contains(r.getMetadata().getName())).findFirst()
                .orElseGet(() -> requests.stream()
                        .max(Comparator.comparing(r -> Objects.toString(r.getMetadata().getCreationTimestamp(), "")))
                        .orElseThrow());
        return Optional.of(chosen);
    }

    static ProvisioningState provisioningState(GenericKubernetesResource r) {
        JsonNode status = JSON.valueToTree(r.getAdditionalProperties()).path("status");
        List<Condition> conditions = new ArrayList<>();
        for (JsonNode c : status.path("conditions")) {
            conditions.add(new Condition(c.path("type").asText(), c.path("status").asText(),
                    textOrNull(c, "reason"), textOrNull(c, "message")));
        }
        return new ProvisioningState(r.getMetadata().getName(), phaseOf(conditions), conditions);
    }

    /**
     * Kubernetes autoscaler's ProvisioningRequest conditions: Failed and CapacityRevoked end it; Provisioned=True means
     * the nodes exist; Accepted=True means it waits in the queue (Provisioned=False then carries GKE's reason, e.g.
     * ResourcePoolExhausted or QuotaExceeded); nothing yet means Pending. BookingExpired=True is not a failure by
     * itself: the autoscaler adds it (reason CapacityReservationTimeExpired, or CapacityBookingConsumed once all pods
     * are scheduled) to every request whose Provisioned=True is older than the booking time, consumed or not; the nodes
     * stay until maxRunDurationSeconds. Only without Provisioned=True does it mean the capacity was never obtained.
     */
    public static ProvisioningState.Phase phaseOf(List<Condition> conditions) {
        boolean failed = conditions.stream().anyMatch(c -> c.isTrue()
                && List.of("Failed", "CapacityRevoked").contains(c.type()));
        if (failed) {
            return ProvisioningState.Phase.FAILED;
        }
        boolean provisioned = conditions.stream().anyMatch(c -> c.isTrue() && c.type().equals("Provisioned"));
        if (conditions.stream().anyMatch(c -> c.isTrue() && c.type().equals("BookingExpired"))) {
            return provisioned ? ProvisioningState.Phase.BOOKING_EXPIRED : ProvisioningState.Phase.FAILED;
        }
        if (provisioned) {
            return ProvisioningState.Phase.PROVISIONED;
        }
        if (conditions.stream().anyMatch(c -> c.isTrue() && c.type().equals("Accepted"))) {
            return ProvisioningState.Phase.ACCEPTED;
        }
        return ProvisioningState.Phase.PENDING;
    }

    /** The node's accelerator label; null when the node cannot be read (RBAC without nodes get). */
    private String accelerator(String node, Map<String, String> cache) {
        if (node == null || node.isBlank()) {
            return null;
        }
        if (cache.containsKey(node)) {
            return cache.get(node);
        }
        String value;
        try {
            var n = client.nodes().withName(node).get();
            value = n == null ? null : n.getMetadata().getLabels() == null ? ""
                    : n.getMetadata().getLabels().getOrDefault(GkeApi.ACCELERATOR_LABEL, "");
        } catch (KubernetesClientException e) {
            value = null;
        }
        cache.put(node, value);
        return value;
    }

    private PodState podState(Pod pod, Map<String, String> accelerators) {
        String name = pod.getMetadata().getName();
        List<ContainerState> containers = new ArrayList<>();
        List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                ? List.of() : pod.getStatus().getContainerStatuses();
        for (Container c : pod.getSpec().getContainers()) {
            ContainerStatus s = statuses.stream().filter(st -> c.getName().equals(st.getName())).findFirst().orElse(null);
            var terminated = s == null || s.getLastState() == null ? null : s.getLastState().getTerminated();
            Quantity limit = c.getResources() == null || c.getResources().getLimits() == null ? null
                    : c.getResources().getLimits().get("memory");
            containers.add(new ContainerState(c.getName(),
                    s == null ? 0 : zero(s.getRestartCount()),
                    s != null && Boolean.TRUE.equals(s.getReady()),
                    terminated == null ? null : terminated.getReason(),
                    terminated == null ? null : terminated.getExitCode(),
                    limit == null ? null : limit.toString()));
        }
        boolean ready = Readiness.isPodReady(pod);
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Unknown" : pod.getStatus().getPhase();
        boolean running = "Running".equals(phase);
        return new PodState(name, pod.getMetadata().getUid(), pod.getSpec().getNodeName(), phase, ready,
                containers,
                running ? modelState(pod, ready) : new ModelState(false, "pod is " + phase),
                running ? requestCounter(pod) : RequestCounter.unavailable("pod not running"),
                accelerator(pod.getSpec().getNodeName(), accelerators));
    }

    /**
     * Asks Ollama itself ({@code GET /api/ps} through the API server's pod proxy) which models are in memory: that is
     * the direct evidence, readiness only says the probe passed. When the proxy is refused (RBAC without
     * {@code pods/proxy}, a private cluster's firewall), the pod's readiness stands in: the chart's readiness probe
     * answers only when the model generates, and the report says which evidence was used.
     */
    private ModelState modelState(Pod pod, boolean ready) {
        String model = target.expected().model();
        boolean vllm = pod.getSpec().getContainers().stream().anyMatch(c -> ChartContract.VLLM_CONTAINER.equals(c.getName()));
        if (vllm) {
            return vllmModelState(pod, ready, model);
        }
        int port = containerPort(pod, ChartContract.OLLAMA_CONTAINER, ChartContract.OLLAMA_PORT_NAME, ChartContract.OLLAMA_PORT);
        ProxyAnswer ps = proxyGet(pod.getMetadata().getName(), port, "api/ps");
        if (ps.code() == 200) {
            try {
                List<String> loaded = new ArrayList<>();
                for (JsonNode m : JSON.readTree(ps.body()).path("models")) {
                    loaded.add(m.path("name").asText(m.path("model").asText()));
                }
                if (model == null) {
                    return new ModelState(!loaded.isEmpty(), "/api/ps lists " + (loaded.isEmpty() ? "no model" : loaded));
                }
                boolean found = loaded.stream().anyMatch(n -> sameModel(n, model));
                return new ModelState(found, "/api/ps lists " + (loaded.isEmpty() ? "no model" : String.join(", ", loaded)));
            } catch (Exception e) {
                return new ModelState(ready, "readiness (/api/ps answer unreadable: " + e.getClass().getSimpleName() + ")");
            }
        }
        return new ModelState(ready, "readiness (pod proxy to /api/ps: " + ps.describe() + ")");
    }

    /**
     * vLLM serves only the model it loaded, and {@code GET /v1/models} (through the pod proxy) lists it once it is
     * served; the served name must be the one the stack deployed.
     */
    private ModelState vllmModelState(Pod pod, boolean ready, String model) {
        int port = containerPort(pod, ChartContract.VLLM_CONTAINER, ChartContract.VLLM_PORT_NAME, ChartContract.VLLM_PORT);
        ProxyAnswer answer = proxyGet(pod.getMetadata().getName(), port, "v1/models");
        if (answer.code() == 200) {
            try {
                List<String> served = new ArrayList<>();
                for (JsonNode m : JSON.readTree(answer.body()).path("data")) {
                    served.add(m.path("id").asText());
                }
                boolean found = model == null ? !served.isEmpty() : served.contains(model);
                return new ModelState(found, "/v1/models lists " + (served.isEmpty() ? "no model" : String.join(", ", served)));
            } catch (Exception e) {
                return new ModelState(ready, "readiness (/v1/models answer unreadable: " + e.getClass().getSimpleName() + ")");
            }
        }
        return new ModelState(ready, "readiness (pod proxy to /v1/models: " + answer.describe() + ")");
    }

    /** Ollama names a model without a tag as {@code :latest}. */
    static boolean sameModel(String a, String b) {
        return ChartContract.sameModel(a, b);
    }

    private RequestCounter requestCounter(Pod pod) {
        boolean hasGateway = pod.getSpec().getContainers().stream().anyMatch(c -> ChartContract.GATEWAY_CONTAINER.equals(c.getName()));
        if (!hasGateway) {
            return RequestCounter.unavailable("no gateway container (gateway.enabled=false)");
        }
        int port = containerPort(pod, ChartContract.GATEWAY_CONTAINER, ChartContract.METRICS_PORT_NAME, ChartContract.METRICS_PORT);
        ProxyAnswer answer = proxyGet(pod.getMetadata().getName(), port, ChartContract.STUB_STATUS_PATH);
        if (answer.code() != 200) {
            return RequestCounter.unavailable("stub_status through the pod proxy: " + answer.describe());
        }
        try {
            return RequestCounter.of(StubStatus.parse(answer.body()).requests());
        } catch (IllegalArgumentException e) {
            return RequestCounter.unavailable(e.getMessage());
        }
    }

    private static int containerPort(Pod pod, String container, String portName, int fallback) {
        return pod.getSpec().getContainers().stream().filter(c -> container.equals(c.getName()))
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> portName.equals(p.getName()))
                .map(ContainerPort::getContainerPort).filter(Objects::nonNull).findFirst().orElse(fallback);
    }

    record ProxyAnswer(int code, String body, String error) {
        String describe() {
            return error != null ? error : "HTTP " + code;
        }
    }

    /** GET through {@code /api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH} with the client's credentials. */
    private ProxyAnswer proxyGet(String pod, int port, String path) {
        // Never fails: an error or a timeout completes the answer with its reason.
        PodProxy.Answer a = PodProxy.get(client, target.namespace(), pod, port, path,
                java.time.Duration.ofSeconds(PROXY_TIMEOUT_S)).join();
        return new ProxyAnswer(a.code(), a.body(), a.error());
    }

    /** Evicted events for pods of the Deployment (their names start with the Deployment's). */
    private List<EvictionEvent> evictions(String deploymentName) {
        if (deploymentName == null) {
            return List.of();
        }
        List<EvictionEvent> out = new ArrayList<>();
        for (Event e : client.v1().events().inNamespace(target.namespace()).list().getItems()) {
            var involved = e.getInvolvedObject();
            if ("Evicted".equals(e.getReason()) && involved != null && "Pod".equals(involved.getKind())
                    && involved.getName() != null && involved.getName().startsWith(deploymentName + "-")) {
                out.add(new EvictionEvent(involved.getName(), eventTime(e), e.getMessage()));
            }
        }
        return out;
    }

    private static Instant eventTime(Event e) {
        for (String t : new String[] {e.getLastTimestamp(), e.getFirstTimestamp(),
                e.getEventTime() == null ? null : e.getEventTime().getTime(), e.getMetadata().getCreationTimestamp()}) {
            if (t != null && !t.isBlank()) {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException ignored) {
                    // try the next field
                }
            }
        }
        return Instant.EPOCH;
    }

    private static int zero(Integer i) {
        return i == null ? 0 : i;
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }
}
