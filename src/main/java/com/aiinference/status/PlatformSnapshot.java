package com.aiinference.status;

import com.aiinference.chart.ChartContract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the Kubernetes API said about one release at one instant: its Deployment, HPA, ProvisioningRequest,
 * pods (with container restarts, termination reasons and the gateway's request counter) and eviction events.
 * Taken before and after the load; the checks compare the two.
 */
public record PlatformSnapshot(
        Instant takenAt,
        Optional<DeploymentState> deployment,
        Optional<HpaState> hpa,
        Optional<ProvisioningState> provisioningRequest,
        List<PodState> pods,
        List<EvictionEvent> evictions) {

    public PlatformSnapshot {
        pods = List.copyOf(pods);
        evictions = List.copyOf(evictions);
    }

    /** The Deployment's desired replica count ({@code spec.replicas}, set by the HPA when it owns them) and its status. */
    public record DeploymentState(String name, int desired, int ready, int available, int updated) {}

    /** An autoscaling/v2 HorizontalPodAutoscaler's bounds and its current/desired replica counts. */
    public record HpaState(String name, int min, int max, int current, int desired) {
        public boolean pinned() {
            return min == max;
        }
    }

    /** A ProvisioningRequest (autoscaling.x-k8s.io/v1) and the condition that decides its state. */
    public record ProvisioningState(String name, Phase phase, List<Condition> conditions) {
        public ProvisioningState {
            conditions = List.copyOf(conditions);
        }

        /** The condition that explains the phase (Failed, or Provisioned=False with a reason), if any. */
        public Optional<Condition> explaining() {
            return switch (phase) {
                case FAILED -> conditions.stream().filter(c -> c.isTrue() && List.of("Failed", "BookingExpired",
                        "CapacityRevoked").contains(c.type())).findFirst();
                case PROVISIONED -> conditions.stream().filter(c -> c.type().equals("Provisioned")).findFirst();
                case BOOKING_EXPIRED -> conditions.stream().filter(c -> c.isTrue() && c.type().equals("BookingExpired")).findFirst();
                default -> conditions.stream().filter(c -> !c.isTrue() && c.reason() != null).findFirst()
                        .or(() -> conditions.stream().filter(c -> c.type().equals("Accepted")).findFirst());
            };
        }

        /**
         * BOOKING_EXPIRED: Provisioned=True and later BookingExpired=True: the autoscaler stopped holding the capacity
         * for pods that had not yet arrived; fine when the release's pods run on it.
         */
        public enum Phase { PENDING, ACCEPTED, PROVISIONED, BOOKING_EXPIRED, FAILED }
    }

    /** A status condition as the API reports it. */
    public record Condition(String type, String status, String reason, String message) {
        /** Derived from {@code status}: not a field of the JSON report (the API's own four are). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isTrue() {
            return "True".equalsIgnoreCase(status);
        }

        @Override
        public String toString() {
            String s = type + "=" + status + (reason == null || reason.isBlank() ? "" : " (" + reason + ")");
            return message == null || message.isBlank() ? s : s + ": " + message;
        }
    }

    /**
     * One inference pod.
     *
     * @param nodeAccelerator the GKE accelerator label of its node ({@code cloud.google.com/gke-accelerator}, e.g.
     *                        nvidia-l4), {@code ""} when the node has none, null when the node could not be read
     */
    public record PodState(
            String name,
            String uid,
            String nodeName,
            String phase,
            boolean ready,
            List<ContainerState> containers,
            ModelState model,
            RequestCounter requests,
            String nodeAccelerator) {
        public PodState {
            containers = List.copyOf(containers);
        }

        public Optional<ContainerState> container(String containerName) {
            return containers.stream().filter(c -> c.name().equals(containerName)).findFirst();
        }

        /** The inference engine's container: {@code ollama} or, with the chart's {@code engine: vllm}, {@code vllm}. */
        public Optional<ContainerState> inferenceContainer() {
            return container(ChartContract.OLLAMA_CONTAINER).or(() -> container(ChartContract.VLLM_CONTAINER));
        }

        public int restarts() {
            return containers.stream().mapToInt(ContainerState::restartCount).sum();
        }
    }

    /**
     * A container's restart count and why its last instance ended ({@code lastState.terminated.reason}, e.g.
     * OOMKilled), and its memory limit as written in the pod spec.
     */
    public record ContainerState(String name, int restartCount, boolean ready, String lastTerminationReason,
            Integer lastExitCode, String memoryLimit) {
        public boolean oomKilled() {
            return "OOMKilled".equals(lastTerminationReason);
        }
    }

    /** Whether the model is loaded in the pod, and how that was established. */
    public record ModelState(boolean loaded, String evidence) {}

    /**
     * The gateway's nginx {@code stub_status} request counter for one pod, or why there is none
     * (gateway disabled, pod proxy refused).
     */
    public record RequestCounter(Long requests, String unavailableReason) {
        public static RequestCounter of(long requests) {
            return new RequestCounter(requests, null);
        }

        public static RequestCounter unavailable(String reason) {
            return new RequestCounter(null, reason);
        }

        public boolean available() {
            return requests != null;
        }
    }

    /** An Evicted event for a pod of the release. */
    public record EvictionEvent(String podName, Instant at, String message) {}
}
