package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.config.DevStack;
import com.aiinference.core.Check;
import com.aiinference.config.Settings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** provider-plugins judges what the engine received against the flexStart floor, so a program bug fails it. */
class ProgramChecksTest {
    private static MockEngineRun.Result run;
    private static Settings settings;

    @BeforeAll
    static void runTheDevStack() {
        run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.config(), Set.of());
        assertThat(run.errors()).isEmpty();
        settings = DevStack.settings();
    }

    private static Check providerPlugins(MockEngineRun.Result r) {
        return ProgramChecks.check(r, settings).stream().filter(c -> c.name().equals("provider-plugins"))
                .findFirst().orElseThrow();
    }

    /** The same run with the gcp provider registered under another plugin version. */
    private static MockEngineRun.Result withGcpPluginVersion(String version) {
        List<RegisteredResource> changed = run.resources().stream()
                .map(r -> !r.type().equals("pulumi:providers:gcp") ? r
                        : new RegisteredResource(r.type(), r.name(), r.urn(), r.parent(), r.provider(), version,
                        r.inputs(), r.dependencies(), r.custom(), r.read(), r.ignoreChanges()))
                .toList();
        return new MockEngineRun.Result(changed, run.outputs(), run.secretOutputs(), run.errors(), run.invokes());
    }

    @Test
    void theDevStackPassesAboveTheFloor() {
        assertThat(providerPlugins(run)).isEqualTo(Check.pass("provider-plugins",
                "gcp plugin 9.37.0 (>= 8.32.0 for nodeConfig.flexStart), kubernetes plugin 4.34.2 (explicit providers)"));
    }

    @Test
    void aProviderWithoutAVersionFails() {
        assertThat(providerPlugins(withGcpPluginVersion(""))).isEqualTo(Check.fail("provider-plugins",
                "gcp provider registered with plugin version (none: the SDK's own 7.0.0), not an exact release at or above 8.32.0 (the first that sends nodeConfig.flexStart)"));
    }

    @Test
    void aProviderBelowTheFloorFails() {
        assertThat(providerPlugins(withGcpPluginVersion("8.31.9"))).isEqualTo(Check.fail("provider-plugins",
                "gcp provider registered with plugin version 8.31.9, not an exact release at or above 8.32.0 (the first that sends nodeConfig.flexStart)"));
        assertThat(providerPlugins(withGcpPluginVersion("9.0.0-alpha.1")).passed()).isFalse();
        assertThat(providerPlugins(withGcpPluginVersion("8.32.0")).passed()).isTrue();
    }
}
