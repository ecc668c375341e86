package com.aiinference.loadtest.distributed;

import com.aiinference.cli.CliException;
import com.aiinference.cli.StackOutputs;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --in-cluster} and its options, shared by {@code loadtest} and {@code verify}: the load runs from the pods of
 * an Indexed Job in the release's namespace, aimed at the Service's cluster DNS name, so a client whose address is
 * not in the load balancer's source ranges (a hosted CI runner) can still load and verify the platform.
 */
public final class InClusterOptions {
    /** The stack output naming the Artifact Registry repository the worker image is pushed to. */
    public static final String WORKER_REPOSITORY_OUTPUT = StackOutputs.WORKER_IMAGE_REPOSITORY;
    /** The image name inside that repository (Jib pushes it; see the pom's worker-image profile). */
    public static final String IMAGE_NAME = "ai-inference";
    /** Pods: a loaded client should not also be a starved one, so each worker pod asks for a whole core. */
    static final String DEFAULT_CPU = "1";
    static final String DEFAULT_MEMORY = "1Gi";
    static final Duration POLL = Duration.ofSeconds(2);
    /** How long a Ctrl-C'd coordinator waits for the stopped pods' results and its report. */
    public static final Duration HOLD = ClusterWorkers.STOP_WAIT.plusSeconds(20);

    @Option(names = "--in-cluster",
            description = "Run the load from inside the cluster: --workers pods (default 1) of a Kubernetes Indexed Job in"
                    + " the release's namespace, aimed at the Service's cluster DNS name; their results are merged.")
    boolean inCluster;

    @Option(names = "--worker-image", paramLabel = "IMAGE",
            description = "With --in-cluster: the worker image (default: the stack's '" + WORKER_REPOSITORY_OUTPUT
                    + "' output + '/" + IMAGE_NAME + ":<this version>').")
    String workerImage;

    @Option(names = "--worker-cpu", paramLabel = "CPU", defaultValue = DEFAULT_CPU,
            description = "With --in-cluster: CPU request of each worker pod. Default: ${DEFAULT-VALUE}.")
    String workerCpu;

    @Option(names = "--worker-memory", paramLabel = "QUANTITY", defaultValue = DEFAULT_MEMORY,
            description = "With --in-cluster: memory request and limit of each worker pod. Default: ${DEFAULT-VALUE}.")
    String workerMemory;

    /** Pods of one Indexed Job: each result is read from a pod log, one by one. */
    static final int MAX_PODS = 100;

    /** The pods for {@code --workers} (1 when not given); more than {@link #MAX_PODS} is a usage error. */
    public static int podCount(Integer workers) {
        int n = workers == null ? 1 : workers;
        if (n > MAX_PODS) {
            throw CliException.usage("--workers " + n + " is more than " + MAX_PODS + " pods");
        }
        return n;
    }

    public boolean inCluster() {
        return inCluster;
    }

    /** Refuses the pod options without {@code --in-cluster}, and bad quantities. */
    public void check() {
        if (!inCluster && (workerImage != null || !DEFAULT_CPU.equals(workerCpu) || !DEFAULT_MEMORY.equals(workerMemory))) {
            throw CliException.usage("--worker-image, --worker-cpu and --worker-memory need --in-cluster");
        }
        quantity(workerCpu, "--worker-cpu", "[0-9]+(\\.[0-9]+)?m?", "e.g. 1 or 500m");
        quantity(workerMemory, "--worker-memory", "[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?", "e.g. 1Gi or 512Mi");
    }

    private static void quantity(String v, String option, String pattern, String example) {
        if (v == null || !v.matches(pattern) || v.matches("0+(\\.0+)?m?")) {
            throw CliException.usage(option + " '" + v + "' is not a positive Kubernetes quantity (" + example + ")");
        }
    }

    /** The worker image: {@code --worker-image}, else the stack's repository output with this build's version. */
    public String image(Optional<StackOutputs> outputs, String version) {
        if (workerImage != null) {
            if (workerImage.isBlank() || workerImage.chars().anyMatch(Character::isWhitespace)) {
                throw CliException.usage("--worker-image '" + workerImage + "' is not an image reference");
            }
            return workerImage;
        }
        Optional<String> repo = outputs.flatMap(o -> o.get(WORKER_REPOSITORY_OUTPUT));
        if (repo.isEmpty()) {
            throw CliException.usage("--in-cluster needs a worker image: give --worker-image IMAGE, or --stack/--outputs of a"
                    + " stack with a '" + WORKER_REPOSITORY_OUTPUT + "' output");
        }
        if (version == null || version.isBlank() || version.equals("dev")) {
            throw CliException.usage("--in-cluster from a build without a version: give --worker-image "
                    + repo.get() + "/" + IMAGE_NAME + ":TAG");
        }
        return repo.get().replaceAll("/+$", "") + "/" + IMAGE_NAME + ":" + version;
    }

    /**
     * The URL the pods load: the Service's cluster DNS name with the port and path of {@code endpoint} (the load
     * balancer serves the Service's port).
     */
    public static URI serviceUrl(String service, String namespace, URI endpoint) {
        if ("https".equalsIgnoreCase(endpoint.getScheme())) {
            // The workers would dial the Service's cluster name, which the endpoint's certificate does not name, and
            // an HTTPS-only Service has no plain port for them.
            throw CliException.usage("--in-cluster needs plain HTTP on the Service, but the endpoint " + endpoint
                    + " is HTTPS only (plainHttp false); load it from a runner with --cacert, or set plainHttp true"
                    + " with internalLoadBalancer");
        }
        try {
            return new URI("http", null, service + "." + namespace + ".svc.cluster.local",
                    endpoint.getPort() > 0 ? endpoint.getPort() : 80, endpoint.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw CliException.usage("cannot build the in-cluster URL of Service " + service + ": " + e.getMessage());
        }
    }

    /** The coordinator of a Job for {@code spec} in {@code namespace}, named after {@code release}. */
    public ClusterWorkers workers(io.fabric8.kubernetes.client.KubernetesClient client, String namespace, String release,
                                  String image, WorkerSpec spec, PrintWriter progress) {
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        WorkerJob.Settings settings;
        try {
            settings = WorkerJob.settings(namespace, release, image, spec, HexFormat.of().formatHex(random), workerCpu,
                    workerMemory);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        return new ClusterWorkers(client, settings, spec, progress, POLL);
    }
}
