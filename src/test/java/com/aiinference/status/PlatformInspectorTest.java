package com.aiinference.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.core.Check;
import com.aiinference.kube.GkeApi;
import com.aiinference.kube.KubeAccess;
import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.verify.SimulatedRelease;
import com.aiinference.verify.VerificationChecks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots read from fabric8's mock API server in CRUD mode, seeded by the simulation. */
@Timeout(60)
class PlatformInspectorTest {
    @TempDir
    Path dir;

    private static PlatformTarget target(SimulatedRelease r, Expectations e) {
        return new PlatformTarget(KubeAccess.fromText(r.cluster.kubeconfig(), "test", null), "ai-inference", "ai-inference",
                r.cluster.endpoint(), e);
    }

    /** The bug this fixes: a registry port's colon is not a tag, so host:5000/m is host:5000/m:latest in `ollama ps`. */
    @Test
    void aModelFromARegistryWithAPortIsMatchedInItsNormalForm() {
        assertThat(PlatformInspector.sameModel("registry.local:5000/m", "registry.local:5000/m:latest")).isTrue();
        assertThat(PlatformInspector.sameModel("llama3.1", "llama3.1:latest")).isTrue();
        assertThat(PlatformInspector.sameModel("registry.local:5000/m:v1", "registry.local:5000/m:latest")).isFalse();
    }

    @Test
    void theRequestThePodsConsumeWinsOverAnOlderOneWithTheSameLabels() {
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("Provisioned"), dir)) {
            // An upgrade's leftover: same release labels, another spec hash, failed.
            var old = new GenericKubernetesResourceBuilder().withApiVersion("autoscaling.x-k8s.io/v1").withKind("ProvisioningRequest")
                    .withNewMetadata().withName("ai-inference-0ld00").withNamespace("ai-inference")
                    .withLabels(Map.of("app.kubernetes.io/name", "ai-inference", "app.kubernetes.io/instance", "ai-inference"))
                    .endMetadata().build();
            old.setAdditionalProperty("status", Map.of("conditions", List.of(
                    Map.of("type", "Failed", "status", "True", "reason", "QuotaExceeded", "message", "old request"))));
            r.cluster.client().genericKubernetesResources(GkeApi.PROVISIONING_REQUESTS).inNamespace("ai-inference")
                    .resource(old).create();

            try (var client = KubeAccess.fromText(r.cluster.kubeconfig(), "test", null).connect()) {
                PlatformSnapshot s = new PlatformInspector(client, target(r, new Expectations(2, "llama3.1:8b", "40Gi", true, true)))
                        .snapshot();
                assertThat(s.provisioningRequest()).get()
                        .satisfies(p -> {
                            assertThat(p.name()).isEqualTo(r.cluster.provisioningRequestName().orElseThrow());
                            assertThat(p.phase()).isEqualTo(PlatformSnapshot.ProvisioningState.Phase.PROVISIONED);
                        });
                assertThat(s.pods()).hasSize(2).allSatisfy(p -> {
                    assertThat(p.nodeAccelerator()).isEqualTo("nvidia-l4");
                    assertThat(p.requests().requests()).isEqualTo(1); // this scrape counted itself, as in nginx
                    assertThat(p.container("ollama").orElseThrow().memoryLimit()).isEqualTo("40Gi");
                });
                assertThat(s.hpa()).get().extracting(PlatformSnapshot.HpaState::pinned).isEqualTo(true);
            }
        }
    }

    @Test
    void restartCountAndLastTerminationReasonAreRecorded() {
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(1), dir)) {
            String pod = r.cluster.podNames().get(0);
            r.cluster.restart(pod, true, java.time.Duration.ofSeconds(30));
            try (var client = KubeAccess.fromText(r.cluster.kubeconfig(), "test", null).connect()) {
                PlatformSnapshot s = new PlatformInspector(client, target(r, new Expectations(1, null, null, null, null))).snapshot();
                var ollama = s.pods().get(0).container("ollama").orElseThrow();
                assertThat(ollama.restartCount()).isEqualTo(1);
                assertThat(ollama.oomKilled()).isTrue();
                assertThat(ollama.lastExitCode()).isEqualTo(137);
                assertThat(s.pods().get(0).ready()).isFalse();
                assertThat(s.deployment()).get().extracting(PlatformSnapshot.DeploymentState::ready).isEqualTo(0);
            }
        }
    }

    @Test
    void aProvisionedRequestWhoseBookingExpiredPassesWithItsPodsRunning() {
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("BookingExpired"), dir)) {
            try (var client = KubeAccess.fromText(r.cluster.kubeconfig(), "test", null).connect()) {
                Expectations e = new Expectations(2, "llama3.1:8b", "40Gi", true, true);
                PlatformSnapshot s = new PlatformInspector(client, target(r, e)).snapshot();
                assertThat(s.provisioningRequest()).get().extracting(PlatformSnapshot.ProvisioningState::phase)
                        .isEqualTo(PlatformSnapshot.ProvisioningState.Phase.BOOKING_EXPIRED);
                Check c = VerificationChecks.provisioningRequest(s, e, "ai-inference");
                assertThat(c.status()).isEqualTo(Check.Status.PASS);
                assertThat(c.message()).contains("booking expired after 2 pod(s) of the release started running on its nodes");
            }
        }
    }
}
