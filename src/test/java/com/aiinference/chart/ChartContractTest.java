package com.aiinference.chart;

import static com.aiinference.chart.ChartScenarios.nested;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

/** The chart holds to {@link ChartContract}: the names the stack, plan, verify and simulate rely on. */
class ChartContractTest {

    @Test
    void containersPortsAndLabelsAreTheContracts() {
        RenderedChart chart = ChartScenarios.render("default");
        Deployment d = ChartScenarios.deployment(chart);
        var pod = d.getSpec().getTemplate();
        assertThat(pod.getMetadata().getLabels())
                .containsAllEntriesOf(ChartContract.podSelector(ChartScenarios.RELEASE))
                .containsEntry(ChartContract.COMPONENT_LABEL, ChartContract.INFERENCE_COMPONENT);
        assertThat(d.getSpec().getSelector().getMatchLabels())
                .containsAllEntriesOf(ChartContract.podSelector(ChartScenarios.RELEASE));
        assertThat(port(ChartScenarios.container(chart, ChartContract.OLLAMA_CONTAINER), ChartContract.OLLAMA_PORT_NAME))
                .isEqualTo(ChartContract.OLLAMA_PORT);
        Container gateway = ChartScenarios.container(chart, ChartContract.GATEWAY_CONTAINER);
        assertThat(port(gateway, ChartContract.GATEWAY_PORT_NAME)).isEqualTo(ChartContract.GATEWAY_PORT);
        assertThat(port(gateway, ChartContract.METRICS_PORT_NAME)).isEqualTo(ChartContract.METRICS_PORT);
        assertThat(ChartScenarios.nginxConf(chart)).contains("location = /" + ChartContract.STUB_STATUS_PATH);
        Service svc = chart.single(Service.class).orElseThrow();
        assertThat(svc.getSpec().getSelector()).containsAllEntriesOf(ChartContract.podSelector(ChartScenarios.RELEASE));
    }

    @Test
    void queuedPodsNameTheirProvisioningRequestAndClass() {
        RenderedChart chart = ChartScenarios.render("dws");
        var annotations = ChartScenarios.deployment(chart).getSpec().getTemplate().getMetadata().getAnnotations();
        String pr = chart.ofKind("ProvisioningRequest").get(0).getMetadata().getName();
        assertThat(annotations).containsEntry(ChartContract.CONSUME_PROVISIONING_REQUEST, pr)
                .containsEntry(ChartContract.PROVISIONING_CLASS_ANNOTATION, ChartContract.QUEUED_PROVISIONING_CLASS);
    }

    @Test
    @SuppressWarnings("unchecked")
    void defaultsAreTheContracts() throws IOException {
        Map<String, Object> values = new Yaml().load(Files.readString(ChartScenarios.renderer().chartDir().resolve("values.yaml")));
        assertThat(((Map<String, Object>) values.get("model")).get("name")).isEqualTo(ChartContract.DEFAULT_MODEL);
        var apiKeys = (Map<String, Object>) ((Map<String, Object>) values.get("gateway")).get("apiKeys");
        assertThat(apiKeys.get("secretKey")).isEqualTo(ChartContract.API_KEYS_SECRET_KEY);
        assertThat(new Yaml().<Map<String, Object>>load(Files.readString(ChartScenarios.renderer().chartDir()
                .resolve("Chart.yaml"))).get("name")).isEqualTo(ChartContract.CHART_NAME);
    }

    /** The vLLM engine's container and port, the engine values and the defaults other parts take from the contract. */
    @Test
    @SuppressWarnings("unchecked")
    void enginesServicePortHfTokenKeyAndNodePoolLabelAreTheContracts() throws IOException {
        RenderedChart vllm = ChartScenarios.render("vllm");
        // The gateway forwards each engine's generation route (the stack's endpoint output names it).
        assertThat(ChartScenarios.nginxConf(vllm)).contains(" " + ChartContract.generatePath(ChartContract.ENGINE_VLLM) + " ");
        assertThat(ChartScenarios.nginxConf(ChartScenarios.render("default")))
                .contains(" " + ChartContract.generatePath(ChartContract.ENGINE_OLLAMA) + " ");
        assertThat(port(ChartScenarios.container(vllm, ChartContract.VLLM_CONTAINER), ChartContract.VLLM_CONTAINER))
                .isEqualTo(ChartContract.VLLM_PORT);
        assertThat(ChartScenarios.deployment(vllm).getSpec().getTemplate().getSpec().getNodeSelector())
                .containsEntry(ChartContract.NODE_POOL_LABEL, "l4-pool");
        var chartDir = ChartScenarios.renderer().chartDir();
        Map<String, Object> values = new Yaml().load(Files.readString(chartDir.resolve("values.yaml")));
        assertThat(values.get("engine")).isEqualTo(ChartContract.ENGINE_OLLAMA);
        assertThat(((Map<String, Object>) values.get("service")).get("port")).isEqualTo(ChartContract.SERVICE_PORT);
        var hfToken = (Map<String, Object>) ((Map<String, Object>) values.get("vllm")).get("hfToken");
        assertThat(hfToken.get("secretKey")).isEqualTo(ChartContract.HF_TOKEN_SECRET_KEY);
        Map<String, Object> schema = new Yaml().load(Files.readString(chartDir.resolve("values.schema.json")));
        assertThat(((Map<String, Map<String, Object>>) schema.get("properties")).get("engine").get("enum"))
                .isEqualTo(java.util.List.of(ChartContract.ENGINE_OLLAMA, ChartContract.ENGINE_VLLM));
    }

    /** The model's normal form, as the chart gives it to the container and as verify compares it with `ollama ps`. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "llama3.1, llama3.1:latest",
        "llama3.1:8b, llama3.1:8b",
        "library/qwen2, library/qwen2:latest",
        "registry.local:5000/team/m, registry.local:5000/team/m:latest",
        "registry.local:5000/team/m:v1, registry.local:5000/team/m:v1"})
    void modelReferencesHaveTheChartsNormalForm(String model, String normal) {
        RenderedChart chart = ChartScenarios.render(ChartScenarios.with("default", nested("model", Map.of("name", model))));
        String rendered = ChartScenarios.container(chart, ChartContract.OLLAMA_CONTAINER).getEnv().stream()
                .filter(e -> e.getName().equals("AI_INFERENCE_MODEL")).map(EnvVar::getValue).findFirst().orElseThrow();
        assertThat(rendered).isEqualTo(normal);
        assertThat(ChartContract.modelRef(model)).isEqualTo(normal);
        assertThat(ChartContract.sameModel(model, normal)).isTrue();
    }

    private static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + name));
    }
}
