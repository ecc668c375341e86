package com.aiinference.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A stack's config as the Pulumi CLI would hand it to the program: {@code Pulumi.<stack>.yaml}'s {@code config:}
 * block flattened to {@code namespace:key -> string}, with lists and maps as JSON text (what {@code PULUMI_CONFIG}
 * carries). {@code secure:} values cannot be decrypted offline; they are passed as a placeholder and marked secret.
 */
public record StackFile(Path path, Map<String, String> config, Set<String> secretKeys) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String SECRET_PLACEHOLDER = "plan-placeholder-for-secret";

    /** The keys a Pulumi stack file may have at its top level. */
    static final java.util.List<String> TOP_LEVEL_KEYS = java.util.List.of("config", "secretsprovider", "encryptedkey",
            "encryptionsalt", "environment");

    /**
     * Reads a stack file as the Pulumi CLI does; keys without a namespace belong to {@code project}. A top-level
     * value is taken as written ({@code gkeVersion: 1.30} is "1.30", {@code deletionProtection: no} is "no", which
     * the typed check then refuses): Pulumi keeps a config value's text, and reads YAML 1.2, where yes/no/on/off are
     * not booleans. Lists and maps become JSON with YAML 1.2's types.
     */
    public static StackFile read(Path path, String project) {
        Node doc = composeYaml(path, "stack file");
        Map<String, String> config = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        if (doc == null) {
            return new StackFile(path, config, secrets);
        }
        if (!(doc instanceof MappingNode top)) {
            throw new StackFileException("stack file " + path + " is not a YAML mapping");
        }
        Node block = null;
        Set<String> seen = new LinkedHashSet<>();
        for (NodeTuple t : top.getValue()) {
            String key = scalar(t.getKeyNode());
            if (!seen.add(key)) {
                throw new StackFileException("stack file " + path + " has '" + key + "' twice; keep one");
            }
            if (!TOP_LEVEL_KEYS.contains(key)) {
                String hint = com.aiinference.config.ConfigKeys.closest(key, TOP_LEVEL_KEYS)
                        .map(k -> " (did you mean '" + k + "'?)").orElse(" (a stack file has " + String.join(", ",
                                TOP_LEVEL_KEYS) + ")");
                throw new StackFileException("stack file " + path + ": '" + com.aiinference.core.Text.clip(key, 40)
                        + "' is not a key of a Pulumi stack file" + hint);
            }
            if (key.equals("config")) {
                block = t.getValueNode();
            }
        }
        if (block == null || (block instanceof ScalarNode empty && empty.getValue().isEmpty())) {
            return new StackFile(path, config, secrets);
        }
        if (!(block instanceof MappingNode entries)) {
            throw new StackFileException("stack file " + path + ": 'config' is not a mapping of keys to values");
        }
        Map<String, String> written = new LinkedHashMap<>();
        for (NodeTuple e : entries.getValue()) {
            String asWritten = scalar(e.getKeyNode());
            String key = asWritten.contains(":") ? asWritten : project + ":" + asWritten;
            String earlier = written.put(key, asWritten);
            if (asWritten.equals(earlier)) {
                throw new StackFileException("stack file " + path + ": found duplicate key " + asWritten + " at line "
                        + (e.getKeyNode().getStartMark().getLine() + 1) + "; keep one");
            }
            if (earlier != null) {
                throw new StackFileException("stack file " + path + " sets " + key + " twice (as " + earlier + " and "
                        + asWritten + "); keep one");
            }
            Node value = e.getValueNode();
            if (value instanceof ScalarNode text) {
                config.put(key, text.getValue());
                continue;
            }
            Object structured = Yaml12.construct(value);
            if (structured instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("secure")) {
                config.put(key, SECRET_PLACEHOLDER);
                secrets.add(key);
            } else {
                try {
                    config.put(key, JSON.writeValueAsString(structured));
                } catch (JsonProcessingException ex) {
                    throw new StackFileException("stack file " + path + ": cannot read " + key);
                }
            }
        }
        return new StackFile(path, config, secrets);
    }

    private static String scalar(Node key) {
        return key instanceof ScalarNode s ? s.getValue() : String.valueOf(Yaml12.construct(key));
    }

    /** YAML 1.2's core schema, as Pulumi's YAML reader applies it: only true/false are booleans. */
    static final class Yaml12 extends SafeConstructor {
        private static final Yaml12 INSTANCE = new Yaml12();

        private Yaml12() {
            super(new LoaderOptions());
        }

        static Object construct(Node node) {
            synchronized (INSTANCE) {
                return INSTANCE.constructObject(node);
            }
        }

        static final class CoreResolver extends org.yaml.snakeyaml.resolver.Resolver {
            @Override
            protected void addImplicitResolvers() {
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL,
                        java.util.regex.Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT,
                        java.util.regex.Pattern.compile("^(?:[-+]?[1-9][0-9]*|[-+]?0|0x[0-9a-fA-F]+)$"), "-+0123456789");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, java.util.regex.Pattern.compile(
                        "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)"
                                + "|\\.(?:nan|NaN|NAN))$"), "-+0123456789.");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL,
                        java.util.regex.Pattern.compile("^(?:~|null|Null|NULL|)$"), "~nN\0");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, java.util.regex.Pattern.compile("^$"), null);
            }
        }
    }

    /** The project name from {@code Pulumi.yaml} (the config namespace and the URN's project part). */
    public static String projectName(Path projectFile) {
        Object doc = loadYaml(projectFile, "project file");
        if (doc instanceof Map<?, ?> m && m.get("name") instanceof String name && !name.isBlank()) {
            return name;
        }
        throw new StackFileException("project file " + projectFile + " has no 'name'");
    }

    /** The stack file's node tree under YAML 1.2's core schema (scalars keep the text they were written as). */
    private static Node composeYaml(Path path, String what) {
        String text;
        try {
            text = com.aiinference.io.UserFiles.read(path, what);
        } catch (com.aiinference.io.UserFiles.UserFileException e) {
            throw new StackFileException(e.getMessage());
        }
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            Yaml yaml = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(
                    new org.yaml.snakeyaml.DumperOptions()), new org.yaml.snakeyaml.DumperOptions(), options,
                    new Yaml12.CoreResolver());
            return yaml.compose(new java.io.StringReader(text));
        } catch (YAMLException e) {
            throw new StackFileException(what + " " + path + " is not valid YAML: "
                    + com.aiinference.core.Text.clip(e.getMessage().strip().replaceAll("\\s*\\R\\s*", " "), 300));
        }
    }

    private static Object loadYaml(Path path, String what) {
        try {
            // SnakeYAML's default keeps the last of two equal keys (with a warning nobody sees); Pulumi users then
            // plan one value and deploy another after an edit. Refuse instead.
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            String text;
            try {
                text = com.aiinference.io.UserFiles.read(path, what);
            } catch (com.aiinference.io.UserFiles.UserFileException e) {
                throw new StackFileException(e.getMessage());
            }
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (DuplicateKeyException e) {
            String problem = e.getProblem() == null ? "found a duplicate key" : e.getProblem().strip();
            String line = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1);
            throw new StackFileException(what + " " + path + ": " + problem + line + "; keep one");
        } catch (YAMLException e) {
            throw new StackFileException(what + " " + path + " is not valid YAML: "
                    + e.getMessage().strip().replaceAll("\\s*\\R\\s*", " "));
        }
    }
}
