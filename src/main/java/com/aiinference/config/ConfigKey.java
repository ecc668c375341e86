package com.aiinference.config;

import java.util.List;

/**
 * One key of the project's config namespace as {@code Pulumi.yaml} declares it: name, Pulumi type, default and
 * description. {@link ConfigKeys} is the only list of keys; a test holds {@code Pulumi.yaml} to it.
 *
 * @param defaultValue {@code null} when the key is required, else a String, Integer, Boolean or List of Strings,
 *                     matching {@code type}
 * @param secret       the value must be set with {@code pulumi config set --secret}. The program enforces it, not
 *                     {@code Pulumi.yaml}: there a {@code secret: true} key cannot have a default (the default would be
 *                     a plaintext stack value and fail "must be encrypted as it's secret"), and a key without a
 *                     default is required by the Pulumi CLI, so an optional secret is declared as a plain string
 *                     with an empty default.
 */
public record ConfigKey(String name, Type type, Object defaultValue, boolean secret, String description) {

    /** The types {@code Pulumi.yaml} allows for project config. */
    public enum Type {
        STRING("string"), INTEGER("integer"), BOOLEAN("boolean"), ARRAY("array");

        private final String pulumiName;

        Type(String pulumiName) {
            this.pulumiName = pulumiName;
        }

        public String pulumiName() {
            return pulumiName;
        }
    }

    public ConfigKey {
        if (defaultValue != null) {
            boolean ok = switch (type) {
                case STRING -> defaultValue instanceof String;
                case INTEGER -> defaultValue instanceof Integer;
                case BOOLEAN -> defaultValue instanceof Boolean;
                case ARRAY -> defaultValue instanceof List<?>;
            };
            if (!ok) {
                throw new IllegalArgumentException("default of " + name + " is not a " + type.pulumiName());
            }
        }
    }

    static ConfigKey string(String name, String def, String description) {
        return new ConfigKey(name, Type.STRING, def, false, description);
    }

    static ConfigKey integer(String name, int def, String description) {
        return new ConfigKey(name, Type.INTEGER, def, false, description);
    }

    static ConfigKey bool(String name, boolean def, String description) {
        return new ConfigKey(name, Type.BOOLEAN, def, false, description);
    }

    static ConfigKey array(String name, List<String> def, String description) {
        return new ConfigKey(name, Type.ARRAY, def, false, description);
    }

    static ConfigKey required(String name, String description) {
        return new ConfigKey(name, Type.STRING, null, false, description);
    }

    static ConfigKey secret(String name, String description) {
        return new ConfigKey(name, Type.STRING, "", true, description);
    }
}
