package com.aiinference.loadtest.distributed;

import com.aiinference.chart.ChartContract;
import com.aiinference.core.DomainException;
import com.aiinference.loadtest.engine.RunSnapshot;
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
 *
 * <p>{@link #stop} (Ctrl-C) ends the run early: the log of every started pod is followed, the Job is deleted with
 * its pods (foreground propagation), each worker gets SIGTERM, stops its load and prints what it measured, which the
 * follower reads before the pod goes. A pod that had not started, or printed nothing within {@link #STOP_WAIT}, is a
 * failed outcome that says its results were lost.
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
    private final Duration stopWait;
    private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String stopReason;
    private volatile Thread runner;
    private boolean jobDeleted;

    /** After a stop, how long the stopped pods have to print their results (their grace period is 30 s). */
    public static final Duration STOP_WAIT = Duration.ofSeconds(20);

    public ClusterWorkers(KubernetesClient client, WorkerJob.Settings settings, WorkerSpec spec, PrintWriter progress,
                          Duration poll) {
        this.client = client;
        this.settings = settings;
        this.spec = spec;
        this.progress = progress;
        this.poll = poll;
        this.stopWait = STOP_WAIT;
    }

    /**
     * Ends the run early (Ctrl-C): {@link #run} deletes the Job, which stops its pods, collects what they measured and
     * returns; each outcome of a worker whose results are lost says so.
     */
    public void stop(String why) {
        stopReason = why;
        Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Whether {@link #stop} was called. */
    public boolean stopped() {
        return stopReason != null;
    }

    /**
     * What the report should say besides the workers' results: other load-test Jobs that were running in the
     * namespace during this run (their requests are in the replicas' counters too).
     */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Creates the Job, waits for it (bounded by its own deadline), reads the results and cleans up. */
    public List<WorkerOutcome> run() {
        String ns = settings.namespace();
        if (client.namespaces().withName(ns).get() == null) {
            throw new ClusterWorkersException("namespace '" + ns + "' does not exist on " + client.getMasterUrl()
                    + " (is the release deployed?)");
        }
        runner = Thread.currentThread();
        if (stopReason != null) {
            List<WorkerOutcome> none = new ArrayList<>();
            for (int i = 0; i < settings.workers(); i++) {
                none.add(WorkerOutcome.failed(i, settings.workers(), "not started: the run was stopped before its Job was created"));
            }
            return none;
        }
        otherRuns();
        create();
        try {
            Job finished = await();
            return finished == null ? stopAndCollect() : outcomes(finished);
        } finally {
            cleanUp();
            runner = null;
        }
    }

    /**
     * Other load-test Jobs with active pods in the namespace: an earlier run whose coordinator was killed, or someone
     * else's. Their load reaches the same replicas, so the report says so.
     */
    private void otherRuns() {
        List<Job> others;
        try {
            others = client.batch().v1().jobs().inNamespace(settings.namespace())
                    .withLabel(ChartContract.COMPONENT_LABEL, WorkerJob.COMPONENT).list().getItems();
        } catch (KubernetesClientException e) {
            return; // not allowed to list Jobs: nothing to say
        }
        for (Job other : others) {
            Integer active = other.getStatus() == null ? null : other.getStatus().getActive();
            if (!finished(other) && (active == null || active > 0)) {
                String line = "another load-test Job, " + settings.namespace() + "/" + other.getMetadata().getName()
                        + ", was running in the namespace" + (active == null ? "" : " (" + active + " active pod(s))")
                        + ": its requests reach the same replicas and count in their traffic";
                warnings.add(line);
                progress.println("cluster: warning: " + line);
                progress.flush();
            }
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
            if (stopReason != null) {
                return null;
            }
            stuck(pods).ifPresent(why -> {
                throw new ClusterWorkersException(why);
            });
            if (finished(job)) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                say("the Job did not finish within its deadline and a minute");
                return job;
            }
            LockSupport.parkNanos(poll.toNanos());
        }
    }

    /**
     * The stop: follows the log of every pod that has started, deletes the Job with its pods (each worker gets SIGTERM,
     * stops and prints its result), and waits up to {@link #STOP_WAIT} for the results.
     */
    private List<WorkerOutcome> stopAndCollect() {
        List<Pod> pods = pods();
        Map<Integer, LogFollower> followers = new TreeMap<>();
        for (Map.Entry<Integer, Pod> e : latestByIndex(pods).entrySet()) {
            if (started(e.getValue())) {
                LogFollower f = new LogFollower(e.getValue().getMetadata().getName());
                followers.put(e.getKey(), f);
                f.start();
            }
        }
        say("stopping (" + stopReason + "): deleting Job " + settings.namespace() + "/" + settings.name()
                + " and its pods; each worker stops on SIGTERM and prints what it measured (waiting up to "
                + stopWait.toSeconds() + "s)");
        deleteQuietly(() -> client.batch().v1().jobs().inNamespace(settings.namespace()).withName(settings.name())
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete());
        jobDeleted = true;
        long deadline = System.nanoTime() + stopWait.toNanos();
        for (LogFollower f : followers.values()) {
            f.awaitUntil(deadline);
        }
        List<WorkerOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < settings.workers(); i++) {
            LogFollower f = followers.get(i);
            if (f == null) {
                outcomes.add(WorkerOutcome.failed(i, settings.workers(), "had not started when the run was stopped"));
                continue;
            }
            f.close();
            if (f.result != null) {
                outcomes.add(WorkerOutcome.finished(i, settings.workers(), f.result));
            } else {
                outcomes.add(WorkerOutcome.failed(i, settings.workers(), "pod " + f.pod + " printed no result "
                        + (f.isAlive() ? "within " + stopWait.toSeconds() + "s of the stop" : "before it ended")
                        + ", its results are lost" + (f.problem == null ? "" : " (" + f.problem + ")")));
            }
        }
        return outcomes;
    }

    /** A pod whose worker container has started (its log may hold a result). */
    private static boolean started(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /**
     * Reads one pod's log until it holds a result line: a follow stream (which ends when the container exits), read
     * again while the pod still exists, and once more after it is gone.
     */
    private final class LogFollower extends Thread {
        final String pod;
        volatile RunSnapshot result;
        volatile String problem;
        private volatile boolean closed;
        private volatile io.fabric8.kubernetes.client.dsl.LogWatch watch;

        LogFollower(String pod) {
            super("cluster-log-" + pod);
            this.pod = pod;
            setDaemon(true);
        }

        @Override
        public void run() {
            var resource = client.pods().inNamespace(settings.namespace()).withName(pod);
            boolean gone = false;
            while (!closed) {
                try (io.fabric8.kubernetes.client.dsl.LogWatch w = resource.inContainer(WorkerJob.CONTAINER).watchLog()) {
                    watch = w;
                    List<String> lines = new java.io.BufferedReader(new java.io.InputStreamReader(w.getOutput(),
                            java.nio.charset.StandardCharsets.UTF_8)).lines().toList();
                    Optional<RunSnapshot> m = WorkerProtocol.findResult(lines);
                    if (m.isPresent()) {
                        result = m.get();
                        return;
                    }
                } catch (KubernetesClientException | java.io.UncheckedIOException e) {
                    problem = e instanceof KubernetesClientException k ? reason(k) : e.getMessage();
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage(); // a result line that does not parse
                    return;
                }
                if (gone) {
                    return;
                }
                try {
                    gone = resource.get() == null;
                } catch (KubernetesClientException e) {
                    problem = reason(e);
                }
                if (!gone) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
                }
            }
        }

        void awaitUntil(long deadlineNanos) {
            try {
                long left = deadlineNanos - System.nanoTime();
                if (left > 0) {
                    join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void close() {
            closed = true;
            var w = watch;
            if (w != null && isAlive()) {
                w.close();
            }
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

    /** The latest pod of each index. */
    private static Map<Integer, Pod> latestByIndex(List<Pod> pods) {
        Map<Integer, Pod> byIndex = new TreeMap<>();
        for (Pod p : pods.stream().sorted(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())))
                .toList()) {
            String index = p.getMetadata().getAnnotations() == null ? null
                    : p.getMetadata().getAnnotations().get(WorkerJob.INDEX_ANNOTATION);
            if (index != null && index.matches("\\d+")) {
                byIndex.put(Integer.parseInt(index), p);
            }
        }
        return byIndex;
    }

    private List<WorkerOutcome> outcomes(Job job) {
        Map<Integer, Pod> byIndex = latestByIndex(pods());
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
                Optional<RunSnapshot> m = WorkerProtocol.findResult(log.lines().toList());
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
        if (!jobDeleted) {
            deleteQuietly(() -> client.batch().v1().jobs().inNamespace(ns).withName(settings.name())
                    .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete());
        }
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
