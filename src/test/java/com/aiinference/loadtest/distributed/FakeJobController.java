package com.aiinference.loadtest.distributed;

import com.aiinference.Main;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's Kubernetes mock API server (CRUD mode) with a stand-in for the Job controller and the kubelet: for each
 * Indexed Job it creates one pod per index, runs that index's worker in this JVM on the Secret's spec (the Service's
 * cluster DNS name resolved to a local server, as cluster DNS would), serves what the worker printed as the pod's
 * log, and completes the pods and the Job as Kubernetes would. Faults per index: {@link Fault}.
 */
final class FakeJobController implements AutoCloseable {
    enum Fault {
        /** The container is OOM-killed before it prints a result. */
        OOM_KILLED,
        /** The image cannot be pulled: the pod waits in ErrImagePull. */
        IMAGE_PULL
    }

    /** Held so the level sticks: the mock server logs every request at INFO. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log.*");
    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final URI serviceAddress;
    private final Map<Integer, Fault> faults;
    private final Path dir;
    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<Job> created = new ArrayList<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    FakeJobController(URI serviceAddress, Map<Integer, Fault> faults, Path dir) {
        this.serviceAddress = serviceAddress;
        this.faults = faults;
        this.dir = dir;
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses) {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Matcher m = LOG.matcher(request.getPath());
                if ("GET".equals(request.getMethod()) && m.matches()) {
                    String log = logs.get(m.group(2));
                    return log == null ? new MockResponse().setResponseCode(404)
                            : new MockResponse().setResponseCode(200).setBody(log);
                }
                return super.dispatch(request);
            }
        }, false);
        server.start(InetAddress.getLoopbackAddress(), 0);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig())).build();
        loop.scheduleWithFixedDelay(this::reconcile, 50, 50, TimeUnit.MILLISECONDS);
    }

    KubernetesClient client() {
        return client;
    }

    /** A kubeconfig for the mock API server, as the stack's {@code kubeconfig} output would be. */
    String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: http://127.0.0.1:%d
                contexts:
                - name: mock
                  context: {cluster: mock, user: mock}
                current-context: mock
                users:
                - name: mock
                  user: {token: t}
                """.formatted(server.getPort());
    }

    /** Jobs seen so far (as created). */
    synchronized List<Job> created() {
        return List.copyOf(created);
    }

    private void reconcile() {
        try {
            for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
                if (seen.add(job.getMetadata().getNamespace() + "/" + job.getMetadata().getName())) {
                    synchronized (this) {
                        created.add(job);
                    }
                    Thread t = new Thread(() -> runJob(job), "fake-job-" + job.getMetadata().getName());
                    t.setDaemon(true);
                    t.start();
                }
            }
        } catch (RuntimeException e) {
            // the server is shutting down
        }
    }

    private void runJob(Job job) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        int n = job.getSpec().getCompletions();
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        String spec = secret.getStringData() != null && secret.getStringData().containsKey(WorkerJob.SPEC_KEY)
                ? secret.getStringData().get(WorkerJob.SPEC_KEY)
                : new String(java.util.Base64.getDecoder().decode(secret.getData().get(WorkerJob.SPEC_KEY)), StandardCharsets.UTF_8);
        // Cluster DNS: the Service's name resolves to the local server.
        URI target = WorkerSpec.fromJson(spec).targetUri();
        String local = spec.replace(target.getScheme() + "://" + target.getRawAuthority(),
                serviceAddress.getScheme() + "://" + serviceAddress.getRawAuthority());
        Path file = dir.resolve(name + "-spec.json");
        try {
            Files.writeString(file, local);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Thread> kubelets = new ArrayList<>();
        int[] outcome = new int[2];
        for (int i = 0; i < n; i++) {
            int index = i;
            String podName = name + "-" + i + "-x" + i;
            Pod pod = new PodBuilder().withNewMetadata().withName(podName).withNamespace(ns)
                    .addToLabels(WorkerJob.JOB_NAME_LABEL, name).addToLabels("job-name", name)
                    .addToAnnotations(WorkerJob.INDEX_ANNOTATION, String.valueOf(i))
                    .withCreationTimestamp(Instant.now().toString()).endMetadata()
                    .withSpec(job.getSpec().getTemplate().getSpec())
                    .withNewStatus().withPhase("Pending").endStatus().build();
            client.pods().inNamespace(ns).resource(pod).create();
            Thread kubelet = new Thread(() -> {
                boolean ok = runPod(ns, podName, file, index);
                synchronized (outcome) {
                    outcome[ok ? 0 : 1]++;
                }
            }, "fake-kubelet-" + podName);
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
        j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withSucceeded(outcome[0])
                .withFailed(outcome[1]).addToConditions(outcome[1] == 0
                        ? new JobConditionBuilder().withType("Complete").withStatus("True").build()
                        : new JobConditionBuilder().withType("Failed").withStatus("True").withReason("FailedIndexes")
                                .withMessage("Job has failed indexes").build())
                .build());
        client.batch().v1().jobs().inNamespace(ns).resource(j).updateStatus();
    }

    /** Runs one pod's worker; returns whether it succeeded. */
    private boolean runPod(String ns, String podName, Path spec, int index) {
        Fault fault = faults.get(index);
        if (fault == Fault.IMAGE_PULL) {
            status(ns, podName, "Pending", new ContainerStatusBuilder().withName(WorkerJob.CONTAINER).withImage("img:bad")
                    .withNewState().withNewWaiting().withReason("ErrImagePull")
                    .withMessage("failed to pull and unpack image \"img:bad\": not found").endWaiting().endState().build());
            return false;
        }
        status(ns, podName, "Running", null);
        if (fault == Fault.OOM_KILLED) {
            logs.put(podName, "worker " + (index + 1) + ": ollama -> ...\n");
            status(ns, podName, "Failed", new ContainerStatusBuilder().withName(WorkerJob.CONTAINER).withNewState()
                    .withNewTerminated().withReason("OOMKilled").withExitCode(137).endTerminated().endState().build());
            return false;
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("worker", "--spec", spec.toString(), "--index", String.valueOf(index));
        logs.put(podName, err + out.toString());
        status(ns, podName, code == 0 ? "Succeeded" : "Failed", new ContainerStatusBuilder().withName(WorkerJob.CONTAINER)
                .withNewState().withNewTerminated().withReason(code == 0 ? "Completed" : "Error").withExitCode(code)
                .endTerminated().endState().build());
        return code == 0;
    }

    private void status(String ns, String podName, String phase, io.fabric8.kubernetes.api.model.ContainerStatus container) {
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
        client.close();
        server.shutdown();
    }
}
