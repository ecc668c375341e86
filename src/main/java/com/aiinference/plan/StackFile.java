package com.aiinference.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

/**
 * A stack's config as the Pulumi CLI would hand it to the program: {@code Pulumi.<stack>.yaml}'s {@code config:}
 * block flattened to {@code namespace:key -> string}, with lists and maps as JSON text (what {@code PULUMI_CONFIG}
 * carries). {@code secure:} values cannot be decrypted offline; they are passed as a placeholder and marked secret.
 */
public record StackFile(Path path, Map<String, String> config, Set<String> secretKeys) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String SECRET_PLACEHOLDER = "plan-placeholder-for-secret";

    /** Reads a stack file; keys without a namespace belong to {@code project}, as the Pulumi CLI reads them. */
    public static StackFile read(Path path, String project) {
        Object doc = loadYaml(path, "stack file");
        Map<String, String> config = new LinkedHashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        if (doc == null) {
            return new StackFile(path, config, secrets);
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw new StackFileException("stack file " + path + " is not a YAML mapping");
        }
        Object block = top.get("config");
        if (block == null) {
            return new StackFile(path, config, secrets);
        }
        if (!(block instanceof Map<?, ?> entries)) {
            throw new StackFileException("stack file " + path + ": 'config' is not a mapping of keys to values");
        }
        Map<String, String> written = new LinkedHashMap<>();
        for (var e : entries.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!key.contains(":")) {
                key = project + ":" + key;
            }
            String earlier = written.put(key, String.valueOf(e.getKey()));
            if (earlier != null) {
                throw new StackFileException("stack file " + path + " sets " + key + " twice (as " + earlier + " and "
                        + e.getKey() + "); keep one");
            }
            Object value = e.getValue();
            if (value instanceof Map<?, ?> m && m.size() == 1 && m.containsKey("secure")) {
                config.put(key, SECRET_PLACEHOLDER);
                secrets.add(key);
            } else if (value instanceof Map<?, ?> || value instanceof java.util.List<?>) {
                try {
                    config.put(key, JSON.writeValueAsString(value));
                } catch (JsonProcessingException ex) {
                    throw new StackFileException("stack file " + path + ": cannot read " + key);
                }
            } else {
                config.put(key, value == null ? "" : String.valueOf(value));
            }
        }
        return new StackFile(path, config, secrets);
    }

    /** The project name from {@code Pulumi.yaml} (the config namespace and the URN's project part). */
    public static String projectName(Path projectFile) {
        Object doc = loadYaml(projectFile, "project file");
        if (doc instanceof Map<?, ?> m && m.get("name") instanceof String name && !name.isBlank()) {
            return name;
        }
        throw new StackFileException("project file " + projectFile + " has no 'name'");
    }

    private static Object loadYaml(Path path, String what) {
        try {
            // SnakeYAML's default keeps the last of two equal keys (with a warning nobody sees); Pulumi users then
            // plan one value and deploy another after an edit. Refuse instead.
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            String text;
            try {
                text = com.aiinference.core.UserFiles.read(path, what);
            } catch (com.aiinference.core.UserFiles.UserFileException e) {
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
