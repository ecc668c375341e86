package com.aiinference.status;

import com.aiinference.chart.ChartContract;
import com.aiinference.kube.GkeApi;
import com.aiinference.status.PlatformSnapshot.Condition;
import com.aiinference.status.PlatformSnapshot.ProvisioningState;
import com.aiinference.status.PlatformStatus.Endpoint;
import com.aiinference.status.PlatformStatus.Expiry;
import com.aiinference.status.PlatformStatus.Nodes;
import com.aiinference.status.PlatformStatus.Pods;
import com.aiinference.status.PlatformStatus.Request;
import com.aiinference.status.PlatformStatus.Stage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@link PlatformStatus} through the Kubernetes API, with the same access, selectors and ProvisioningRequest
 * reading as {@link PlatformInspector}. Read-only: lists and gets, no pod proxy (status runs every few seconds while a
 * deployment comes up).
 */
public final class StatusInspector {
    /** GKE's label of a node's pool. */
    static final String NODE_POOL_LABEL = ChartContract.NODE_POOL_LABEL;
    /** GKE's label on flex-start nodes (GKE's flex-start and provisioningrequest how-tos; the chart's PodTemplate selects on it). */
    static final String FLEX_START_LABEL = "cloud.google.com/gke-flex-start";
    /** Flex-start VMs run at most seven days (Google Cloud: flex-start VMs). */
    static final Duration FLEX_START_MAX_RUN = Duration.ofDays(7);
    private static final Set<String> FAILING_WAIT_REASONS = Set.of("ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff",
            "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError");
    private static final Set<String> IMAGE_WAIT_REASONS = Set.of("ContainerCreating", "PodInitializing");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the stack says the platform should be.
     *
     * @param gpuPool     the GPU node pool's name ({@code gpuNodePool} output; "" selects GPU nodes by accelerator label)
     * @param service     the chart's Service ({@code serviceName} output)
     * @param reservedIp  the address the stack reserved ({@code externalIp} output; "" when unknown)
     */
    public record Expected(String gpuPool, String service, String reservedIp) {
        /** From the stack's outputs ({@code gpuNodePool}, {@code serviceName}, {@code externalIp}), else by name. */
        public static Expected from(java.util.Optional<com.aiinference.cli.StackOutputs> outputs, String release) {
            return new Expected(outputs.flatMap(o -> o.get("gpuNodePool")).orElse(""),
                    outputs.flatMap(o -> o.get(com.aiinference.cli.StackOutputs.SERVICE_NAME)).orElse(release),
                    outputs.flatMap(o -> o.get(com.aiinference.cli.StackOutputs.EXTERNAL_IP)).orElse(""));
        }
    }

    private final KubernetesClient client;
    private final PlatformTarget target;
    private final Expected expected;
    private final Clock clock;

    /** The inspector of a release, expecting what its stack outputs name (else the release's own names). */
    public static StatusInspector of(KubernetesClient client, PlatformTarget target,
                                     java.util.Optional<com.aiinference.cli.StackOutputs> outputs, Clock clock) {
        return new StatusInspector(client, target, Expected.from(outputs, target.release()), clock);
    }

    public StatusInspector(KubernetesClient client, PlatformTarget target, Expected expected, Clock clock) {
        this.client = client;
        this.target = target;
        this.expected = expected;
        this.clock = clock;
    }

