package com.aiinference.chart;

import static com.aiinference.chart.ChartScenarios.nested;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad values fail at render (= install) time with one line naming the key: schema violations (values.schema.json)
 * and cross-field rules (`fail` in templates/_helpers.tpl). Each case starts from ci/default-values.yaml.
 */
class ChartValuesRejectedTest {

    private static final String SCHEMA = "values don't meet the specifications of the schema(s) in the following chart(s): ai-inference: - at ";

    static Stream<Arguments> badValues() {
        return Stream.of(
                // values.schema.json
                bad("replica count below one", Map.of("replicaCount", 0),
                        SCHEMA + "'/replicaCount': minimum: got 0, want 1"),
                bad("replica count not a number", Map.of("replicaCount", "ten"),
                        SCHEMA + "'/replicaCount': got string, want integer"),
                bad("unknown top-level key", Map.of("replicas", 3),
                        SCHEMA + "'': additional properties 'replicas' not allowed"),
                bad("unknown nested key", nested("service", Map.of("ports", List.of(8000))),
                        SCHEMA + "'/service': additional properties 'ports' not allowed"),
                bad("memory limit in GB instead of a quantity", nested("resources", Map.of("limits", Map.of("memory", "40GB"))),
                        SCHEMA + "'/resources/limits/memory': '40GB' does not match pattern"),
                bad("cpu request not a quantity", nested("resources", Map.of("requests", Map.of("cpu", "eight"))),
                        SCHEMA + "'/resources/requests/cpu': 'eight' does not match pattern"),
                bad("source range with a /33 prefix", nested("service", Map.of("loadBalancerSourceRanges", List.of("10.0.0.0/33"))),
                        SCHEMA + "'/service/loadBalancerSourceRanges/0': '10.0.0.0/33' does not match pattern"),
                bad("source range without a prefix", nested("service", Map.of("loadBalancerSourceRanges", List.of("203.0.113.9"))),
                        SCHEMA + "'/service/loadBalancerSourceRanges/0': '203.0.113.9' does not match pattern"),
                bad("NodePort service", nested("service", Map.of("type", "NodePort")),
                        SCHEMA + "'/service/type': value must be one of 'LoadBalancer', 'ClusterIP'"),
                bad("port out of range", nested("service", Map.of("port", 70000)),
                        SCHEMA + "'/service/port': maximum: got 70,000, want 65,535"),
                bad("unknown accelerator", nested("gpu", Map.of("acceleratorType", "nvidia-h100")),
                        SCHEMA + "'/gpu/acceleratorType': value must be one of 'nvidia-l4'"),
                bad("keep-alive that Ollama cannot parse", nested("ollama", Map.of("keepAlive", "forever")),
                        SCHEMA + "'/ollama/keepAlive': 'forever' does not match pattern"),
                bad("no parallel slots", nested("ollama", Map.of("numParallel", 0)),
                        SCHEMA + "'/ollama/numParallel': minimum: got 0, want 1"),
                bad("unknown KV cache type", nested("ollama", Map.of("kvCacheType", "q5_1")),
                        SCHEMA + "'/ollama/kvCacheType': value must be one of '', 'f16', 'q8_0', 'q4_0'"),
                bad("flash attention as a string", nested("ollama", Map.of("flashAttention", "yes")),
                        SCHEMA + "'/ollama/flashAttention': got string, want boolean"),
                bad("DWS nodes beyond 7 days", nested("dws", Map.of("maxRunDurationSeconds", 700000)),
                        SCHEMA + "'/dws/maxRunDurationSeconds': maximum: got 700,000, want 604,800"),
                bad("hostPath model cache", nested("modelCache", Map.of("type", "hostPath")),
                        SCHEMA + "'/modelCache/type': value must be one of 'emptyDir', 'existingClaim'"),
                bad("empty model name", nested("model", Map.of("name", "")),
                        SCHEMA + "'/model/name': '' does not match pattern"),
                bad("registry port that is not a number", nested("model", Map.of("name", "registry.local:http/m")),
                        SCHEMA + "'/model/name': 'registry.local:http/m' does not match pattern"),
                bad("model name ending in a slash", nested("model", Map.of("name", "team/")),
                        SCHEMA + "'/model/name': 'team/' does not match pattern"),
                bad("image tag with a space", nested("image", Map.of("tag", "0.17 7")),
                        SCHEMA + "'/image/tag': '0.17 7' does not match pattern"),
                bad("floating image tag", nested("image", Map.of("tag", "latest")),
                        SCHEMA + "'/image/tag': 'latest' does not match pattern '^([0-9]+\\\\.[0-9]+\\\\.[0-9]+)?$'"),
                bad("image tag without a patch release", nested("image", Map.of("tag", "0.17")),
                        SCHEMA + "'/image/tag': '0.17' does not match pattern"),
                bad("release-candidate image tag", nested("image", Map.of("tag", "0.17.1-rc1")),
                        SCHEMA + "'/image/tag': '0.17.1-rc1' does not match pattern"),
                bad("image tag with a v prefix", nested("image", Map.of("tag", "v0.17.7")),
                        SCHEMA + "'/image/tag': 'v0.17.7' does not match pattern"),
                bad("fullnameOverride with an underscore and capitals", Map.of("fullnameOverride", "A_B"),
                        SCHEMA + "'/fullnameOverride': 'A_B' does not match pattern '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$'"),
                bad("fullnameOverride ending in a dash", Map.of("fullnameOverride", "ollama-"),
                        SCHEMA + "'/fullnameOverride': 'ollama-' does not match pattern"),
                bad("fullnameOverride longer than a DNS label", Map.of("fullnameOverride", "a".repeat(64)),
                        SCHEMA + "'/fullnameOverride': maxLength: got 64, want 63"),
                bad("nameOverride with an underscore", Map.of("nameOverride", "my_model"),
                        SCHEMA + "'/nameOverride': 'my_model' does not match pattern '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$'"),
                bad("nameOverride with a dot", Map.of("nameOverride", "ollama.l4"),
                        SCHEMA + "'/nameOverride': 'ollama.l4' does not match pattern"),
                bad("misspelled securityContext field", nested("podSecurityContext", Map.of("runAsNonroot", true)),
                        SCHEMA + "'/podSecurityContext': additional properties 'runAsNonroot' not allowed"),
                bad("toleration with an unknown effect", Map.of("tolerations", List.of(Map.of("key", "x", "operator", "Exists", "effect", "NoScheduel"))),
                        SCHEMA + "'/tolerations/0/effect': value must be one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute'"),
                bad("zero maxUnavailable", Map.of("maxUnavailable", 0),
                        SCHEMA + "'/maxUnavailable': minimum: got 0, want 1"),

                // cross-field rules (fail)
                bad("public LB open to the internet by accident", nested("service", Map.of("loadBalancerSourceRanges", List.of())),
                        "a public LoadBalancer without service.loadBalancerSourceRanges is open to 0.0.0.0/0; set service.loadBalancerSourceRanges to your client CIDRs, set service.internal=true, or set service.allowPublicAccess=true to open it on purpose"),
                bad("0.0.0.0/0 as a source range", nested("service", Map.of("loadBalancerSourceRanges", List.of("0.0.0.0/0"))),
                        "service.loadBalancerSourceRanges contains 0.0.0.0/0, which opens the LoadBalancer to the internet (a /0 prefix matches every address); set service.allowPublicAccess=true if that is what you mean"),
                bad("IPv4 /0 with host bits as a source range", nested("service", Map.of("loadBalancerSourceRanges", List.of("203.0.113.0/24", "10.0.0.0/0"))),
                        "service.loadBalancerSourceRanges contains 10.0.0.0/0, which opens the LoadBalancer to the internet (a /0 prefix matches every address); set service.allowPublicAccess=true if that is what you mean"),
                bad("IPv6 ::/0 as a source range", nested("service", Map.of("loadBalancerSourceRanges", List.of("::/0"))),
                        "service.loadBalancerSourceRanges contains ::/0, which opens the LoadBalancer to the internet"),
                bad("IPv6 /0 with address bits as a source range", nested("service", Map.of("loadBalancerSourceRanges", List.of("2001:db8::/0"))),
                        "service.loadBalancerSourceRanges contains 2001:db8::/0, which opens the LoadBalancer to the internet"),
                bad("internal and public at once", nested("service", Map.of("internal", true, "allowPublicAccess", true)),
                        "service.internal=true and service.allowPublicAccess=true contradict each other; choose one"),
                bad("internal ClusterIP", nested("service", Map.of("type", "ClusterIP", "internal", true, "loadBalancerSourceRanges", List.of())),
                        "service.internal=true needs service.type LoadBalancer (it is ClusterIP)"),
                bad("source ranges on a ClusterIP", nested("service", Map.of("type", "ClusterIP")),
                        "service.loadBalancerSourceRanges only applies to service.type LoadBalancer (it is ClusterIP)"),
                bad("HPA bounds upside down", Map.of("replicaCount", 12, "autoscaling", Map.of("minReplicas", 12, "maxReplicas", 10)),
                        "autoscaling.minReplicas 12 exceeds autoscaling.maxReplicas 10"),
                bad("pinned HPA that disagrees with replicaCount", Map.of("replicaCount", 8),
                        "replicaCount 8 disagrees with the pinned HPA (autoscaling.minReplicas = autoscaling.maxReplicas = 10); set them equal"),
                bad("DWS without the node pool", Map.of("gpu", Map.of("nodePool", ""), "dws", Map.of("enabled", true)),
                        "dws.enabled needs gpu.nodePool: the ProvisioningRequest's PodTemplate must select the queued-provisioning node pool by name"),
                bad("DWS with an HPA range", Map.of("dws", Map.of("enabled", true), "autoscaling", Map.of("minReplicas", 2)),
                        "dws.enabled=true provisions a fixed set of nodes, so the replica count must be fixed, but the HPA ranges 2..10 (autoscaling.minReplicas..autoscaling.maxReplicas); set them equal or set autoscaling.enabled=false"),
                bad("gateway off on a public LB", nested("gateway", Map.of("enabled", false)),
                        "gateway.enabled=false on a public LoadBalancer would expose the whole Ollama API (pull, create, push, delete); keep the gateway, or use service.internal=true or service.type=ClusterIP"),
                bad("API keys without the gateway", Map.of("service", Map.of("internal", true, "loadBalancerSourceRanges", List.of()),
                                "gateway", Map.of("enabled", false, "apiKeys", Map.of("existingSecret", "keys"))),
                        "gateway.apiKeys.existingSecret needs gateway.enabled=true: the gateway checks the keys"),
                bad("API keys over plain HTTP on a public LB", nested("gateway", Map.of("apiKeys", Map.of("existingSecret", "keys"))),
                        "gateway.apiKeys.existingSecret on a public LoadBalancer with plain HTTP sends every key (and prompt) in clear text; set gateway.tls.existingSecret and service.plainHttp=false, use service.internal=true, or set gateway.apiKeys.allowPlainHttp=true to do it on purpose"),
                bad("API keys over HTTPS with plain HTTP still open", Map.of("gateway", Map.of("apiKeys", Map.of("existingSecret", "keys"),
                                "tls", Map.of("existingSecret", "tls"))),
                        "gateway.apiKeys.existingSecret on a public LoadBalancer with plain HTTP sends every key (and prompt) in clear text"),
                bad("public endpoint without keys", nested("service", Map.of("allowPublicAccess", true)),
                        "service.allowPublicAccess=true without gateway.apiKeys.existingSecret lets anyone on the internet use the GPUs; set gateway.apiKeys.existingSecret, or set service.allowPublicAccessWithoutKeys=true to do it on purpose"),
                bad("no port at all", nested("service", Map.of("plainHttp", false)),
                        "service.plainHttp=false needs gateway.tls.existingSecret: without TLS the Service would have no port"),
                bad("gateway too small for every replica's streams", nested("gateway", Map.of("workerProcesses", 1, "workerConnections", 1024)),
                        "gateway.workerProcesses x gateway.workerConnections = 1024 is below 1184, 2 x (10 replicas x 8 parallel slots) + 1024: one pod could not hold every replica's streams (each proxied request takes two connections)"),
                bad("output-token cap above the context", nested("gateway", Map.of("policy", Map.of("maxOutputTokens", 8192))),
                        "gateway.policy.maxOutputTokens 8192 exceeds the context length 4096 (ollama.contextLength): an answer cannot be longer than the context"),
                bad("extra models on Ollama", nested("gateway", Map.of("policy", Map.of("extraModels", List.of("other")))),
                        "gateway.policy.extraModels is for engine vllm (LoRA adapters); Ollama serves one model"),
                bad("Ollama release with CVE-2026-7482", nested("image", Map.of("tag", "0.12.4")),
                        "image.tag 0.12.4 is older than Ollama 0.17.1, which fixes CVE-2026-7482 (unauthenticated heap read through /api/create); use 0.17.1 or later"),
                bad("Ollama release one patch below the fix", nested("image", Map.of("tag", "0.17.0")),
                        "image.tag 0.17.0 is older than Ollama 0.17.1, which fixes CVE-2026-7482"),
                bad("memory request above the limit", nested("resources", Map.of("requests", Map.of("memory", "48Gi"))),
                        "resources.requests.memory 48Gi exceeds resources.limits.memory 40Gi; a request above its limit is refused by Kubernetes"),
                bad("cpu request above an explicit limit", nested("resources", Map.of("requests", Map.of("cpu", "9"), "limits", Map.of("cpu", "8500m"))),
                        "resources.requests.cpu 9 exceeds resources.limits.cpu 8500m; a request above its limit is refused by Kubernetes"),
                bad("gateway memory request above its limit", nested("gateway", Map.of("resources", Map.of("requests", Map.of("memory", "1Gi")))),
                        "gateway.resources.requests.memory 1Gi exceeds gateway.resources.limits.memory 128Mi"),
                bad("shared model volume without a claim", nested("modelCache", Map.of("type", "existingClaim")),
                        "modelCache.type existingClaim needs modelCache.existingClaim (the PersistentVolumeClaim name)"));
    }

