package com.aiinference.chart;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The chart's ci/&lt;scenario&gt;-values.yaml files, rendered as the stack would: release and namespace ai-inference. */
final class ChartScenarios {
    static final String RELEASE = "ai-inference";
    static final String NAMESPACE = "ai-inference";

    private ChartScenarios() {
    }

    static ChartRenderer renderer() {
        return ChartRenderer.projectChart();
    }

    static Path ciDir() {
        return renderer().chartDir().resolve("ci");
    }

    /** Scenario names, from the files present (so a new ci file is linted and rendered without a test change). */
    static List<String> names() {
        try (Stream<Path> files = Files.list(ciDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith("-values.yaml"))
                    .map(n -> n.substring(0, n.length() - "-values.yaml".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> values(String scenario) {
        try {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions()))
                    .load(Files.readString(ciDir().resolve(scenario + "-values.yaml")));
            return loaded == null ? new LinkedHashMap<>() : (Map<String, Object>) loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RenderedChart render(String scenario) {
        return render(values(scenario));
    }

    static RenderedChart render(Map<String, ?> values) {
        return renderer().template(RELEASE, NAMESPACE, values);
    }

    /** The scenario's values with {@code overrides} merged in (Helm's merge rules). */
    static Map<String, Object> with(String scenario, Map<String, ?> overrides) {
        return ChartRenderer.mergeValues(values(scenario), overrides);
    }

    /**
     * Renders with the `helm test` pod included. helm-java's template returns the release manifest without hooks,
     * so this renders a copy of the chart in {@code workDir} whose test template has its hook annotations removed.
     */
    static RenderedChart renderWithTests(Map<String, ?> values, Path workDir) {
        Path copy = workDir.resolve("chart-with-tests");
        try {
            renderer().copyTo(copy);
            Path test = copy.resolve("templates/tests/test-generate.yaml");
            String template = Files.readString(test);
            if (!template.contains("\"helm.sh/hook\": test")) {
                throw new AssertionError("the test pod is no longer a helm test hook");
            }
            Files.writeString(test, template.replaceAll("(?m)^\\s*\"helm\\.sh/hook[^\\n]*\\n", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ChartRenderer(copy).template(RELEASE, NAMESPACE, values);
    }

    static Deployment deployment(RenderedChart chart) {
        return chart.single(Deployment.class).orElseThrow(() -> new AssertionError("no Deployment rendered"));
    }

    static Container container(RenderedChart chart, String name) {
        return deployment(chart).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    static ConfigMap configMap(RenderedChart chart, String suffix) {
        return chart.ofType(ConfigMap.class).stream()
                .filter(cm -> cm.getMetadata().getName().equals(RELEASE + "-" + suffix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + RELEASE + "-" + suffix));
    }

    static String nginxConf(RenderedChart chart) {
        return configMap(chart, "gateway").getData().get("nginx.conf");
    }

    /** Nested map literal helper: {@code nested("service", Map.of("port", 80))}. */
    static Map<String, Object> nested(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }
}
