package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.core.Check;
import com.aiinference.status.Expectations;
import com.aiinference.status.PlatformInspector;
import com.aiinference.status.PlatformSnapshot.Condition;
import com.aiinference.status.PlatformSnapshot.ContainerState;
import com.aiinference.status.PlatformSnapshot.DeploymentState;
import com.aiinference.status.PlatformSnapshot.HpaState;
import com.aiinference.status.PlatformSnapshot.ModelState;
import com.aiinference.status.PlatformSnapshot.PodState;
import com.aiinference.status.PlatformSnapshot.ProvisioningState;
import com.aiinference.status.PlatformSnapshot.RequestCounter;
import com.aiinference.status.PlatformSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerificationChecksTest {
    private static final Expectations EXPECTED = new Expectations(3, "llama3.1:8b", "40Gi", false, true);

    static PodState pod(int i, int restarts, String lastReason, long requests) {
        return new PodState("ai-inference-abc-" + i, "uid-" + i, "node-" + i, "Running", true,
                List.of(new ContainerState("ollama", restarts, true, lastReason, lastReason == null ? null : 137, "40Gi"),
                        new ContainerState("gateway", 0, true, null, null, "128Mi")),
                new ModelState(true, "/api/ps lists llama3.1:8b"), RequestCounter.of(requests), "nvidia-l4");
    }

    static PlatformSnapshot snapshot(List<PodState> pods) {
        long ready = pods.stream().filter(PodState::ready).count();
        return new PlatformSnapshot(Instant.now(), Optional.of(new DeploymentState("ai-inference", 3, (int) ready, (int) ready, 3)),
                Optional.of(new HpaState("ai-inference", 3, 3, 3, 3)), Optional.empty(), pods, List.of());
    }

    @Test
    void healthyPlatformPassesEveryBeforeCheck() {
        List<Check> checks = VerificationChecks.before(snapshot(List.of(pod(0, 0, null, 1), pod(1, 0, null, 1), pod(2, 0, null, 1))),
                EXPECTED, "ai-inference", "ai-inference");
        assertThat(checks).allMatch(c -> c.status() == Check.Status.PASS || c.status() == Check.Status.SKIP);
        assertThat(checks).extracting(Check::message).contains("Deployment ai-inference: 3/3 replicas ready",
                "HPA ai-inference: min = max = current = 3", "3 pods on 3 distinct nvidia-l4 nodes",
                "every ollama container limited to 40Gi");
    }

    @Test
    void hpaWithARangeFailsWhenThePinIsExpected() {
        PlatformSnapshot s = snapshot(List.of(pod(0, 0, null, 1)));
        s = new PlatformSnapshot(s.takenAt(), s.deployment(), Optional.of(new HpaState("ai-inference", 1, 3, 3, 3)),
                Optional.empty(), s.pods(), List.of());
        assertThat(VerificationChecks.hpaPinned(s, EXPECTED))
                .isEqualTo(Check.fail("hpa-pinned",
                        "HPA ai-inference: min 1, max 3, current 3: not pinned (min != max), it can scale during the run"));
    }

    @Test
    void memoryLimitsCompareAsQuantities() {
        assertThat(VerificationChecks.sameQuantity("40Gi", "40960Mi")).isTrue();
        assertThat(VerificationChecks.sameQuantity("40Gi", "40G")).isFalse();
        Check c = VerificationChecks.memoryLimit(snapshot(List.of(pod(0, 0, null, 1))),
                new Expectations(1, null, "46Gi", null, null));
        assertThat(c.failed()).isTrue();
        assertThat(c.message()).isEqualTo("ai-inference-abc-0: ollama memory limit 40Gi, expected 46Gi");
    }

    @Test
    void aVllmReleaseIsCheckedAndNamedByItsOwnContainer() {
        PodState vllm = new PodState("ai-inference-abc-0", "uid-0", "node-0", "Running", true,
                List.of(new ContainerState("vllm", 0, true, null, null, "40Gi")),
                new ModelState(true, "/v1/models lists the model"), RequestCounter.of(1), "nvidia-l4");
        assertThat(VerificationChecks.memoryLimit(snapshot(List.of(vllm)), EXPECTED).message())
                .isEqualTo("every vllm container limited to 40Gi");
        assertThat(VerificationChecks.memoryLimit(snapshot(List.of(vllm)), new Expectations(1, null, "46Gi", null, null))
                .message()).isEqualTo("ai-inference-abc-0: vllm memory limit 40Gi, expected 46Gi");
    }

    @Test
    void twoPodsOnOneNodeFail() {
        PodState a = pod(0, 0, null, 1);
        PodState b = pod(1, 0, null, 1);
        b = new PodState(b.name(), b.uid(), a.nodeName(), b.phase(), true, b.containers(), b.model(), b.requests(), "nvidia-l4");
        assertThat(VerificationChecks.onePodPerNode(snapshot(List.of(a, b))).message())
                .isEqualTo("node node-0 runs 2 pods (ai-inference-abc-0, ai-inference-abc-1)");
    }

    @Test
    void podOnANodeWithoutGpuFails() {
        PodState a = pod(0, 0, null, 1);
        a = new PodState(a.name(), a.uid(), "default-pool-1", a.phase(), true, a.containers(), a.model(), a.requests(), "");
        assertThat(VerificationChecks.onePodPerNode(snapshot(List.of(a))).message())
                .isEqualTo("ai-inference-abc-0 runs on default-pool-1, a node without a GPU (cloud.google.com/gke-accelerator not set)");
    }

    @Test
    void provisioningRequestPhasesFollowTheAutoscalerConditions() {
        assertThat(PlatformInspector.phaseOf(List.of())).isEqualTo(ProvisioningState.Phase.PENDING);
        var accepted = new Condition("Accepted", "True", "Accepted", null);
        var quota = new Condition("Provisioned", "False", "QuotaExceeded", "NVIDIA_L4_GPUS quota exceeded");
        assertThat(PlatformInspector.phaseOf(List.of(accepted, quota))).isEqualTo(ProvisioningState.Phase.ACCEPTED);
        assertThat(PlatformInspector.phaseOf(List.of(accepted, new Condition("Provisioned", "True", "Provisioned", null))))
                .isEqualTo(ProvisioningState.Phase.PROVISIONED);
        assertThat(PlatformInspector.phaseOf(List.of(accepted, new Condition("Failed", "True", "ResourcePoolExhausted", null))))
                .isEqualTo(ProvisioningState.Phase.FAILED);

        PlatformSnapshot s = snapshot(List.of(pod(0, 0, null, 1)));
        s = new PlatformSnapshot(s.takenAt(), s.deployment(), s.hpa(),
                Optional.of(new ProvisioningState("ai-inference-6d5f8", ProvisioningState.Phase.ACCEPTED, List.of(accepted, quota))),
                s.pods(), List.of());
        assertThat(VerificationChecks.provisioningRequest(s, new Expectations(1, null, null, true, null), "ai-inference").message())
                .isEqualTo("ProvisioningRequest ai-inference-6d5f8 accepted but not provisioned: "
                        + "Provisioned=False (QuotaExceeded): NVIDIA_L4_GPUS quota exceeded");
    }

    @Test
    void bookingExpiredAfterProvisionedPassesWhileThePodsRunOnItsNodes() {
        var accepted = new Condition("Accepted", "True", "Accepted", null);
        var provisioned = new Condition("Provisioned", "True", "Provisioned", null);
        var expired = new Condition("BookingExpired", "True", "CapacityReservationTimeExpired", "Capacity reservation time is expired");
        assertThat(PlatformInspector.phaseOf(List.of(accepted, provisioned, expired))).isEqualTo(ProvisioningState.Phase.BOOKING_EXPIRED);
        // never provisioned: the booking lapsed with nothing obtained
        assertThat(PlatformInspector.phaseOf(List.of(accepted, expired))).isEqualTo(ProvisioningState.Phase.FAILED);
        assertThat(PlatformInspector.phaseOf(List.of(accepted, provisioned, new Condition("CapacityRevoked", "True", "Revoked", null))))
                .isEqualTo(ProvisioningState.Phase.FAILED);
        Expectations dws = new Expectations(2, null, null, true, null);
        ProvisioningState pr = new ProvisioningState("ai-inference-6d5f8", ProvisioningState.Phase.BOOKING_EXPIRED,
                List.of(accepted, provisioned, expired));

        PlatformSnapshot running = withPr(snapshot(List.of(pod(0, 0, null, 1), pod(1, 0, null, 1))), pr);
        Check pass = VerificationChecks.provisioningRequest(running, dws, "ai-inference");
        assertThat(pass.status()).isEqualTo(Check.Status.PASS);
        assertThat(pass.message()).isEqualTo("ProvisioningRequest ai-inference-6d5f8 Provisioned; booking expired after 2 pod(s)"
                + " of the release started running on its nodes (capacity consumed; nodes stay until maxRunDurationSeconds)");

        PodState pending = new PodState("ai-inference-abc-0", "uid-0", null, "Pending", false, List.of(), null, null, null);
        Check fail = VerificationChecks.provisioningRequest(withPr(snapshot(List.of(pending)), pr), dws, "ai-inference");
        assertThat(fail.status()).isEqualTo(Check.Status.FAIL);
        assertThat(fail.message()).isEqualTo("ProvisioningRequest ai-inference-6d5f8 booking expired with no pod of the release"
                + " running on a node: the provisioned capacity was not consumed (BookingExpired=True"
                + " (CapacityReservationTimeExpired): Capacity reservation time is expired)");
        assertThat(VerificationChecks.provisioningRequest(withPr(snapshot(List.of()), pr), dws, "ai-inference").status())
                .isEqualTo(Check.Status.FAIL);
    }

    private static PlatformSnapshot withPr(PlatformSnapshot s, ProvisioningState pr) {
        return new PlatformSnapshot(s.takenAt(), s.deployment(), s.hpa(), Optional.of(pr), s.pods(), s.evictions());
    }

    @Test
    void oomKillDuringTheRunFailsAndNamesThePod() {
        PlatformSnapshot before = snapshot(List.of(pod(0, 0, null, 1), pod(1, 0, null, 1), pod(2, 0, null, 1)));
        PlatformSnapshot after = snapshot(List.of(pod(0, 0, null, 50), pod(1, 1, "OOMKilled", 40), pod(2, 0, null, 45)));
        Check c = VerificationChecks.restartsDuringRun(before, after, List.of());
        assertThat(c.failed()).isTrue();
        assertThat(c.message()).isEqualTo("ai-inference-abc-1/ollama OOM-killed 1x during the run (last termination: OOMKilled, exit 137)");
    }

    @Test
    void trafficPerReplicaSubtractsTheScrapeAndFlagsIdleReplicas() {
        PlatformSnapshot before = snapshot(List.of(pod(0, 0, null, 10), pod(1, 0, null, 10), pod(2, 0, null, 10)));
        // Replica 2 only saw verify's second scrape: it served nothing.
        PlatformSnapshot after = snapshot(List.of(pod(0, 0, null, 31), pod(1, 0, null, 25), pod(2, 0, null, 11)));
        List<ReplicaTraffic> traffic = VerificationChecks.traffic(before, after);
        assertThat(traffic).extracting(ReplicaTraffic::served).containsExactly(20L, 14L, 0L);
        Check c = VerificationChecks.replicasServed(traffic, EXPECTED, after);
        assertThat(c.failed()).isTrue();
        assertThat(c.message()).isEqualTo("2/3 replicas served traffic, 14-20 requests each; idle: ai-inference-abc-2");
    }

    @Test
    void replacedPodIsAnEvictionOrReplacement() {
        PlatformSnapshot before = snapshot(List.of(pod(0, 0, null, 1), pod(1, 0, null, 1)));
        PodState fresh = new PodState("ai-inference-abc-9", "uid-9", "node-1", "Running", true, pod(1, 0, null, 1).containers(),
                new ModelState(true, "x"), RequestCounter.of(3), "nvidia-l4");
        List<PodState> afterPods = new ArrayList<>(List.of(pod(0, 0, null, 5), fresh));
        Check c = VerificationChecks.evictions(before, snapshot(afterPods), List.of(), Instant.now());
        assertThat(c.message()).isEqualTo("ai-inference-abc-1 gone; ai-inference-abc-9 new (replacement)");
    }
}
