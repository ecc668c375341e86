package com.aiinference.plan;

import java.util.List;
import java.util.Map;

/**
 * One resource as the program registered it with the engine: what {@code pulumi preview} would show for it.
 *
 * @param parent   the parent's URN ("" for the stack)
 * @param provider the explicit provider's URN ("" when the default provider would be used)
 * @param version  the plugin version the request asks for ("" when none)
 * @param inputs   the inputs exactly as registered (secret values masked)
 * @param read     true for resources read from the cloud ({@code Service.get}) rather than created
 * @param ignoreChanges the {@code ignoreChanges} resource option as registered
 */
public record RegisteredResource(String type, String name, String urn, String parent, String provider, String version,
                                 Map<String, Object> inputs, List<String> dependencies, boolean custom, boolean read,
                                 List<String> ignoreChanges) {

    public boolean isProvider() {
        return type.startsWith("pulumi:providers:");
    }

    /** An input by dotted path ({@code nodeConfig.machineType}); lists are indexed by number. */
    public Object input(String path) {
        Object cur = inputs;
        for (String part : path.split("\\.")) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(part);
            } else if (cur instanceof List<?> l && part.matches("\\d+") && Integer.parseInt(part) < l.size()) {
                cur = l.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return cur;
    }
}