    private static Arguments bad(String what, Map<String, ?> overrides, String message) {
        return Arguments.of(what, overrides, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void isRefusedWithAOneLineMessage(String what, Map<String, ?> overrides, String message) {
        Map<String, Object> values = ChartScenarios.with("default", overrides);
        assertThatThrownBy(() -> ChartScenarios.render(values))
                .isInstanceOf(ChartException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void bareDefaultsAskTheUserToChooseHowToExposeTheEndpoint() {
        assertThatThrownBy(() -> ChartScenarios.render(Map.of()))
                .isInstanceOf(ChartException.class)
                .hasMessageContaining("a public LoadBalancer without service.loadBalancerSourceRanges is open to 0.0.0.0/0");
    }

    @Test
    void lintReportsTheSchemaViolation() {
        LintResult lint = ChartScenarios.renderer().lintStrict(
                ChartScenarios.with("default", nested("service", Map.of("port", 0))));
        assertThat(lint.isFailed()).isTrue();
        assertThat(String.join("\n", lint.getMessages())).contains("/service/port").contains("minimum: got 0, want 1");
    }

    @Test
    void keysOverPlainHttpAreAcceptedWhereTheySayItOnPurposeOrStayInTheVpc() {
        for (Map<String, Object> values : List.of(
                ChartScenarios.with("default", nested("gateway", Map.of("apiKeys", Map.of("existingSecret", "keys", "allowPlainHttp", true)))),
                ChartScenarios.with("internal-lb", nested("gateway", Map.of("apiKeys", Map.of("existingSecret", "keys")))),
                ChartScenarios.with("default", Map.of("gateway", Map.of("apiKeys", Map.of("existingSecret", "keys"),
                        "tls", Map.of("existingSecret", "tls")), "service", Map.of("plainHttp", false))))) {
            assertThat(ChartScenarios.render(values).single(io.fabric8.kubernetes.api.model.Service.class)).isPresent();
        }
    }

    @Test
    void explicitPublicAccessIsAccepted() {
        RenderedChart chart = ChartScenarios.render(ChartScenarios.with("default",
                nested("service", Map.of("allowPublicAccess", true, "allowPublicAccessWithoutKeys", true,
                        "loadBalancerSourceRanges", List.of("0.0.0.0/0")))));
        assertThat(chart.single(io.fabric8.kubernetes.api.model.Service.class).orElseThrow()
                .getSpec().getLoadBalancerSourceRanges()).containsExactly("0.0.0.0/0");
    }

    /** The floor compares whole versions: 0.17.10 and 0.100.0 are newer than 0.17.1 though not as strings. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0.17.1", "0.17.10", "0.18.0", "0.100.0", "1.0.0"})
    void exactReleasesFromTheFixOnAreAccepted(String tag) {
        RenderedChart chart = ChartScenarios.render(ChartScenarios.with("default", nested("image", Map.of("tag", tag))));
        assertThat(ChartScenarios.container(chart, "ollama").getImage()).isEqualTo("docker.io/ollama/ollama:" + tag);
    }

    /** The schema cannot see appVersion; the fail rule checks the tag actually used. */
    @Test
    void aFloatingAppVersionIsRefusedToo(@TempDir Path work) throws IOException {
        Path copy = work.resolve("ai-inference");
        ChartScenarios.renderer().copyTo(copy);
        Path chartYaml = copy.resolve("Chart.yaml");
        String original = Files.readString(chartYaml);
        assertThat(original).contains("appVersion: \"0.17.7\"");
        Files.writeString(chartYaml, original.replace("appVersion: \"0.17.7\"", "appVersion: \"latest\""));

        assertThatThrownBy(() -> new ChartRenderer(copy).template(ChartScenarios.RELEASE, ChartScenarios.NAMESPACE,
                        ChartScenarios.values("default")))
                .isInstanceOf(ChartException.class)
                .hasMessageContaining("image.tag latest is not an exact Ollama release tag (x.y.z, e.g. 0.17.7); pin a release, 0.17.1 or later")
                .hasMessageNotContaining("\n");
    }

    @Test
    void narrowIpv6RangesAndAnExplicitIpv6OpeningAreAccepted() {
        RenderedChart narrow = ChartScenarios.render(ChartScenarios.with("default",
                nested("service", Map.of("loadBalancerSourceRanges", List.of("203.0.113.0/24", "2001:db8::/32")))));
        assertThat(narrow.single(Service.class).orElseThrow().getSpec().getLoadBalancerSourceRanges())
                .containsExactly("203.0.113.0/24", "2001:db8::/32");

        RenderedChart open = ChartScenarios.render(ChartScenarios.with("default",
                nested("service", Map.of("allowPublicAccess", true, "allowPublicAccessWithoutKeys", true,
                        "loadBalancerSourceRanges", List.of("0.0.0.0/0", "::/0")))));
        assertThat(open.single(Service.class).orElseThrow().getSpec().getLoadBalancerSourceRanges())
                .containsExactly("0.0.0.0/0", "::/0");
    }

    @Test
    void dnsLabelOverridesNameTheObjects() {
        RenderedChart full = ChartScenarios.render(ChartScenarios.with("default", Map.of("fullnameOverride", "llm-0")));
        assertThat(full.single(Service.class).orElseThrow().getMetadata().getName()).isEqualTo("llm-0");

        RenderedChart named = ChartScenarios.render(ChartScenarios.with("default", Map.of("nameOverride", "ollama")));
        assertThat(named.single(Service.class).orElseThrow().getMetadata().getName()).isEqualTo("ai-inference-ollama");
    }
}
