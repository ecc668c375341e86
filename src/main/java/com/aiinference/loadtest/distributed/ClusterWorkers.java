package com.aiinference.loadtest.distributed;

import com.aiinference.core.DomainException;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * {@code --in-cluster}: runs the workers as the pods of an Indexed Job ({@link WorkerJob}) in the release's
 * namespace, follows them, reads each pod's result line from its log, and deletes the Job and its Secret. A pod that
 * failed (OOM-killed, evicted, deadline) or left no result line becomes a failed {@link WorkerOutcome}; the others
 * are kept. A worker image that cannot be pulled ends the run at once ({@link ClusterWorkersException}), since
 * nothing would ever start.
 */
public final class ClusterWorkers {
    /** Container waiting reasons that will not resolve by themselves. */
    static final Set<String> STUCK = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");

    private final KubernetesClient client;
    private final WorkerJob.Settings settings;
    private final WorkerSpec spec;
    private final PrintWriter progress;
    private final Duration poll;
    private volatile String stopReason;

    public ClusterWorkers(KubernetesClient client, WorkerJob.Settings settings, WorkerSpec spec, PrintWriter progress,
                          Duration poll) {
        this.client = client;
        this.settings = settings;
        this.spec = spec;
        this.progress = progress;
        this.poll = poll;
    }

    /** Ends the run early (Ctrl-C): the Job is deleted, which stops its pods. */
    public void stop(String why) {
        stopReason = why;
    }

    /** The Job's name. */
    public String jobName() {
        return settings.name();
    }

    /** Creates the Job, waits for it (bounded by its own deadline), reads the results and cleans up. */
    public List<WorkerOutcome> run() {
        String ns = settings.namespace();
        if (client.namespaces().withName(ns).get() == null) {
            throw new ClusterWorkersException("namespace '" + ns + "' does not exist on " + client.getMasterUrl()
                    + " (is the release deployed?)");
        }
        create();
        try {
            Job finished = await();
            return outcomes(finished);
        } finally {
            cleanUp();
        }
    }

