package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import com.aiinference.loadtest.distributed.WorkerCommand;
import com.aiinference.loadtest.distributed.WorkerJob;
import com.aiinference.loadtest.distributed.WorkerProtocol;
import com.aiinference.loadtest.distributed.WorkerSpec;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.loadtest.engine.RunSnapshot;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Job controller and the kubelet for {@code loadtest}/{@code verify --in-cluster} on a mock API server: for each
 * Indexed Job of load-test workers it creates one pod per index, runs that index's share of the load in this JVM
 * from the Secret's spec (the Service's cluster DNS name resolved to {@code serviceAddress}, as cluster DNS would),
 * keeps what the worker would print as the pod's log ({@link #log}), and completes the pods and the Job as
 * Kubernetes would. A Job that is deleted stops as on a cluster: its running workers get SIGTERM (they stop their
 * load and print what they measured, as the worker does), then the garbage collector deletes its pods. {@link Fault}s
 * per index show what a dying pod or a bad image looks like.
 */
public final class SimulatedJobs implements AutoCloseable {
    /** What goes wrong with one index's pod. */
    public enum Fault {
        /** The container is OOM-killed before it prints a result. */
        OOM_KILLED,
        /** The image cannot be pulled: the pod waits in ErrImagePull. */
        IMAGE_PULL
    }

