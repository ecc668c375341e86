package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.ProviderArgs;
import com.pulumi.resources.CustomResourceOptions;

/**
 * Explicit provider resources with pinned plugin versions. The Java SDKs this build can use (gcp 7.0.0,
 * kubernetes 4.0.0) would otherwise ask the engine for plugins of their own age, which predate queued provisioning
 * and flex-start; the {@code version} resource option makes the engine load the plugin named in config instead.
 */
public final class Providers {
    private Providers() {}

    /** @param project the provider's default project; an output when resources must wait for a deploy-time check */
    public static Provider gcp(String name, Settings settings, Output<String> project) {
        return new Provider(name, ProviderArgs.builder()
                .project(project)
                .region(settings.gcp().region())
                .build(), CustomResourceOptions.builder()
                .version(settings.providers().gcpVersion())
                .build());
    }
}
