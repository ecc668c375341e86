package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `helm test` pod as rendered (its script also runs for real in {@link GatewayRoutingIT}).
 */
class HelmTestPodTest {
    @TempDir
    Path copy;

    private Pod render(String scenario) {
        return ChartScenarios.renderWithTests(ChartScenarios.values(scenario), copy).single(Pod.class).orElseThrow();
    }

    @Test
    void postsGenerateThroughTheServiceAndChecksThatPullIsRefused() {
        Pod pod = render("default");
        assertThat(pod.getMetadata().getName()).isEqualTo("ai-inference-test-generate");
        // verify selects inference pods by name + instance: the test pod must not match
        assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "ai-inference-test")
                .containsEntry("app.kubernetes.io/component", "test");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("docker.io/curlimages/curl:8.11.1@sha256:c1fe1679c34d9784c1b0d1e5f62ac0a79fca01fb6377cdd33e90473c6f9f9a69");
        String script = c.getArgs().get(0);
        assertThat(script).contains("base=\"http://ai-inference.ai-inference.svc:8000\"")
                .contains("\"$base/api/generate\"")
                .contains("{\"model\":\"llama3.1:8b\",")
                .contains("[ \"$code\" = 200 ]")
                .contains("\"$base/api/pull\"")
                .contains("[ \"$code\" = 403 ]")
                .doesNotContain("Bearer $key");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void sendsAnApiKeyWhenTheGatewayRequiresOne() {
        Pod pod = render("api-keys");
        String script = pod.getSpec().getContainers().get(0).getArgs().get(0);
        assertThat(script).contains("auth=\"Authorization: Bearer $key\"")
                .contains("/etc/ai-inference/api-keys/api-keys")
                // HTTPS only in this scenario: the test goes through TLS on the Service's https port.
                .contains("base=\"https://ai-inference.ai-inference.svc:443\"").contains("curl $tls -sS");
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("ai-inference-api-keys"));
    }

    @Test
    void withoutTheGatewayOnlyGenerateIsChecked() {
        Pod pod = render("clusterip-no-gateway");
        String script = pod.getSpec().getContainers().get(0).getArgs().get(0);
        assertThat(script).contains("/api/generate").doesNotContain("/api/pull");
        assertThat(Map.copyOf(pod.getMetadata().getLabels())).doesNotContainEntry("app.kubernetes.io/component", "inference");
    }
}
