package com.aiinference.stack;

import com.pulumi.deployment.internal.DeploymentImpl;
import com.pulumi.deployment.internal.DeploymentInternal;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Every config entry of the running deployment ({@code project:key -> value}). Pulumi's Java {@code Config} can only
 * look keys up, not list them, and unknown-key detection needs the list: the deployment's config object holds it in
 * a private field (filled from {@code PULUMI_CONFIG} by the engine, or by the mock engine's builder in {@code plan}).
 * When that field cannot be read, the {@code PULUMI_CONFIG} environment variable the engine sets is parsed instead.
 */
public final class DeploymentConfig {
    private DeploymentConfig() {}

    /** The entries of {@link #all()} that were set as secrets. */
    public static java.util.Set<String> secretKeys(Map<String, String> all) {
        var deployment = DeploymentInternal.getInstance();
        java.util.Set<String> secret = new java.util.TreeSet<>();
        for (String key : all.keySet()) {
            if (deployment.isConfigSecret(key)) {
                secret.add(key);
            }
        }
        return secret;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, String> all() {
        var config = DeploymentInternal.getInstance().getConfig();
        try {
            Field f = DeploymentImpl.Config.class.getDeclaredField("allConfig");
            f.setAccessible(true);
            Object value = f.get(config);
            if (value instanceof Map<?, ?> m) {
                return Map.copyOf((Map<String, String>) m);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall back to the environment below
        }
        String env = System.getenv("PULUMI_CONFIG");
        return env == null || env.isBlank() ? Map.of() : DeploymentImpl.Config.parseConfig(env);
    }
}
