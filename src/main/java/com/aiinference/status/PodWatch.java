package com.aiinference.status;

import com.aiinference.kube.KubeAccess;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Watches the release's pods while the load runs, so a pod that was not ready for a few seconds, restarted,
 * or was deleted and replaced between the two snapshots is still seen. Each change becomes one {@link Observation}.
 */
public final class PodWatch implements AutoCloseable {

    /** Something that happened to a pod during the run. */
    public record Observation(Instant at, String pod, Kind kind, String detail) {
        public enum Kind { NOT_READY, RESTARTED, DELETED, ADDED }

        @Override
        public String toString() {
            return java.time.format.DateTimeFormatter.ISO_LOCAL_TIME.format(
                            at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).atOffset(java.time.ZoneOffset.UTC))
                    + "Z " + pod + " " + kind.name().toLowerCase().replace('_', '-')
                    + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
        }
    }

    private final List<Observation> observations = new ArrayList<>();
    private final Map<String, Integer> restartsSeen = new java.util.HashMap<>();
    private volatile String failure;
    private Watch watch;

    private PodWatch() {}

    /** Starts watching; when the API refuses the watch the run continues and the report says it was not watched. */
    public static PodWatch start(KubernetesClient client, String namespace, Map<String, String> selector,
            PlatformSnapshot before) {
        PodWatch w = new PodWatch();
        before.pods().forEach(p -> w.restartsSeen.put(p.uid(), p.restarts()));
        try {
            w.watch = client.pods().inNamespace(namespace).withLabels(selector).watch(w.new Recorder(before));
        } catch (RuntimeException e) {
            w.failure = KubeAccess.firstLine(e);
        }
        return w;
    }

    private final class Recorder implements Watcher<Pod> {
        private final java.util.Set<String> known = new java.util.HashSet<>();

        Recorder(PlatformSnapshot before) {
            before.pods().forEach(p -> known.add(p.uid()));
        }

        @Override
        public void eventReceived(Action action, Pod pod) {
            if (!PlatformInspector.inferenceComponent(pod.getMetadata().getLabels())) {
                return; // e.g. the chart's helm test pod, which shares the name/instance labels
            }
            String name = pod.getMetadata().getName();
            String uid = pod.getMetadata().getUid();
            Instant now = Instant.now();
            synchronized (PodWatch.this) {
                switch (action) {
                    case DELETED -> observations.add(new Observation(now, name, Observation.Kind.DELETED,
                            pod.getStatus() == null || pod.getStatus().getReason() == null ? "pod deleted"
                                    : "pod deleted (" + pod.getStatus().getReason() + ")"));
                    case ADDED, MODIFIED -> {
                        // The watch replays existing pods as ADDED when it opens; only unknown uids are new pods.
                        if (known.add(uid)) {
                            observations.add(new Observation(now, name, Observation.Kind.ADDED, "new pod created"));
                        }
                        if (pod.getStatus() != null && "Evicted".equals(pod.getStatus().getReason())) {
                            observations.add(new Observation(now, name, Observation.Kind.DELETED,
                                    "evicted: " + pod.getStatus().getMessage()));
                        }
                        int restarts = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? 0
                                : pod.getStatus().getContainerStatuses().stream()
                                        .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
                        Integer previous = restartsSeen.put(uid, restarts);
                        if (previous != null && restarts > previous) {
                            observations.add(new Observation(now, name, Observation.Kind.RESTARTED,
                                    (restarts - previous) + " restart(s)" + lastReason(pod).map(r -> ", last " + r).orElse("")));
                        }
                        boolean ready = Readiness.isPodReady(pod);
                        if (!ready && pod.getMetadata().getDeletionTimestamp() == null) {
                            observations.add(new Observation(now, name, Observation.Kind.NOT_READY,
                                    "phase " + (pod.getStatus() == null ? "Unknown" : pod.getStatus().getPhase())));
                        }
                    }
                    default -> { /* BOOKMARK, ERROR: nothing to record */ }
                }
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            failure = "pod watch closed: " + KubeAccess.firstLine(cause);
        }
    }

    private static Optional<String> lastReason(Pod pod) {
        return pod.getStatus().getContainerStatuses().stream()
                .map(ContainerStatus::getLastState)
                .filter(s -> s != null && s.getTerminated() != null && s.getTerminated().getReason() != null)
                .map(s -> s.getTerminated().getReason())
                .findFirst();
    }

    /** What was seen, in order. */
    public synchronized List<Observation> observations() {
        return List.copyOf(observations);
    }

    /** Why the watch did not run (or stopped early), if it did not. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void close() {
        if (watch != null) {
            Watch w = watch;
            watch = null;
            w.close();
        }
    }
}
