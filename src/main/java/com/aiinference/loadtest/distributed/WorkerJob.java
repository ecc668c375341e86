package com.aiinference.loadtest.distributed;

import com.aiinference.chart.ChartContract;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Kubernetes objects of {@code --in-cluster}: an Indexed Job whose N pods each run one worker
 * ({@code worker --spec FILE}, index from {@code JOB_COMPLETION_INDEX}), and a Secret with the {@link WorkerSpec}
 * (it holds the request headers, API keys included), mounted read-only into every pod.
 *
 * <p>The Job is bounded and cleans up after itself: {@code activeDeadlineSeconds} is the run's own limit plus time to
 * pull the image and start ({@link #START_ALLOWANCE_SECONDS}), {@code ttlSecondsAfterFinished} removes it (and its
 * pods) even if the coordinator is gone, and the coordinator deletes it after reading the pods' logs. A failed pod is
 * not retried ({@code backoffLimitPerIndex: 0}): a retry would send load that no report shows, and the other indexes
 * keep running. The pods keep off GPU nodes (the load must not share a node with the server it measures), run as
 * non-root with a read-only root filesystem and no service-account token, and fit the restricted Pod Security
 * Standard.
 */
public final class WorkerJob {
    public static final String CONTAINER = "worker";
    public static final String SPEC_DIR = "/etc/ai-inference-worker";
    public static final String SPEC_KEY = "spec.json";
    public static final String COMPONENT = "loadtest-worker";
    /** The label the Job controller puts on its pods (Kubernetes 1.27+), and the index annotation on each. */
    public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    public static final String INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
    /** Image pull, node scale-up in the system pool and JVM start before the load begins. */
    public static final long START_ALLOWANCE_SECONDS = 300;
    /** The coordinator's own margin past the run's limit (report lines, log reads). */
    public static final long FINISH_ALLOWANCE_SECONDS = 60;
    public static final int TTL_SECONDS_AFTER_FINISHED = 600;
    /** A user id with no account in the image: the worker needs none. */
    public static final long RUN_AS = 65532;
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_NAME = 63;

    private WorkerJob() {}

    /**
     * Where and how the Job runs.
     *
     * @param name      the Job's (and the Secret's) name, a DNS label of at most 63 characters
     * @param namespace the release's namespace
     * @param image     the worker image (the project's, built by Jib)
     * @param workers   pods, one per index
     * @param activeDeadlineSeconds the Job's bound
     * @param cpu       CPU request of each pod
     * @param memory    memory request and limit of each pod
     */
    public record Settings(String name, String namespace, String image, int workers, long activeDeadlineSeconds,
                           String cpu, String memory) {
        public Settings {
            if (name.length() > MAX_NAME || !DNS_LABEL.matcher(name).matches()) {
                throw new IllegalArgumentException("Job name '" + name + "' is not a DNS label of at most 63 characters");
            }
            if (image == null || image.isBlank()) {
                throw new IllegalArgumentException("no worker image");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
            }
            new Quantity(cpu);
            new Quantity(memory);
        }
    }

    /**
     * Settings for {@code spec} in {@code namespace}: a name from the release and {@code suffix} (e.g. a few random
     * hex digits, so runs never collide), the deadline from the run's own limit.
     */
    public static Settings settings(String namespace, String release, String image, WorkerSpec spec, String suffix,
                                    String cpu, String memory) {
        String tail = "-loadtest-" + suffix.toLowerCase(Locale.ROOT);
        String head = release.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        head = head.substring(0, Math.min(head.length(), MAX_NAME - tail.length())).replaceAll("-+$", "");
        long runSeconds = (spec.warmupMs() + spec.durationMs() + spec.timeoutMs() + 999) / 1000;
        return new Settings(head + tail, namespace, image, spec.workers(),
                START_ALLOWANCE_SECONDS + runSeconds + FINISH_ALLOWANCE_SECONDS, cpu, memory);
    }

    static Map<String, String> labels(Settings s) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ChartContract.NAME_LABEL, ChartContract.CHART_NAME);
        labels.put(ChartContract.COMPONENT_LABEL, COMPONENT);
        labels.put(ChartContract.MANAGED_BY_LABEL, "ai-inference-loadtest");
        labels.put(ChartContract.INSTANCE_LABEL, s.name());
        return labels;
    }

    /** The Secret holding the spec; the coordinator makes the Job its owner once the Job exists. */
    public static Secret secret(Settings s, WorkerSpec spec) {
        return new SecretBuilder()
                .withNewMetadata().withName(s.name()).withNamespace(s.namespace()).withLabels(labels(s)).endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .addToStringData(SPEC_KEY, spec.toJson())
                .build();
    }

    /** The Indexed Job. */
    public static Job job(Settings s) {
        Map<String, String> labels = labels(s);
        return new JobBuilder()
                .withNewMetadata().withName(s.name()).withNamespace(s.namespace()).withLabels(labels).endMetadata()
                .withNewSpec()
                    .withCompletionMode("Indexed")
                    .withCompletions(s.workers())
                    .withParallelism(s.workers())
                    .withBackoffLimitPerIndex(0)
                    .withActiveDeadlineSeconds(s.activeDeadlineSeconds())
                    .withTtlSecondsAfterFinished(TTL_SECONDS_AFTER_FINISHED)
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withTerminationGracePeriodSeconds(30L)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withRunAsUser(RUN_AS)
                                .withRunAsGroup(RUN_AS)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withNewAffinity().withNewNodeAffinity()
                                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                                    .addNewNodeSelectorTerm().addNewMatchExpression()
                                        .withKey("cloud.google.com/gke-accelerator").withOperator("DoesNotExist")
                                    .endMatchExpression().endNodeSelectorTerm()
                                .endRequiredDuringSchedulingIgnoredDuringExecution()
                            .endNodeAffinity().endAffinity()
                            .addNewContainer()
                                .withName(CONTAINER)
                                .withImage(s.image())
                                .withImagePullPolicy("IfNotPresent")
                                .withArgs("worker", "--spec", SPEC_DIR + "/" + SPEC_KEY)
                                .withNewResources()
                                    .addToRequests("cpu", new Quantity(s.cpu()))
                                    .addToRequests("memory", new Quantity(s.memory()))
                                    .addToLimits("memory", new Quantity(s.memory()))
                                .endResources()
                                .withNewSecurityContext()
                                    .withAllowPrivilegeEscalation(false)
                                    .withReadOnlyRootFilesystem(true)
                                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                                .endSecurityContext()
                                .addNewVolumeMount().withName("spec").withMountPath(SPEC_DIR).withReadOnly(true).endVolumeMount()
                                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                            .endContainer()
                            .addNewVolume().withName("spec").withNewSecret().withSecretName(s.name()).endSecret().endVolume()
                            .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }
}
