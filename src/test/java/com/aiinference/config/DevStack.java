package com.aiinference.config;

import com.aiinference.plan.StackFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The project's own dev stack config (Pulumi.dev.yaml), with per-test overrides. */
public final class DevStack {
    public static final String PROJECT = "ai-inference";

    private DevStack() {}

    public static Path projectDir() {
        String base = System.getProperty("project.basedir", "");
        return base.isBlank() ? Path.of("").toAbsolutePath() : Path.of(base);
    }

    public static Map<String, String> config() {
        return new LinkedHashMap<>(StackFile.read(projectDir().resolve("Pulumi.dev.yaml"), PROJECT).config());
    }

    /** The dev config with {@code key=value} overrides ({@code key} without namespace; value null removes it). */
    public static Map<String, String> with(String... keyValues) {
        Map<String, String> c = config();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = keyValues[i].contains(":") ? keyValues[i] : PROJECT + ":" + keyValues[i];
            if (keyValues[i + 1] == null) {
                c.remove(key);
            } else {
                c.put(key, keyValues[i + 1]);
            }
        }
        return c;
    }

    /** Settings from the dev config with overrides; {@code apiKeys}, when overridden, counts as set with --secret. */
    public static Settings settings(String... keyValues) {
        return SettingsParser.parse(PROJECT, with(keyValues), SECRET_KEYS);
    }

    public static final java.util.Set<String> SECRET_KEYS = java.util.Set.of(PROJECT + ":apiKeys");
}