    private void create() {
        String ns = settings.namespace();
        try {
            client.secrets().inNamespace(ns).resource(WorkerJob.secret(settings, spec)).create();
        } catch (KubernetesClientException e) {
            throw new ClusterWorkersException("cannot create Secret " + ns + "/" + settings.name() + ": " + reason(e));
        }
        Job job;
        try {
            job = client.batch().v1().jobs().inNamespace(ns).resource(WorkerJob.job(settings)).create();
        } catch (KubernetesClientException e) {
            deleteQuietly(() -> client.secrets().inNamespace(ns).withName(settings.name()).delete());
            throw new ClusterWorkersException("cannot create Job " + ns + "/" + settings.name() + ": " + reason(e));
        }
        // The Job owns the Secret: whatever happens to this process, Kubernetes' garbage collector removes both.
        try {
            client.secrets().inNamespace(ns).withName(settings.name()).patch(PatchContext.of(PatchType.JSON_MERGE),
                    new SecretBuilder().withNewMetadata().addToOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
                            .withUid(job.getMetadata().getUid()).withBlockOwnerDeletion(false).withController(false).build())
                            .endMetadata().build());
        } catch (KubernetesClientException e) {
            progress.println("cluster: warning: could not make Job " + settings.name() + " the owner of its Secret ("
                    + reason(e) + "); it is deleted after the run");
        }
        say("created Job " + ns + "/" + settings.name() + ": " + settings.workers() + " pod(s) of " + settings.image()
                + ", deadline " + settings.activeDeadlineSeconds() + "s");
    }

    /** Polls the Job and its pods until it is complete or failed, its deadline passes, or the run is stopped. */
    private Job await() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.activeDeadlineSeconds()
                + WorkerJob.FINISH_ALLOWANCE_SECONDS);
        String lastSummary = null;
        while (true) {
            Job job = client.batch().v1().jobs().inNamespace(settings.namespace()).withName(settings.name()).get();
            if (job == null) {
                throw new ClusterWorkersException("Job " + settings.namespace() + "/" + settings.name()
                        + " disappeared while it ran (deleted by someone else?)");
            }
            List<Pod> pods = pods();
            String summary = summary(pods);
            if (!summary.equals(lastSummary)) {
                say(summary);
                lastSummary = summary;
            }
            stuck(pods).ifPresent(why -> {
                throw new ClusterWorkersException(why);
            });
            if (finished(job)) {
                return job;
            }
            if (stopReason != null) {
                throw new ClusterWorkersException("stopped: " + stopReason + " (Job " + settings.name() + " deleted)");
            }
            if (System.nanoTime() > deadline) {
                say("the Job did not finish within its deadline and a minute");
                return job;
            }
            LockSupport.parkNanos(poll.toNanos());
        }
    }

    static boolean finished(Job job) {
        JobStatus s = job.getStatus();
        if (s == null) {
            return false;
        }
        if (s.getConditions() != null) {
            for (JobCondition c : s.getConditions()) {
                if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(settings.namespace()).withLabel(WorkerJob.JOB_NAME_LABEL, settings.name())
                .list().getItems();
    }

    /** {@code pods: 2 Running, 2 Pending}. */
    private String summary(List<Pod> pods) {
        Map<String, Long> phases = new TreeMap<>(pods.stream().collect(Collectors.groupingBy(
                p -> p.getStatus() == null || p.getStatus().getPhase() == null ? "Pending" : p.getStatus().getPhase(),
                Collectors.counting())));
        return "pods " + pods.size() + "/" + settings.workers() + (phases.isEmpty() ? "" : ": " + phases.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")));
    }

    /** A pod whose container cannot start and will not by itself (e.g. the image cannot be pulled). */
    static Optional<String> stuck(List<Pod> pods) {
        for (Pod p : pods) {
            if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
                continue;
            }
            for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
                if (c.getState() != null && c.getState().getWaiting() != null
                        && STUCK.contains(c.getState().getWaiting().getReason())) {
                    String message = c.getState().getWaiting().getMessage();
                    return Optional.of("worker pod " + p.getMetadata().getName() + " cannot start: "
                            + c.getState().getWaiting().getReason() + (message == null ? "" : ": " + firstLine(message))
                            + " (image " + c.getImage() + ")");
                }
            }
        }
        return Optional.empty();
    }

    private List<WorkerOutcome> outcomes(Job job) {
        Map<Integer, Pod> byIndex = new TreeMap<>();
        for (Pod p : pods().stream().sorted(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
                .toList()) {
            String index = p.getMetadata().getAnnotations() == null ? null
                    : p.getMetadata().getAnnotations().get(WorkerJob.INDEX_ANNOTATION);
            if (index != null && index.matches("\\d+")) {
                byIndex.put(Integer.parseInt(index), p); // the latest pod of each index
            }
        }
        String jobFailure = failureCondition(job);
        List<WorkerOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < settings.workers(); i++) {
            Pod pod = byIndex.get(i);
            if (pod == null) {
                outcomes.add(WorkerOutcome.failed(i, settings.workers(), "had no pod" + (jobFailure == null ? "" : " (" + jobFailure + ")")));
                continue;
            }
            outcomes.add(outcome(i, pod, jobFailure));
        }
        return outcomes;
    }

    private WorkerOutcome outcome(int index, Pod pod, String jobFailure) {
        String name = pod.getMetadata().getName();
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        String log;
        try {
            log = client.pods().inNamespace(settings.namespace()).withName(name).inContainer(WorkerJob.CONTAINER).getLog();
        } catch (KubernetesClientException e) {
            log = null;
        }
        if (log != null) {
            try {
                Optional<com.aiinference.loadtest.Measurements> m = WorkerProtocol.findResult(log.lines().toList());
                if (m.isPresent()) {
                    return WorkerOutcome.finished(index, settings.workers(), m.get());
                }
            } catch (IllegalArgumentException e) {
                return WorkerOutcome.failed(index, settings.workers(), "pod " + name + ": " + e.getMessage());
            }
        }
        String why = terminated(pod).map(t -> t.getReason() + " (exit " + t.getExitCode() + ")").orElse(phase == null ? "no status" : phase);
        String lastLine = log == null ? "its log could not be read" : lastLine(log);
        return WorkerOutcome.failed(index, settings.workers(), "pod " + name + " " + why + ", no result line"
                + (jobFailure == null ? "" : " (" + jobFailure + ")") + ": " + lastLine);
    }

    private static Optional<ContainerStateTerminated> terminated(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().filter(c -> WorkerJob.CONTAINER.equals(c.getName()))
                .map(c -> c.getState() == null ? null : c.getState().getTerminated()).filter(t -> t != null).findFirst();
    }

    private static String failureCondition(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus())
                        && !"FailedIndexes".equals(c.getReason()))
                .map(c -> "Job " + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
                .findFirst().orElse(null);
    }

    private static String lastLine(String log) {
        List<String> lines = log.strip().lines().toList();
        return lines.isEmpty() ? "(empty log)" : lines.get(lines.size() - 1);
    }

    private void cleanUp() {
        String ns = settings.namespace();
        deleteQuietly(() -> client.batch().v1().jobs().inNamespace(ns).withName(settings.name())
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete());
        deleteQuietly(() -> client.secrets().inNamespace(ns).withName(settings.name()).delete());
        say("deleted Job " + ns + "/" + settings.name() + " and its Secret");
    }

    private void deleteQuietly(Runnable delete) {
        try {
            delete.run();
        } catch (KubernetesClientException e) {
            progress.println("cluster: warning: cleanup failed (" + reason(e) + "); the Job's ttlSecondsAfterFinished ("
                    + WorkerJob.TTL_SECONDS_AFTER_FINISHED + "s) removes it");
        }
    }

    private void say(String line) {
        synchronized (progress) {
            progress.println("cluster: " + line);
            progress.flush();
        }
    }

    private static String reason(KubernetesClientException e) {
        String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + firstLine(m == null ? e.getClass().getSimpleName() : m);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** The in-cluster run could not go ahead: no namespace, the Job refused, an image that cannot be pulled. */
    public static final class ClusterWorkersException extends DomainException {
        private static final long serialVersionUID = 1L;

        public ClusterWorkersException(String message) {
            super(message);
        }
    }
}