    public PlatformStatus read() {
        Instant now = clock.instant();
        String ns = target.namespace();
        List<Pod> pods = client.pods().inNamespace(ns).withLabels(target.podSelector()).list().getItems().stream()
                .filter(p -> PlatformInspector.inferenceComponent(p.getMetadata().getLabels()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
        Optional<Deployment> deployment = PlatformInspector.findDeployment(client, target);
        int want = target.expected().replicas() != null ? target.expected().replicas()
                : deployment.map(d -> d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas())
                        .orElse(Math.max(1, pods.size()));

        Optional<GenericKubernetesResource> pr = PlatformInspector.findProvisioningRequestObject(client, target, pods);
        Optional<Request> request = pr.map(StatusInspector::request);
        List<Node> nodes = gpuNodes();
        Nodes nodeCounts = nodes == null ? new Nodes(expected.gpuPool(), want, 0, 0, false)
                : new Nodes(expected.gpuPool(), want, (int) nodes.stream().filter(StatusInspector::nodeReady).count(),
                        (int) nodes.stream().filter(n -> nodeReady(n) && gpus(n) > 0).count(), true);
        Pods podCounts = pods(pods, want);
        Endpoint endpoint = endpoint();
        Optional<Expiry> expiry = expiry(request, nodes, now);

        Stage stage;
        String summary;
        if (request.isPresent() && request.get().phase() == ProvisioningState.Phase.FAILED) {
            stage = Stage.FAILED;
            summary = "ProvisioningRequest " + request.get().name() + " failed: " + explain(request.get());
        } else if (!endpoint.matchesReservation()) {
            stage = Stage.FAILED;
            summary = "the load balancer has " + endpoint.assigned() + ", not the reserved " + endpoint.reserved()
                    + " (GKE did not take the reservation: see the Service's events)";
        } else if (request.isPresent() && List.of(ProvisioningState.Phase.PENDING, ProvisioningState.Phase.ACCEPTED)
                .contains(request.get().phase())) {
            stage = Stage.QUEUED;
            summary = "ProvisioningRequest " + request.get().name() + " " + request.get().phase().name().toLowerCase(java.util.Locale.ROOT)
                    + ": " + explain(request.get());
        } else if (nodeCounts.readable() && nodeCounts.joined() < want) {
            stage = Stage.NODES_JOINING;
            summary = "GPU nodes joined " + nodeCounts.joined() + " of " + want;
        } else if (nodeCounts.readable() && nodeCounts.withGpus() < nodeCounts.joined()) {
            stage = Stage.DRIVER_INSTALLING;
            summary = "GPUs allocatable on " + nodeCounts.withGpus() + " of " + nodeCounts.joined() + " nodes (driver installing)";
        } else if (podCounts.unscheduled() > 0 || podCounts.total() < want) {
            stage = Stage.SCHEDULING;
            summary = podCounts.unscheduled() + " pod(s) not scheduled" + podCounts.unschedulableReason().map(r -> ": " + r).orElse("")
                    + (podCounts.total() < want ? "; " + podCounts.total() + " of " + want + " pods exist" : "");
        } else if (podCounts.pullingImage() > 0) {
            stage = Stage.PULLING_IMAGE;
            summary = podCounts.pullingImage() + " pod(s) pulling the image";
        } else if (podCounts.loadingModel() > 0) {
            stage = Stage.LOADING_MODEL;
            summary = podCounts.loadingModel() + " pod(s) pulling and loading " + Optional.ofNullable(target.expected().model()).orElse("the model");
        } else if (podCounts.ready() < want) {
            stage = Stage.STARTING;
            summary = "pods Ready " + podCounts.ready() + " of " + want;
        } else if (!endpoint.hasAddress()) {
            stage = Stage.WAITING_FOR_ADDRESS;
            summary = "Service " + endpoint.service() + " has no load balancer address yet";
        } else {
            stage = Stage.READY;
            summary = podCounts.ready() + " of " + want + " pods Ready with the model loaded"
                    + (endpoint.loadBalancer() ? ", load balancer at " + endpoint.assigned() : "");
        }
        if (!podCounts.problems().isEmpty() && stage != Stage.READY && stage != Stage.FAILED) {
            summary += "; " + podCounts.problems().get(0);
        }
        return new PlatformStatus(now, stage, summary, request, nodeCounts, podCounts, endpoint, expiry);
    }

    private static String explain(Request r) {
        return r.conditions().isEmpty() ? "no conditions yet (not yet seen by the autoscaler)"
                : String.join("; ", r.conditions());
    }

    private static Request request(GenericKubernetesResource pr) {
        ProvisioningState state = PlatformInspector.provisioningState(pr);
        JsonNode root = JSON.valueToTree(pr.getAdditionalProperties());
        Optional<Instant> provisionedAt = Optional.empty();
        for (JsonNode c : root.path("status").path("conditions")) {
            if ("Provisioned".equals(c.path("type").asText()) && "True".equalsIgnoreCase(c.path("status").asText())) {
                provisionedAt = instant(c.path("lastTransitionTime").asText(null));
            }
        }
        // The chart renders the parameter as a string (the API's type); 7 days is GKE's default and maximum.
        long seconds = 604800;
        String text = root.path("spec").path("parameters").path("maxRunDurationSeconds").asText("");
        if (text.matches("\\d+")) {
            seconds = Long.parseLong(text);
        }
        return new Request(pr.getMetadata().getName(), state.phase(),
                state.conditions().stream().map(Condition::toString).toList(), provisionedAt, Duration.ofSeconds(seconds));
    }

    /** The GPU pool's nodes; null when nodes cannot be listed (RBAC without nodes list). */
    private List<Node> gpuNodes() {
        try {
            var nodes = expected.gpuPool().isBlank()
                    ? client.nodes().withLabel(GkeApi.ACCELERATOR_LABEL).list()
                    : client.nodes().withLabel(NODE_POOL_LABEL, expected.gpuPool()).list();
            return nodes.getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 401 || e.getCode() == 403) {
                return null;
            }
            throw e;
        }
    }

    /** A node counts as joined once Ready; the simulated and freshly registered nodes may carry no conditions. */
    private static boolean nodeReady(Node n) {
        var conditions = n.getStatus() == null ? null : n.getStatus().getConditions();
        return conditions == null || conditions.isEmpty() || conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static long gpus(Node n) {
        Quantity q = n.getStatus() == null || n.getStatus().getAllocatable() == null ? null
                : n.getStatus().getAllocatable().get("nvidia.com/gpu");
        try {
            return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private Pods pods(List<Pod> pods, int want) {
        int unscheduled = 0;
        int pulling = 0;
        int loading = 0;
        int ready = 0;
        List<String> problems = new ArrayList<>();
        String unschedulableReason = null;
        for (Pod p : pods) {
            var status = p.getStatus();
            List<PodCondition> conditions = status == null || status.getConditions() == null ? List.of() : status.getConditions();
            if (Readiness.isPodReady(p)) {
                ready++;
                continue;
            }
            Optional<PodCondition> scheduled = conditions.stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst();
            if (p.getSpec() == null || p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isBlank()
                    || scheduled.map(c -> "False".equals(c.getStatus())).orElse(false)) {
                unscheduled++;
                if (unschedulableReason == null) {
                    unschedulableReason = scheduled.map(c -> c.getMessage() != null ? c.getMessage() : c.getReason()).orElse(null);
                }
                continue;
            }
            List<ContainerStatus> statuses = status == null || status.getContainerStatuses() == null ? List.of()
                    : status.getContainerStatuses();
            String failing = null;
            boolean waitingForImage = statuses.isEmpty();
            for (ContainerStatus c : statuses) {
                var waiting = c.getState() == null ? null : c.getState().getWaiting();
                if (waiting != null && FAILING_WAIT_REASONS.contains(waiting.getReason())) {
                    var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
                    String why = last != null && last.getMessage() != null && !last.getMessage().isBlank()
                            ? last.getMessage().strip().lines().findFirst().orElse("") : waiting.getMessage();
                    failing = p.getMetadata().getName() + " " + c.getName() + ": " + waiting.getReason()
                            + (why == null || why.isBlank() ? "" : " (" + why + ")");
                } else if (waiting != null && IMAGE_WAIT_REASONS.contains(waiting.getReason())) {
                    waitingForImage = true;
                }
            }
            if (failing != null) {
                problems.add(failing);
            } else if (waitingForImage) {
                pulling++;
            } else {
                // Running, not Ready: the chart's startup and readiness probes pass once the model is pulled and loaded.
                loading++;
            }
        }
        return new Pods(want, pods.size(), unscheduled, pulling, loading, ready, problems, Optional.ofNullable(unschedulableReason));
    }

    private Endpoint endpoint() {
        Service svc = expected.service().isBlank() ? null
                : client.services().inNamespace(target.namespace()).withName(expected.service()).get();
        if (svc == null) {
            return new Endpoint(expected.service(), !expected.reservedIp().isBlank(), expected.reservedIp(), "");
        }
        boolean lb = svc.getSpec() != null && "LoadBalancer".equals(svc.getSpec().getType());
        String assigned = !lb || svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null
                || svc.getStatus().getLoadBalancer().getIngress() == null ? ""
                : svc.getStatus().getLoadBalancer().getIngress().stream()
                        .map(i -> i.getIp() != null ? i.getIp() : i.getHostname()).filter(java.util.Objects::nonNull)
                        .findFirst().orElse("");
        return new Endpoint(expected.service(), lb, expected.reservedIp(), assigned);
    }

    private static Optional<Expiry> expiry(Optional<Request> request, List<Node> nodes, Instant now) {
        if (request.isPresent() && request.get().provisionedAt().isPresent()) {
            Instant at = request.get().provisionedAt().get().plus(request.get().maxRunDuration());
            return Optional.of(new Expiry(at, Duration.between(now, at), "ProvisioningRequest " + request.get().name()
                    + " Provisioned at " + request.get().provisionedAt().get() + " + maxRunDurationSeconds "
                    + request.get().maxRunDuration().toSeconds()));
        }
        if (nodes == null) {
            return Optional.empty();
        }
        return nodes.stream()
                .filter(n -> n.getMetadata().getLabels() != null && "true".equals(n.getMetadata().getLabels().get(FLEX_START_LABEL)))
                .map(n -> instant(n.getMetadata().getCreationTimestamp()).map(c -> new Object[] {n, c}))
                .flatMap(Optional::stream)
                .min(Comparator.comparing(o -> (Instant) o[1]))
                .map(o -> {
                    Instant at = ((Instant) o[1]).plus(FLEX_START_MAX_RUN);
                    return new Expiry(at, Duration.between(now, at), "oldest flex-start node "
                            + ((Node) o[0]).getMetadata().getName() + " created at " + o[1] + " + 7 days (the autoscaler replaces it)");
                });
    }

    private static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
