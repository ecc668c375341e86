package com.aiinference.chart;

import static com.aiinference.chart.ChartScenarios.container;
import static com.aiinference.chart.ChartScenarios.deployment;
import static com.aiinference.chart.ChartScenarios.nested;
import static com.aiinference.chart.ChartScenarios.nginxConf;
import static com.aiinference.chart.ChartScenarios.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code engine: vllm} (ci/vllm-values.yaml): vLLM's server in the same pod shape, behind the same gateway. */
class VllmChartTest {
    private final RenderedChart chart = render("vllm");

    @Test
    void runsTheOfficialImageWithTheParallelismAndMemoryKnobs() {
        Container vllm = container(chart, "vllm");
        assertThat(vllm.getImage()).isEqualTo("docker.io/vllm/vllm-openai:v0.25.0@sha256:fc56161ee42a011aeee78b65d0a81b6683c7d04402fd40503d14d4d6c98f07cb");
        assertThat(vllm.getCommand()).containsExactly("vllm", "serve");
        assertThat(vllm.getArgs()).containsExactly("meta-llama/Llama-3.1-8B-Instruct", "--host=0.0.0.0", "--port=8000",
                "--served-model-name=meta-llama/Llama-3.1-8B-Instruct", "--max-num-seqs=64", "--max-model-len=8192",
                "--gpu-memory-utilization=0.9", "--dtype=auto", "--enable-prompt-tokens-details");
        assertThat(vllm.getResources().getLimits()).containsKeys("nvidia.com/gpu", "memory");
        assertThat(vllm.getResources().getLimits().get("nvidia.com/gpu").toString()).isEqualTo("1");
        EnvVar token = vllm.getEnv().stream().filter(e -> e.getName().equals("HF_TOKEN")).findFirst().orElseThrow();
        assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
        assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hf-token");
        assertThat(vllm.getEnv()).anyMatch(e -> e.getName().equals("HF_HOME") && e.getValue().equals("/models/huggingface"));
        assertThat(deployment(chart).getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("vllm", "gateway");
    }

    @Test
    void theContainerNamesAUserSoTorchsGetuserWorksForAUidWithoutAPasswdEntry() {
        // getpass.getuser() reads LOGNAME, USER, LNAME, USERNAME before pwd.getpwuid(); the image has no entry for the
        // pod's uid, and torch calls it at import (vllm-project/vllm#44548).
        Container vllm = container(chart, "vllm");
        long uid = deployment(chart).getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
        assertThat(uid).isNotEqualTo(0L).isNotEqualTo(2000L); // not root, not the image's own vllm user
        assertThat(vllm.getEnv()).anyMatch(e -> e.getName().equals("USER") && "vllm".equals(e.getValue()));
        assertThat(vllm.getEnv()).anyMatch(e -> e.getName().equals("LOGNAME") && "vllm".equals(e.getValue()));
    }

    @Test
    void readyMeansTheModelIsServedAndShmIsMemoryBacked() {
        Container vllm = container(chart, "vllm");
        assertThat(vllm.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(vllm.getStartupProbe().getFailureThreshold()).isEqualTo(180);
        assertThat(vllm.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v1/models");
        assertThat(vllm.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
        PodSpec pod = deployment(chart).getSpec().getTemplate().getSpec();
        Volume shm = pod.getVolumes().stream().filter(v -> v.getName().equals("dshm")).findFirst().orElseThrow();
        assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(shm.getEmptyDir().getSizeLimit().toString()).isEqualTo("2Gi");
        assertThat(vllm.getVolumeMounts()).anyMatch(m -> m.getName().equals("dshm") && m.getMountPath().equals("/dev/shm"));
        Volume models = pod.getVolumes().stream().filter(v -> v.getName().equals("models")).findFirst().orElseThrow();
        assertThat(models.getEmptyDir().getSizeLimit().toString()).isEqualTo("30Gi");
        assertThat(vllm.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void theGatewayForwardsOnlyTheOpenAiInferenceRoutesToVllmAndItsMetricsOnThePodOnlyPort() {
        String conf = nginxConf(chart);
        assertThat(conf).contains("server 127.0.0.1:8000;", "location = /v1/completions {", "location = /v1/chat/completions {",
                "location = /v1/models {").doesNotContain("location = /api/generate", "location = / {\n            proxy_pass");
        int metricsServer = conf.indexOf("listen 8081;");
        assertThat(conf.indexOf("location = /metrics {")).isGreaterThan(metricsServer);
    }

    @Test
    void dwsWiringAndSchedulingAreTheSameAsOllamas() {
        RenderedChart dws = render(ChartScenarios.with("vllm", Map.of("dws", Map.of("enabled", true))));
        PodSpec pod = deployment(dws).getSpec().getTemplate().getSpec();
        assertThat(deployment(dws).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("autoscaling.x-k8s.io/consume-provisioning-request");
        assertThat(pod.getNodeSelector()).containsEntry("cloud.google.com/gke-accelerator", "nvidia-l4");
        assertThat(pod.getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
        assertThat(pod.getTolerations()).anyMatch(t -> "cloud.google.com/gke-queued".equals(t.getKey()));
    }

    @Test
    void badVllmValuesAreRefusedWithTheKey() {
        var r = ChartScenarios.renderer();
        assertThatThrownBy(() -> r.template("ai-inference", "ai-inference",
                ChartScenarios.with("vllm", Map.of("vllm", Map.of("model", "/models/llama")))))
                .hasMessageContaining("vllm.model /models/llama is a path in the model cache, which only modelCache.type existingClaim provides");
        assertThatThrownBy(() -> r.template("ai-inference", "ai-inference",
                ChartScenarios.with("vllm", Map.of("vllm", Map.of("image", Map.of("tag", "latest"))))))
                .hasMessageContaining("/vllm/image/tag");
        assertThatThrownBy(() -> r.template("ai-inference", "ai-inference",
                ChartScenarios.with("vllm", Map.of("vllm", Map.of("gpuMemoryUtilization", 1.2)))))
                .hasMessageContaining("gpuMemoryUtilization");
        assertThatThrownBy(() -> r.template("ai-inference", "ai-inference", nested("engine", "tgi")))
                .hasMessageContaining("engine");
    }
}
