package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.loadtest.engine.LoadTestConfig;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Volume;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Indexed Job and Secret that {@code --in-cluster} creates, rendered to JSON and validated strictly: against the
 * Kubernetes 1.32 API schema (the official client's models refuse unknown fields and missing required ones), then
 * against the API server's own rules for Jobs and the restricted Pod Security Standard.
 */
class WorkerJobTest {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final LoadTestConfig WHOLE = LoadTestConfig.builder().users(200).duration(Duration.ofSeconds(60))
            .warmup(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(120))
            .headers(List.of(LoadTestConfig.Header.parse("Authorization: Bearer secret-key"))).build();
    private static final WorkerSpec SPEC = WorkerSpec.of(WHOLE,
            URI.create("http://ai-inference.ai-inference.svc.cluster.local:8000/api/generate"), 4);
    private static final WorkerJob.Settings SETTINGS = WorkerJob.settings("ai-inference", "ai-inference",
            "us-central1-docker.pkg.dev/p/ai-inference/ai-inference:0.1.0", SPEC, "1a2b3c", "1", "1Gi");

    /** Strict schema validation: throws on any field the Kubernetes 1.32 API does not define. */
    private static JsonElement validJob(Job job) throws Exception {
        JsonElement json = JsonParser.parseString(Serialization.asJson(job));
        V1Job.validateJsonElement(json);
        return json;
    }

    @Test
    void theJobIsStrictlyValidKubernetes() throws Exception {
        JsonElement json = validJob(WorkerJob.job(SETTINGS));
        V1Job job = new io.kubernetes.client.openapi.JSON().deserialize(json.toString(), V1Job.class);
        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getKind()).isEqualTo("Job");
        assertThat(job.getMetadata().getName()).isEqualTo("ai-inference-loadtest-1a2b3c").matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
        assertThat(job.getMetadata().getNamespace()).isEqualTo("ai-inference");

        // The API server's rules for an Indexed Job (pkg/apis/batch/validation).
        V1JobSpec spec = job.getSpec();
        assertThat(spec.getCompletionMode()).isEqualTo("Indexed");
        assertThat(spec.getCompletions()).isEqualTo(4);
        assertThat(spec.getParallelism()).isEqualTo(4);
        assertThat(spec.getBackoffLimitPerIndex()).as("needs completionMode Indexed").isZero();
        assertThat(spec.getBackoffLimit()).as("left to its default with backoffLimitPerIndex").isNull();
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(300 + 10 + 60 + 120 + 60L);
        assertThat(spec.getTtlSecondsAfterFinished()).isEqualTo(600);
        assertThat(spec.getManualSelector()).isNull();
        assertThat(spec.getSelector()).as("the controller generates it").isNull();
        V1PodSpec pod = spec.getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).as("a Job's pods may only restart Never or OnFailure").isEqualTo("Never");
        assertThat(spec.getTemplate().getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "loadtest-worker");

        // One container, arguments of the worker command, spec file from the Secret volume.
        assertThat(pod.getContainers()).hasSize(1);
        V1Container c = pod.getContainers().get(0);
        assertThat(c.getName()).isEqualTo("worker").matches(DNS_LABEL);
        assertThat(c.getImage()).isEqualTo("us-central1-docker.pkg.dev/p/ai-inference/ai-inference:0.1.0");
        assertThat(c.getArgs()).containsExactly("worker", "--spec", "/etc/ai-inference-worker/spec.json");
        assertThat(c.getVolumeMounts()).allSatisfy(m -> assertThat(pod.getVolumes()).extracting(V1Volume::getName).contains(m.getName()));
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(job.getMetadata().getName()));
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits().get("memory")).isEqualTo(c.getResources().getRequests().get("memory"));

        // The restricted Pod Security Standard, and no API token in a pod that needs none.
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        // Off the GPU nodes: the load must not share a node with the server it measures.
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0))
                .satisfies(e -> {
                    assertThat(e.getKey()).isEqualTo("cloud.google.com/gke-accelerator");
                    assertThat(e.getOperator()).isEqualTo("DoesNotExist");
                });
    }

    @Test
    void theSecretHoldsTheSpecAndIsStrictlyValid() throws Exception {
        Secret secret = WorkerJob.secret(SETTINGS, SPEC);
        JsonElement json = JsonParser.parseString(Serialization.asJson(secret));
        V1Secret.validateJsonElement(json);
        assertThat(secret.getMetadata().getName()).isEqualTo(SETTINGS.name());
        assertThat(secret.getImmutable()).isTrue();
        assertThat(WorkerSpec.fromJson(secret.getStringData().get("spec.json"))).isEqualTo(SPEC);
        // The API key travels in the Secret, never in the Job.
        assertThat(Serialization.asJson(WorkerJob.job(SETTINGS))).doesNotContain("secret-key");
    }

    @Test
    void theValidatorRefusesWhatTheApiServerWould() {
        // Guards the test above: a misspelt field is refused by the schema.
        JsonElement json = JsonParser.parseString(Serialization.asJson(WorkerJob.job(SETTINGS))
                .replace("\"completionMode\"", "\"completionsMode\""));
        assertThatThrownBy(() -> V1JobSpec.validateJsonElement(json.getAsJsonObject().get("spec")))
                .hasMessageContaining("completionsMode");
    }

    @Test
    void namesFitADnsLabelAndBadSettingsAreRefused() {
        WorkerJob.Settings s = WorkerJob.settings("ns", "A-Very_Long.Release-Name-That-Goes-On-And-On-For-Ever-And-Ever-More",
                "img:1", SPEC, "ABCDEF", "500m", "512Mi");
        assertThat(s.name()).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL).endsWith("-loadtest-abcdef")
                .startsWith("a-very-long-release-name");
        assertThatThrownBy(() -> new WorkerJob.Settings("Bad_Name", "ns", "img:1", 2, 100, "1", "1Gi"))
                .hasMessage("Job name 'Bad_Name' is not a DNS label of at most 63 characters");
        assertThatThrownBy(() -> new WorkerJob.Settings("ok", "ns", " ", 2, 100, "1", "1Gi")).hasMessage("no worker image");
        assertThatThrownBy(() -> new WorkerJob.Settings("ok", "ns", "img:1", 0, 100, "1", "1Gi"))
                .hasMessage("--workers must be at least 1, got 0");
    }
}