    private static final Pattern LOG_PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");
    private final KubernetesClient client;
    private final URI serviceAddress;
    private final Map<Integer, Fault> faults;
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<Job> created = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The pods of each Job this controller runs, by {@code namespace/name}, until the Job is gone. */
    private final Map<String, List<PodRun>> pods = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-job-controller");
        t.setDaemon(true);
        return t;
    });

    /** Starts watching {@code client}'s cluster for worker Jobs; their load goes to {@code serviceAddress}. */
    public SimulatedJobs(KubernetesClient client, URI serviceAddress, Map<Integer, Fault> faults) {
        this.client = client;
        this.serviceAddress = serviceAddress;
        this.faults = Map.copyOf(faults);
        loop.scheduleWithFixedDelay(this::reconcile, 200, 500, TimeUnit.MILLISECONDS);
    }

    /** The log of a pod, for a request path {@code /api/v1/namespaces/NS/pods/POD/log...}; empty if it is no log path. */
    public Optional<Optional<String>> log(String path) {
        Matcher m = LOG_PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(Optional.ofNullable(logs.get(m.group(2))));
    }

    /** Worker Jobs seen so far, as created. */
    public List<Job> created() {
        return List.copyOf(created);
    }

    /** One pod of a worker Job: its load's stop signal, and whether it has ended or been deleted. */
    private static final class PodRun {
        final String namespace;
        final String name;
        final LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
        boolean ended;
        boolean deleted;

        PodRun(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }
    }

    private void reconcile() {
        try {
            Set<String> live = new java.util.HashSet<>();
            for (Job job : client.batch().v1().jobs().inAnyNamespace()
                    .withLabel(ChartContract.COMPONENT_LABEL, WorkerJob.COMPONENT).list().getItems()) {
                String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
                if (job.getMetadata().getDeletionTimestamp() == null) {
                    live.add(key);
                }
                if (seen.add(key)) {
                    created.add(job);
                    pods.put(key, new java.util.concurrent.CopyOnWriteArrayList<>());
                    Thread t = new Thread(() -> {
                        try {
                            runJob(job);
                        } catch (IllegalStateException | io.fabric8.kubernetes.client.KubernetesClientException e) {
                            // the API server was shut down under this Job
                        }
                    }, "simulated-job-" + job.getMetadata().getName());
                    t.setDaemon(true);
                    t.start();
                }
            }
            for (String key : List.copyOf(pods.keySet())) {
                if (!live.contains(key)) {
                    collect(pods.remove(key));
                }
            }
        } catch (RuntimeException e) {
            // the API server is shutting down
        }
    }

    /**
     * A deleted Job's pods, as the garbage collector and the kubelet handle them: a running worker gets SIGTERM (it
     * stops its load and prints its result), and each pod is deleted once its container has ended.
     */
    private void collect(List<PodRun> runs) {
        for (PodRun run : runs) {
            boolean deleteNow;
            synchronized (run) {
                run.deleted = true;
                deleteNow = run.ended;
            }
            run.signal.stop(WorkerCommand.STOPPED_BY_SIGNAL);
            if (deleteNow) {
                deletePod(run);
            }
        }
    }

    /** The pod's container has ended: a pod whose Job was deleted goes now. */
    private void ended(PodRun run) {
        boolean deleteNow;
        synchronized (run) {
            run.ended = true;
            deleteNow = run.deleted;
        }
        if (deleteNow) {
            deletePod(run);
        }
    }

    private void deletePod(PodRun run) {
        try {
            client.pods().inNamespace(run.namespace).withName(run.name).delete();
        } catch (RuntimeException e) {
            // the API server is shutting down
        }
    }

    private void runJob(Job job) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        if (secret == null) {
            return;
        }
        String json = secret.getStringData() != null && secret.getStringData().containsKey(WorkerJob.SPEC_KEY)
                ? secret.getStringData().get(WorkerJob.SPEC_KEY)
                : new String(Base64.getDecoder().decode(secret.getData().get(WorkerJob.SPEC_KEY)), StandardCharsets.UTF_8);
        WorkerSpec spec = WorkerSpec.fromJson(json);
        URI target = spec.targetUri();
        // Cluster DNS: the Service's name resolves to the simulated Service.
        URI local = URI.create(serviceAddress.getScheme() + "://" + serviceAddress.getRawAuthority() + target.getRawPath());
        List<Thread> kubelets = new ArrayList<>();
        int[] outcome = new int[2];
        List<PodRun> runs = pods.get(ns + "/" + name);
        if (runs == null) {
            return; // deleted before it started
        }
        for (int i = 0; i < job.getSpec().getCompletions(); i++) {
            int index = i;
            String podName = name + "-" + i + "-" + Integer.toHexString(name.hashCode() & 0xfff) + i;
            PodRun run = new PodRun(ns, podName);
            client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(podName).withNamespace(ns)
                    .addToLabels(WorkerJob.JOB_NAME_LABEL, name).addToLabels("job-name", name)
                    .addToAnnotations(WorkerJob.INDEX_ANNOTATION, String.valueOf(i))
                    .withCreationTimestamp(Instant.now().toString()).endMetadata()
                    .withSpec(job.getSpec().getTemplate().getSpec())
                    .withNewStatus().withPhase("Pending").endStatus().build()).create();
            runs.add(run);
            if (!pods.containsKey(ns + "/" + name)) {
                collect(List.of(run)); // the Job was deleted meanwhile
            }
            Thread kubelet = new Thread(() -> {
                try {
                    boolean ok = runPod(run, spec, local, index);
                    synchronized (outcome) {
                        outcome[ok ? 0 : 1]++;
                    }
                    ended(run);
                } catch (IllegalStateException | io.fabric8.kubernetes.client.KubernetesClientException e) {
                    // the API server was shut down under this pod (the test or the simulation ended)
                }
            }, "simulated-kubelet-" + podName);
            kubelet.setDaemon(true);
            kubelet.start();
            kubelets.add(kubelet);
        }
        for (Thread t : kubelets) {
            try {
                t.join();
            } catch (InterruptedException e) {
                return;
            }
        }
        Job j = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        if (j == null) {
            return;
        }
        j.setStatus(new JobStatusBuilder().withSucceeded(outcome[0]).withFailed(outcome[1])
                .addToConditions(outcome[1] == 0
                        ? new JobConditionBuilder().withType("Complete").withStatus("True").build()
                        : new JobConditionBuilder().withType("Failed").withStatus("True").withReason("FailedIndexes")
                                .withMessage("Job has failed indexes").build())
                .build());
        client.batch().v1().jobs().inNamespace(ns).resource(j).updateStatus();
    }

    /** Runs one pod's share of the load as the worker would, and keeps its log; returns whether it succeeded. */
    private boolean runPod(PodRun run, WorkerSpec spec, URI local, int index) {
        String ns = run.namespace;
        String podName = run.name;
        Fault fault = faults.get(index);
        if (fault == Fault.IMAGE_PULL) {
            status(ns, podName, "Pending", new ContainerStatusBuilder().withName(WorkerJob.CONTAINER)
                    .withImage(podImage(ns, podName)).withNewState().withNewWaiting().withReason("ErrImagePull")
                    .withMessage("failed to pull and unpack image \"" + podImage(ns, podName) + "\": not found")
                    .endWaiting().endState().build());
            return false;
        }
        status(ns, podName, "Running", null);
        String label = "worker " + (index + 1) + "/" + spec.workers();
        if (fault == Fault.OOM_KILLED) {
            logs.put(podName, label + ": " + spec.api() + " -> " + spec.target() + "\n");
            status(ns, podName, "Failed", new ContainerStatusBuilder().withName(WorkerJob.CONTAINER).withNewState()
                    .withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated().endState().build());
            return false;
        }
        StringWriter progress = new StringWriter();
        RunSnapshot m = LoadTestRunner.measure(spec.share(index), local, new PrintWriter(progress, true), run.signal);
        logs.put(podName, label + ": " + spec.api() + " -> " + spec.target() + "\n" + WorkerProtocol.READY + "\n"
                + progress + WorkerProtocol.resultLine(m) + "\n");
        boolean signalled;
        synchronized (run) {
            signalled = run.deleted;
        }
        // SIGTERM: the JVM exits 143 (128 + 15) once the worker has printed its result.
        status(ns, podName, signalled ? "Failed" : "Succeeded", new ContainerStatusBuilder().withName(WorkerJob.CONTAINER)
                .withNewState().withNewTerminated().withReason(signalled ? "Error" : "Completed")
                .withExitCode(signalled ? 143 : 0).endTerminated().endState().build());
        return !signalled;
    }

    private String podImage(String ns, String podName) {
        Pod p = client.pods().inNamespace(ns).withName(podName).get();
        return p == null ? "" : p.getSpec().getContainers().get(0).getImage();
    }

    private void status(String ns, String podName, String phase, ContainerStatus container) {
        Pod p = client.pods().inNamespace(ns).withName(podName).get();
        if (p == null) {
            return;
        }
        p.getStatus().setPhase(phase);
        p.getStatus().setContainerStatuses(container == null ? List.of() : List.of(container));
        client.pods().inNamespace(ns).resource(p).updateStatus();
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
