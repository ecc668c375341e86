package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.plan.StackFile;
import com.aiinference.stack.StackRules;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Pulumi.yaml declares exactly the keys the program knows, with the same types and defaults. */
class PulumiYamlTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> project() throws Exception {
        String text = Files.readString(DevStack.projectDir().resolve("Pulumi.yaml"));
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void configBlockMatchesTheKeyRegistry() throws Exception {
        Map<String, Object> project = project();
        assertThat(project).containsEntry("name", "ai-inference").containsEntry("runtime", "java");
        Map<String, Map<String, Object>> declared = (Map<String, Map<String, Object>>) project.get("config");

        assertThat(declared.keySet()).containsExactlyElementsOf(ConfigKeys.all().stream().map(ConfigKey::name).toList());
        for (ConfigKey key : ConfigKeys.all()) {
            Map<String, Object> d = declared.get(key.name());
            assertThat(d.get("type")).as(key.name() + " type").isEqualTo(key.type().pulumiName());
            assertThat(d.get("default")).as(key.name() + " default").isEqualTo(key.defaultValue());
            assertThat(d.get("description")).as(key.name() + " description").isEqualTo(key.description());
            // Optional secrets are enforced by the program; in Pulumi.yaml `secret: true` would make them required.
            assertThat(d).as(key.name()).doesNotContainKey("secret");
            if (key.type() == ConfigKey.Type.ARRAY) {
                assertThat(d.get("items")).isEqualTo(Map.of("type", "string"));
            }
        }
    }

    @Test
    void theConfigReferenceInDocsListsEveryKeyOnceWithItsDefaultAndNamesTheSecrets() throws Exception {
        String doc = Files.readString(DevStack.projectDir().resolve("docs/stack.md"));
        String reference = doc.substring(doc.indexOf("## Config reference"));
        reference = reference.substring(0, Math.max(reference.indexOf("\n## ", 5), 0) > 0 ? reference.indexOf("\n## ", 5)
                : reference.length());
        java.util.List<String> listed = new java.util.ArrayList<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `([A-Za-z0-9]+)` \\|").matcher(reference);
        while (row.find()) {
            listed.add(row.group(1));
        }
        assertThat(listed).containsExactlyElementsOf(ConfigKeys.all().stream().map(ConfigKey::name).toList());
        java.util.List<String> secrets = ConfigKeys.all().stream().filter(ConfigKey::secret).map(ConfigKey::name).toList();
        for (String secret : secrets) {
            assertThat(reference).as("the secrets named before the table").contains("`" + secret + "`");
        }
    }

    @Test
    void devStackIsTheSeedPlatform() {
        Map<String, String> dev = StackFile.read(DevStack.projectDir().resolve("Pulumi.dev.yaml"), DevStack.PROJECT).config();
        Settings s = SettingsParser.parse(DevStack.PROJECT, dev);
        assertThat(s.gpuPool().machine().name()).isEqualTo("g2-standard-12");
        assertThat(s.gpuPool().acceleratorType()).isEqualTo("nvidia-l4");
        assertThat(s.gpuPool().acceleratorsPerNode()).isEqualTo(1);
        assertThat(s.gpuPool().maxNodes()).isEqualTo(10);
        assertThat(s.gpuPool().queuedProvisioning()).isTrue();
        assertThat(s.workload().memoryLimit().text()).isEqualTo("40Gi");
        assertThat(s.workload().hpaMinReplicas()).isEqualTo(10);
        assertThat(s.workload().hpaMaxReplicas()).isEqualTo(10);
        assertThat(s.workload().numParallel()).isEqualTo(8);
        assertThat(s.service().port()).isEqualTo(8000);
        assertThat(s.service().loadBalancerSourceRanges()).isNotEmpty();
        assertThat(StackRules.check(s, DevStack.projectDir())).allSatisfy(c -> assertThat(c.passed()).as(c.message()).isTrue());
    }

    @Test
    void everyKeyHasADefaultExceptTheProject() {
        List<String> noDefault = ConfigKeys.all().stream().filter(k -> k.defaultValue() == null).map(ConfigKey::name).toList();
        assertThat(noDefault).containsExactly("gcpProject");
        assertThat(ConfigKeys.all().stream().filter(ConfigKey::secret).map(ConfigKey::name)).containsExactly("hfToken", "apiKeys", "tlsKey");
        // With only the project set, the defaults alone make a valid stack (the same platform as dev).
        Map<String, String> minimal = new LinkedHashMap<>();
        minimal.put("ai-inference:gcpProject", "my-gcp-project-id");
        minimal.put("ai-inference:loadBalancerSourceRanges", "[\"203.0.113.0/24\"]");
        Settings s = SettingsParser.parse(DevStack.PROJECT, minimal);
        assertThat(StackRules.check(s, DevStack.projectDir())).allSatisfy(c -> assertThat(c.passed()).as(c.message()).isTrue());
    }
}
