package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsParserTest {

    @Test
    void keysOfOtherNamespacesAreLeftAlone() {
        Settings s = SettingsParser.parse(DevStack.PROJECT,
                DevStack.with("gcp:project", "someone-else", "pulumi:tags", "{\"a\":\"b\"}"));
        assertThat(s.gcp().projectId()).isEqualTo("my-gcp-project-id");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> DevStack.settings("memoryLimit", "40GB", "replicas", "ten", "colour", "blue"))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).containsExactly(
                        "ai-inference:colour is not a known key of this project",
                        "ai-inference:memoryLimit 40GB is not a Kubernetes quantity (e.g. 40Gi, 512Mi, 8, 500m)",
                        "ai-inference:replicas ten is not an integer"));
    }

    @Test
    void theNamespaceIsTheProjectName() {
        // Under another project name the same keys are someone else's: the required project is then missing.
        assertThatThrownBy(() -> SettingsParser.parse("other", DevStack.config()))
                .hasMessage("other:gcpProject is required: set it with `pulumi config set gcpProject <project-id>`");
    }

    @Test
    void listsArriveAsJsonTextLikePulumiConfig() {
        Settings s = DevStack.settings("gpuZones", "[\"us-central1-a\"]", "loadBalancerSourceRanges", "[\"192.0.2.0/24\",\"198.51.100.7/32\"]");
        assertThat(s.gcp().gpuZones()).containsExactly("us-central1-a");
        assertThat(s.service().loadBalancerSourceRanges()).containsExactly("192.0.2.0/24", "198.51.100.7/32");
    }

    @Test
    void apiKeysInPlaintextAreRefused() {
        assertThatThrownBy(() -> SettingsParser.parse(DevStack.PROJECT, DevStack.with("apiKeys", "first-key-0123456789")))
                .hasMessage("ai-inference:apiKeys must be set as a secret: pulumi config set --secret apiKeys <key1,key2>");
        Settings s = SettingsParser.parse(DevStack.PROJECT, DevStack.with("apiKeys", "first-key-0123456789"), DevStack.SECRET_KEYS);
        assertThat(s.service().createsApiKeySecret()).isTrue();
        assertThat(s.toString()).doesNotContain("first-key-0123456789").contains("[secret x1]");
    }

    @Test
    void existingNetworkNeedsItsSubnetwork() {
        assertThatThrownBy(() -> DevStack.settings("networkName", "shared-vpc"))
                .hasMessage("ai-inference:subnetworkName is required when ai-inference:networkName names an existing network");
        Settings s = DevStack.settings("networkName", "shared-vpc", "subnetworkName", "gke-subnet");
        assertThat(s.network().createsNetwork()).isFalse();
    }

    @Test
    void defaultsComeFromTheRegistry() {
        Settings s = SettingsParser.parse(DevStack.PROJECT, Map.of("ai-inference:gcpProject", "my-gcp-project-id"));
        // No patch pinned: GKE's release channel picks the version.
        assertThat(s.cluster().version()).isEqualTo(GkeVersionPin.CHANNEL_DEFAULT);
        assertThat(s.gpuPool().driverVersion()).isEqualTo(ConfigKeys.GPU_DRIVER_VERSION.defaultValue());
        assertThat(s.providers().gcpVersion()).isEqualTo("9.37.0");
        assertThat(s.providers().kubernetesVersion()).isEqualTo("4.34.2");
    }
}
