package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The renderer on a tiny chart of its own, so it is tested apart from the project's chart. */
class ChartRendererTest {

    @TempDir
    Path chart;

    private void writeChart() throws Exception {
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: tiny\nversion: 0.1.0\n");
        Files.writeString(chart.resolve("values.yaml"), "greeting: hello\ncount: 1\n");
        Files.writeString(chart.resolve("values.schema.json"), """
                {"type": "object", "additionalProperties": false,
                 "properties": {"greeting": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}}
                """);
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("templates/cm.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}
                  namespace: {{ .Release.Namespace }}
                data:
                  greeting: {{ .Values.greeting | quote }}
                ---
                apiVersion: autoscaling.x-k8s.io/v1
                kind: ProvisioningRequest
                metadata:
                  name: {{ .Release.Name }}-pr
                spec:
                  provisioningClassName: queued-provisioning.gke.io
                """);
    }

    @Test
    void rendersValuesIntoTypedAndGenericObjects() throws Exception {
        writeChart();
        RenderedChart rendered = new ChartRenderer(chart).template("rel", "ns", Map.of("greeting", "hi", "count", 3));
        ConfigMap cm = rendered.single(ConfigMap.class).orElseThrow();
        assertThat(cm.getMetadata().getName()).isEqualTo("rel");
        assertThat(cm.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(cm.getData()).containsEntry("greeting", "hi");
        assertThat(rendered.ofKind("ProvisioningRequest")).singleElement()
                .isInstanceOf(GenericKubernetesResource.class);
    }

    @Test
    void aRepeatedRenderGivesEachCallerItsOwnObjectsAndAChangedChartIsRenderedAgain() throws Exception {
        writeChart();
        ChartRenderer renderer = new ChartRenderer(chart);
        RenderedChart first = renderer.template("rel", "ns", Map.of("greeting", "hi", "count", 3));
        first.single(ConfigMap.class).orElseThrow().getData().put("greeting", "changed by a caller");
        RenderedChart again = renderer.template("rel", "ns", Map.of("count", 3, "greeting", "hi"));
        assertThat(again.manifest()).isEqualTo(first.manifest());
        assertThat(again.single(ConfigMap.class).orElseThrow().getData()).containsEntry("greeting", "hi");

        Files.writeString(chart.resolve("templates/cm.yaml"), Files.readString(chart.resolve("templates/cm.yaml"))
                .replace("greeting: {{ .Values.greeting | quote }}", "greeting: {{ .Values.greeting | upper | quote }}"));
        assertThat(renderer.template("rel", "ns", Map.of("greeting", "hi", "count", 3)).single(ConfigMap.class)
                .orElseThrow().getData()).containsEntry("greeting", "HI");
        assertThat(renderer.template("other", "ns", Map.of("greeting", "hi", "count", 3)).single(ConfigMap.class)
                .orElseThrow().getMetadata().getName()).isEqualTo("other");
    }

    @Test
    void schemaViolationIsOneLineChartException() throws Exception {
        writeChart();
        assertThatThrownBy(() -> new ChartRenderer(chart).template("rel", "ns", Map.of("count", 0)))
                .isInstanceOf(ChartException.class)
                .hasMessageContaining("count")
                .hasMessageNotContaining("\n");
    }

    @Test
    void missingChartIsNamed() {
        assertThatThrownBy(() -> new ChartRenderer(chart.resolve("nope")).template("r", "n", Map.of()))
                .isInstanceOf(ChartException.class)
                .hasMessageContaining("Chart.yaml missing");
    }

    @Test
    void lintsStrict() throws Exception {
        writeChart();
        assertThat(new ChartRenderer(chart).lintStrict().isFailed()).isFalse();
    }

    @Test
    void lintsStrictWithValuesMergedIntoACopy() throws Exception {
        writeChart();
        ChartRenderer renderer = new ChartRenderer(chart);
        assertThat(renderer.lintStrict(Map.of("count", 2)).isFailed()).isFalse();
        var bad = renderer.lintStrict(Map.of("count", 0));
        assertThat(bad.isFailed()).isTrue();
        assertThat(String.join(" ", bad.getMessages())).contains("/count").contains("minimum");
        // the chart itself is untouched
        assertThat(Files.readString(chart.resolve("values.yaml"))).isEqualTo("greeting: hello\ncount: 1\n");
    }

    @Test
    void mergesValuesTheWayHelmDoes() {
        Map<String, Object> base = new java.util.LinkedHashMap<>();
        base.put("service", Map.of("type", "LoadBalancer", "port", 8000));
        base.put("replicaCount", 10);
        base.put("tolerations", java.util.List.of("a"));
        Map<String, Object> overrides = new java.util.HashMap<>();
        overrides.put("service", Map.of("port", 9000));
        overrides.put("replicaCount", null);
        overrides.put("tolerations", java.util.List.of("b"));
        assertThat(ChartRenderer.mergeValues(base, overrides))
                .containsEntry("service", Map.of("type", "LoadBalancer", "port", 9000))
                .containsEntry("tolerations", java.util.List.of("b"))
                .doesNotContainKey("replicaCount");
    }
}
