package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Every value documented (a `# --` comment and a README row) and the schema strict at every level. */
class ChartDocumentationTest {
    private final Path chart = ChartRenderer.projectChart().chartDir();

    @Test
    void everyLeafValueHasADocComment() throws Exception {
        assertThat(documentedKeys()).containsAll(leafKeys());
    }

    @Test
    void everyLeafValueIsInTheReadmeTable() throws Exception {
        String readme = Files.readString(chart.resolve("README.md"));
        for (String key : leafKeys()) {
            assertThat(readme).as("README row for %s", key).contains("| `" + key + "` |");
        }
    }

    @Test
    void schemaRefusesUnknownKeysAtEveryLevel() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(chart.resolve("values.schema.json").toFile());
        List<String> loose = new ArrayList<>();
        walk(schema, "", loose);
        assertThat(loose).as("object schemas without additionalProperties: false").isEmpty();
    }

    @Test
    void chartPinsItsVersions() throws Exception {
        Map<String, Object> meta = load(chart.resolve("Chart.yaml"));
        assertThat(meta).containsEntry("name", "ai-inference").containsEntry("version", "0.1.0")
                .containsEntry("appVersion", "0.17.7");
    }

    private static void walk(JsonNode node, String path, List<String> loose) {
        if (node.has("properties")) {
            JsonNode additional = node.get("additionalProperties");
            if (additional == null || !additional.isBoolean() || additional.asBoolean()) {
                loose.add(path.isEmpty() ? "/" : path);
            }
            node.get("properties").fields().forEachRemaining(e -> walk(e.getValue(), path + "/" + e.getKey(), loose));
        }
        if (node.has("items")) {
            walk(node.get("items"), path + "/items", loose);
        }
    }

    private Set<String> leafKeys() throws Exception {
        Set<String> keys = new LinkedHashSet<>();
        collect(load(chart.resolve("values.yaml")), "", keys);
        return keys;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Map<String, Object> map, String prefix, Set<String> keys) {
        map.forEach((key, value) -> {
            String path = prefix + key;
            if (value instanceof Map<?, ?> nested && !nested.isEmpty() && !path.endsWith("ecurityContext")) {
                collect((Map<String, Object>) nested, path + ".", keys);
            } else {
                keys.add(path);
            }
        });
    }

    /** Keys preceded by a `# --` comment block, as dotted paths from their indentation. */
    private Set<String> documentedKeys() throws Exception {
        Set<String> documented = new LinkedHashSet<>();
        List<String> stack = new ArrayList<>();
        boolean inDoc = false;
        Pattern keyLine = Pattern.compile("^( *)([A-Za-z0-9_]+):.*$");
        for (String line : Files.readAllLines(chart.resolve("values.yaml"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("# --")) {
                inDoc = true;
                continue;
            }
            if (trimmed.startsWith("#")) {
                continue;
            }
            Matcher m = keyLine.matcher(line);
            if (m.matches()) {
                int depth = m.group(1).length() / 2;
                while (stack.size() > depth) {
                    stack.remove(stack.size() - 1);
                }
                stack.add(m.group(2));
                if (inDoc) {
                    documented.add(String.join(".", stack));
                }
            }
            inDoc = false;
        }
        return documented;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file) throws Exception {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }
}
