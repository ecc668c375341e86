package com.aiinference.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Real Helm (through helm-java's embedded library), offline: lint a chart and render it with values, then parse
 * the manifest into typed Kubernetes models. Used by {@code plan} and by the chart tests.
 */
public final class ChartRenderer {
    /** The chart this project ships, relative to the project root. */
    public static final String CHART_PATH = "charts/ai-inference";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final Path chartDir;

    public ChartRenderer(Path chartDir) {
        this.chartDir = chartDir.toAbsolutePath().normalize();
    }

    /**
     * The project's chart: {@value #CHART_PATH} under the working directory (commands run from the repository root,
     * as the README says; Maven runs tests there too).
     */
    public static ChartRenderer projectChart() {
        return new ChartRenderer(projectRoot().resolve(CHART_PATH));
    }

    /** The project root every command reads the chart and stack files from: the working directory. */
    public static Path projectRoot() {
        return Path.of("");
    }

    public Path chartDir() {
        return chartDir;
    }

    /** Every helm-java call goes through here: loading Helm's Go runtime takes SIGINT/SIGTERM from the JVM. */
    private static <T> T helm(Supplier<T> call) {
        try {
            return call.get();
        } finally {
            HelmSignals.restoreJvmDefault();
        }
    }

    /** {@code helm template RELEASE CHART -n NAMESPACE -f values.yaml}, parsed. */
    public RenderedChart template(String releaseName, String namespace, Map<String, ?> values) {
        requireChart();
        String key = renderKey(releaseName, namespace, values);
        String known = key == null ? null : RENDERED.get(key);
        if (known != null) {
            return new RenderedChart(known, parse(known));
        }
        RenderedChart chart = render(releaseName, namespace, values);
        if (key != null) {
            RENDERED.put(key, chart.manifest());
        }
        return chart;
    }

    /**
     * Manifests rendered in this JVM, by the chart's files (path, size, modification time), release, namespace and
     * values. {@code plan} asks for the same render three times (the config rules, the program on the mock engine,
     * the release it registered) and Helm's render is the costly part; each caller still gets objects of its own,
     * parsed from the manifest. A refusal is not kept: it is rendered again and thrown again.
     */
    private static final Map<String, String> RENDERED = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > 16;
                }
            });

    private static final ObjectMapper KEY_JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** The render's identity, or null when it cannot be told (then it is not kept). */
    private String renderKey(String releaseName, String namespace, Map<String, ?> values) {
        StringBuilder key = new StringBuilder();
        try (var files = Files.walk(chartDir)) {
            key.append(chartDir.toRealPath()).append('\n').append(releaseName).append('\n').append(namespace).append('\n')
                    .append(KEY_JSON.writeValueAsString(values == null ? Map.of() : values)).append('\n');
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                key.append(chartDir.relativize(f)).append(' ').append(Files.size(f)).append(' ')
                        .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
            return key.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private RenderedChart render(String releaseName, String namespace, Map<String, ?> values) {
        Path valuesFile = writeValues(values);
        try {
            String manifest;
            try {
                manifest = helm(() -> new Helm(chartDir).template()
                        .withName(releaseName)
                        .withNamespace(namespace)
                        .withValuesFile(valuesFile)
                        .call());
            } catch (RuntimeException e) {
                throw new ChartException(oneLine(e.getMessage()), e);
            }
            return new RenderedChart(manifest, parse(manifest));
        } finally {
            deleteTree(valuesFile);
        }
    }

    /** {@code helm lint --strict} on the chart with its default values: the messages, failed or not. */
    public LintResult lintStrict() {
        requireChart();
        return helm(() -> new Helm(chartDir).lint().strict().call());
    }

    /**
     * {@code helm lint --strict -f values.yaml}: helm-java's lint takes no values file, so this lints a temporary copy
     * of the chart whose values.yaml is the chart's defaults deep-merged with {@code values} (Helm's merge: maps merge
     * key by key, anything else replaces, null removes the key).
     */
    public LintResult lintStrict(Map<String, ?> values) {
        requireChart();
        Path copy = null;
        try {
            copy = inUse(Files.createTempDirectory("ai-inference-lint"));
            Path chartCopy = copy.resolve(chartDir.getFileName());
            copyTree(chartDir, chartCopy);
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            Object defaults = yaml.load(Files.readString(chartCopy.resolve("values.yaml")));
            Map<String, Object> merged = mergeValues(asMap(defaults), values == null ? Map.of() : values);
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            Files.writeString(chartCopy.resolve("values.yaml"), new Yaml(options).dump(merged));
            return helm(() -> new Helm(chartCopy).lint().strict().call());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (copy != null) {
                deleteTree(copy);
            }
        }
    }

    /** Helm's values merge: {@code overrides} win, nested maps merge, a null override removes the key. */
    static Map<String, Object> mergeValues(Map<String, Object> base, Map<String, ?> overrides) {
        Map<String, Object> merged = new java.util.LinkedHashMap<>(base);
        overrides.forEach((key, value) -> {
            Object current = merged.get(key);
            if (value == null) {
                merged.remove(key);
            } else if (value instanceof Map<?, ?> map && current instanceof Map<?, ?> currentMap) {
                merged.put(key, mergeValues(asMap(currentMap), asMap(map)));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new ChartException("values must be a YAML mapping, got " + value.getClass().getSimpleName(), null);
    }

    /** Copies the chart directory to {@code target} (for variants of the chart: a lint with values, tests). */
    public ChartRenderer copyTo(Path target) throws IOException {
        copyTree(chartDir, target);
        return new ChartRenderer(target);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    /**
     * Temporary values files and chart copies in use: a Ctrl-C exits the JVM without running the finally that removes
     * them, so a shutdown hook removes whatever is still listed.
     */
    private static final java.util.Set<Path> IN_USE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> IN_USE.forEach(ChartRenderer::deleteTree),
                "chart-temp-cleanup"));
    }

    private static Path inUse(Path temp) {
        IN_USE.add(temp);
        return temp;
    }

    private static void deleteTree(Path root) {
        IN_USE.remove(root);
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    /** Parses a multi-document manifest into typed models (unknown kinds become GenericKubernetesResource). */
    public static List<HasMetadata> parse(String manifest) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<HasMetadata> objects = new ArrayList<>();
        for (Object doc : yaml.loadAll(manifest)) {
            if (doc == null) {
                continue;
            }
            String json = SERIALIZATION.asJson(doc);
            Object parsed = SERIALIZATION.unmarshal(json);
            if (parsed instanceof HasMetadata hm) {
                objects.add(hm);
            } else {
                throw new IllegalStateException("rendered document is not a Kubernetes object: " + json);
            }
        }
        return objects;
    }

    private void requireChart() {
        if (!Files.isRegularFile(chartDir.resolve("Chart.yaml"))) {
            throw new ChartException("no Helm chart at " + chartDir + " (Chart.yaml missing)", null);
        }
    }

    private static Path writeValues(Map<String, ?> values) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        try {
            Path file = inUse(Files.createTempFile("ai-inference-values", ".yaml"));
            Files.writeString(file, new Yaml(options).dump(values == null ? Map.of() : values));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's errors span lines ("Error: values don't meet the specifications...\n- at '/x': ..."). */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "helm failed without a message";
        }
        // helm-java has no --debug: Helm's hint about it is dropped.
        return message.strip().replaceAll("\\s*Use --debug flag to render out invalid YAML\\s*$", "")
                .replaceAll("\\s*\\R\\s*", " ");
    }
}
