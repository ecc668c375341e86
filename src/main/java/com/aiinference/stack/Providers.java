package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.ProviderArgs;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import java.util.List;

/**
 * Explicit provider resources with pinned plugin versions. The Java SDKs this build can use (gcp 7.0.0,
 * kubernetes 4.0.0) would otherwise ask the engine for plugins of their own age, which predate queued provisioning
 * and flex-start; the {@code version} resource option makes the engine load the plugin named in config instead.
 */
public final class Providers {
    private Providers() {}

    /** @param project the provider's default project; an output when resources must wait for a deploy-time check */
    public static Provider gcp(String name, Settings settings, Output<String> project) {
        return gcp(name, settings, project, List.of());
    }

    /** @param after resources every resource created through this provider must follow (the project's APIs) */
    public static Provider gcp(String name, Settings settings, Output<String> project, List<Resource> after) {
        return new Provider(name, ProviderArgs.builder()
                .project(project)
                .region(settings.gcp().region())
                .build(), CustomResourceOptions.builder()
                .version(settings.providers().gcpVersion())
                .dependsOn(after)
                .build());
    }
}
