package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.config.DevStack;
import com.aiinference.plan.MockEngineRun;
import com.aiinference.plan.PlanMocks;
import com.aiinference.plan.RecordedInvoke;
import com.aiinference.plan.RegisteredResource;
import com.pulumi.test.Mocks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** gkeVersion: the channel's default, a minor resolved at deploy time, or an exact pin; the DWS floor on what resolves. */
class ControlPlaneVersionTest {

    private static RegisteredResource cluster(MockEngineRun.Result run) {
        assertThat(run.errors()).isEmpty();
        return run.ofType("gcp:container/cluster:Cluster").get(0);
    }

    private static RecordedInvoke lookup(MockEngineRun.Result run) {
        var found = run.invokes().stream().filter(i -> i.token().equals(PlanMocks.ENGINE_VERSIONS_TOKEN)).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    @Test
    void theDevStackPinsNoVersionAndLeavesItToTheChannel() {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.config(), Set.of());
        assertThat(cluster(run).inputs()).doesNotContainKey("minMasterVersion");
        assertThat(cluster(run).input("releaseChannel.channel")).isEqualTo("REGULAR");
        // The channel's default is still looked up, to check the DWS floor before anything is created.
        assertThat(lookup(run).args()).containsEntry("location", "us-central1").doesNotContainKey("versionPrefix");
        assertThat(run.outputs()).containsEntry("gkeVersion", PlanMocks.MOCK_CHANNEL_VERSIONS.get("REGULAR").get(0));
    }

    @Test
    void aMinorIsResolvedToTheChannelsNewestPatchInTheRegion() {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("gkeVersion", "1.32"), Set.of());
        assertThat(lookup(run).args()).containsEntry("versionPrefix", "1.32.").containsEntry("location", "us-central1")
                .containsEntry("project", "my-gcp-project-id");
        assertThat(cluster(run).input("minMasterVersion")).isEqualTo("1.32.9-gke.1000000");
        // Asked through a pinned gcp provider, never the SDK's default one.
        var lookups = run.ofType("pulumi:providers:gcp").stream().filter(p -> p.urn().equals(lookup(run).provider())).toList();
        assertThat(lookups).singleElement().extracting(RegisteredResource::version).isEqualTo("9.37.0");
    }

    @Test
    void anExactVersionIsPassedThroughWithoutALookup() {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("gkeVersion", "1.33.2-gke.1111000"), Set.of());
        assertThat(cluster(run).input("minMasterVersion")).isEqualTo("1.33.2-gke.1111000");
        assertThat(run.invokes()).noneMatch(i -> i.token().equals(PlanMocks.ENGINE_VERSIONS_TOKEN));
    }

    @Test
    void aMinorThatResolvesBelowTheDwsFloorCreatesNothing() {
        // GKE might still offer only an early 1.32 patch in some region: refused at deploy time, before any resource.
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("gkeVersion", "1.32"), Set.of(),
                answering("1.32.1-gke.1200000"));
        assertThat(run.errors()).singleElement().asString().isEqualTo(
                "ai-inference:gkeVersion 1.32 resolves to 1.32.1-gke.1200000 in us-central1 (REGULAR channel), below "
                        + "1.32.2-gke.1652000, the minimum for queued provisioning on flex-start; set ai-inference:gkeVersion "
                        + "to a later minor, or a faster releaseChannel");
        // Nothing but the project's APIs (enabled first, kept on destroy) is created.
        assertThat(run.resources()).noneMatch(r -> r.custom() && r.type().startsWith("gcp:") && !r.type().equals("gcp:projects/service:Service"));
    }

    @Test
    void theFloorOnlyMattersForDwsAndFlexStartPools() {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("gkeVersion", "1.32",
                "gpuProvisioning", "on-demand", "gpuAutoRepair", "true"), Set.of(),
                answering("1.32.1-gke.1200000"));
        assertThat(cluster(run).input("minMasterVersion")).isEqualTo("1.32.1-gke.1200000");
    }

    @Test
    void aMinorTheChannelNoLongerOffersIsOneLine() {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("gkeVersion", "1.29"), Set.of());
        // 1.29 is below the floor: PolicyRules refuses it before the program runs; without DWS the lookup answers.
        assertThat(run.errors()).singleElement().asString().contains("ai-inference:gkeVersion 1.29 is below 1.32.2-gke.1652000");
        var plain = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("gkeVersion", "1.29",
                "gpuProvisioning", "on-demand", "gpuAutoRepair", "true"), Set.of());
        assertThat(plain.errors()).singleElement().asString().isEqualTo(
                "ai-inference:gkeVersion 1.29: GKE offers no 1.29 version in us-central1 (REGULAR channel); pick a minor "
                        + "the channel offers, or leave ai-inference:gkeVersion empty for its default");
        assertThat(plain.resources()).noneMatch(r -> r.custom() && r.type().startsWith("gcp:") && !r.type().equals("gcp:projects/service:Service"));
    }

    /** The plan's cloud answers, except getEngineVersions, which offers {@code version} on every channel. */
    private static Mocks answering(String version) {
        var plan = new PlanMocks();
        return new Mocks() {
            @Override
            public CompletableFuture<ResourceResult> newResourceAsync(ResourceArgs args) {
                return plan.newResourceAsync(args);
            }

            @Override
            public CompletableFuture<Map<String, Object>> callAsync(CallArgs args) {
                if (!args.token.equals(PlanMocks.ENGINE_VERSIONS_TOKEN)) {
                    return plan.callAsync(args);
                }
                Map<String, Object> channels = new LinkedHashMap<>();
                List.of("RAPID", "REGULAR", "STABLE").forEach(c -> channels.put(c, version));
                return CompletableFuture.completedFuture(Map.of("id", "x", "defaultClusterVersion", version,
                        "latestMasterVersion", version, "latestNodeVersion", version,
                        "validMasterVersions", List.of(version), "validNodeVersions", List.of(version),
                        "releaseChannelDefaultVersion", channels, "releaseChannelLatestVersion", channels));
            }
        };
    }
}
