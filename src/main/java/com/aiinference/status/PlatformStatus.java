package com.aiinference.status;

import com.aiinference.status.PlatformSnapshot.ProvisioningState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a deployed release stands on its way to serving, read at one instant: the DWS request, the GPU nodes, the pods,
 * the load balancer, and when queued or flex-start nodes will be removed. {@link #stage()} names the first thing still
 * missing, in the order a real deployment gets them.
 */
public record PlatformStatus(
        Instant at,
        Stage stage,
        String summary,
        Optional<Request> request,
        Nodes nodes,
        Pods pods,
        Endpoint endpoint,
        Optional<Expiry> expiry) {

    /** The stages in the order a deployment passes them; READY is the goal, FAILED ends the wait. */
    public enum Stage {
        QUEUED("waiting for DWS capacity"),
        NODES_JOINING("GPU nodes joining"),
        DRIVER_INSTALLING("GPU driver installing (no GPU allocatable yet)"),
        SCHEDULING("pods waiting for a node"),
        PULLING_IMAGE("pods pulling the image"),
        LOADING_MODEL("pods pulling and loading the model"),
        STARTING("pods starting"),
        WAITING_FOR_ADDRESS("load balancer taking its address"),
        READY("ready: every replica serves the model behind the load balancer"),
        FAILED("failed");

        private final String meaning;

        Stage(String meaning) {
            this.meaning = meaning;
        }

        public String meaning() {
            return meaning;
        }
    }

    /**
     * The ProvisioningRequest the pods consume.
     *
     * @param conditions each condition as the API reports it, quoted ({@code Provisioned=False (QuotaExceeded): ...})
     */
    public record Request(String name, ProvisioningState.Phase phase, List<String> conditions,
                          Optional<Instant> provisionedAt, Duration maxRunDuration) {
        public Request {
            conditions = List.copyOf(conditions);
        }
    }

    /**
     * The GPU pool's nodes.
     *
     * @param joined      nodes of the pool that exist and are Ready
     * @param withGpus    of those, nodes that advertise {@code nvidia.com/gpu} allocatable (the driver is installed)
     * @param readable    false when the nodes could not be listed (RBAC); the counts are then 0
     */
    public record Nodes(String pool, int expected, int joined, int withGpus, boolean readable) {}

    /**
     * The release's inference pods.
     *
     * @param problems one line per pod that is failing (image pull errors, crash loops, the model pull's termination
     *                 message), quoted from the API
     */
    public record Pods(int expected, int total, int unscheduled, int pullingImage, int loadingModel, int ready,
                       List<String> problems, Optional<String> unschedulableReason) {
        public Pods {
            problems = List.copyOf(problems);
        }
    }

    /**
     * @param reserved the address the stack reserved ({@code externalIp} output), "" when unknown
     * @param assigned the address the load balancer has ({@code status.loadBalancer.ingress}), "" when none yet
     * @param loadBalancer false for a ClusterIP Service (no address to wait for)
     */
    public record Endpoint(String service, boolean loadBalancer, String reserved, String assigned) {
        public boolean hasAddress() {
            return !loadBalancer || !assigned.isEmpty();
        }

        public boolean matchesReservation() {
            return !loadBalancer || reserved.isEmpty() || assigned.isEmpty() || reserved.equals(assigned);
        }
    }

    /**
     * When GKE removes the nodes whatever happens: a queued request's nodes at Provisioned + maxRunDurationSeconds,
     * flex-start nodes seven days after each was created (the autoscaler replaces those).
     */
    public record Expiry(Instant removeAt, Duration left, String basis) {}

    public boolean ready() {
        return stage == Stage.READY;
    }

    public boolean failed() {
        return stage == Stage.FAILED;
    }

    /**
     * Why this status is not ready, in one line: {@code FAILED: ...}, or {@code not ready after 2h: STAGE: ...} after a
     * wait ({@code waited} null: {@code not ready: STAGE: ...}).
     */
    public String notReady(Duration waited) {
        String where = stage.name() + ": " + summary;
        return failed() ? where : waited != null ? "not ready after " + com.aiinference.core.Format.duration(waited)
                + ": " + where : "not ready: " + where;
    }
}
