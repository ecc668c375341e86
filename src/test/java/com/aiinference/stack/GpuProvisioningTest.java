package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.DevStack;
import com.aiinference.config.Settings;
import com.aiinference.plan.MockEngineRun;
import com.aiinference.plan.Plan;
import com.aiinference.plan.RegisteredResource;
import com.aiinference.plan.StackFile;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** gpuProvisioning: each mode's pool request, the chart's scheduling for it, and the whole plan passing. */
class GpuProvisioningTest {
    @TempDir
    Path dir;

    private static String[] mode(String mode) {
        return "reservation".equals(mode)
                ? new String[] {"gpuProvisioning", mode, "gpuReservation", "l4-calendar-2026-12", "gpuZones", "[\"us-central1-a\"]"}
                : new String[] {"gpuProvisioning", mode};
    }

    @ParameterizedTest
    @ValueSource(strings = {"queued", "flex-start", "on-demand", "spot", "reservation"})
    void everyModePlansCleanAgainstTheShippedChart(String mode) throws Exception {
        Path stack = dir.resolve("Pulumi." + mode + ".yaml");
        StringBuilder yaml = new StringBuilder("config:\n");
        DevStack.with(mode(mode)).forEach((k, v) -> yaml.append("  ").append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(stack, yaml.toString());
        // Arrays arrive as JSON text in Pulumi config; the stack file takes them the same way.
        var report = Plan.run(DevStack.projectDir(), DevStack.PROJECT, mode, StackFile.read(stack, DevStack.PROJECT));
        assertThat(report.checks()).filteredOn(c -> c.status() == com.aiinference.core.Check.Status.FAIL).isEmpty();
        assertThat(report.checks()).anySatisfy(c -> assertThat(c.name()).isEqualTo("gpu-provisioning"));
        assertThat(report.passed()).isTrue();
    }

    @Test
    void eachModeSendsItsPoolFields() {
        assertThat(pool("spot").input("nodeConfig.spot")).isEqualTo(true);
        assertThat(pool("spot").inputs()).doesNotContainKey("queuedProvisioning");
        assertThat(pool("spot").input("nodeConfig.flexStart")).isNull();
        assertThat(pool("flex-start").input("nodeConfig.flexStart")).isEqualTo(true);
        assertThat(pool("flex-start").inputs()).doesNotContainKey("queuedProvisioning");
        assertThat(pool("on-demand").input("nodeConfig.flexStart")).isNull();
        assertThat(pool("on-demand").input("nodeConfig.reservationAffinity")).isEqualTo(Map.of("consumeReservationType", "NO_RESERVATION"));
        assertThat(pool("reservation").input("nodeConfig.reservationAffinity")).isEqualTo(Map.of(
                "consumeReservationType", "SPECIFIC_RESERVATION",
                "key", "compute.googleapis.com/reservation-name",
                "values", List.of("l4-calendar-2026-12")));
        assertThat(pool("reservation").input("nodeLocations")).isEqualTo(List.of("us-central1-a"));
    }

    @Test
    void theChartSchedulesPerModeAndOnlyQueuedHasAProvisioningRequest() {
        RenderedChart queued = render("queued");
        assertThat(queued.ofKind("ProvisioningRequest")).hasSize(1);
        assertThat(tolerations(queued)).contains("cloud.google.com/gke-queued");

        RenderedChart spot = render("spot");
        assertThat(spot.ofKind("ProvisioningRequest")).isEmpty();
        assertThat(nodeSelector(spot)).containsEntry("cloud.google.com/gke-spot", "true");
        assertThat(tolerations(spot)).contains("cloud.google.com/gke-spot").doesNotContain("cloud.google.com/gke-queued");

        RenderedChart flex = render("flex-start");
        assertThat(flex.ofKind("ProvisioningRequest")).isEmpty();
        assertThat(nodeSelector(flex)).containsEntry("cloud.google.com/gke-flex-start", "true");
        assertThat(deployment(flex).getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");

        for (String mode : List.of("on-demand", "reservation")) {
            RenderedChart r = render(mode);
            assertThat(r.ofKind("ProvisioningRequest")).as(mode).isEmpty();
            assertThat(nodeSelector(r)).as(mode).doesNotContainKeys("cloud.google.com/gke-spot", "cloud.google.com/gke-flex-start");
        }
    }

    @Test
    void raisingDwsGenerationNamesANewProvisioningRequestThePodsConsume() {
        String first = requestName(render("queued"));
        RenderedChart renewed = render("queued", "dwsGeneration", "2");
        String second = requestName(renewed);
        assertThat(second).isNotEqualTo(first).startsWith("ai-inference-");
        assertThat(deployment(renewed).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.x-k8s.io/consume-provisioning-request", second);
        // Generation 1 keeps the names charts before the key rendered: no new request on upgrade.
        assertThat(requestName(render("queued", "dwsGeneration", "1"))).isEqualTo(first);
    }

    private static RegisteredResource pool(String mode) {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with(mode(mode)), Set.of());
        assertThat(run.errors()).as(mode).isEmpty();
        return run.resources().stream().filter(r -> r.name().equals("l4-pool-nodes")).findFirst().orElseThrow();
    }

    private static RenderedChart render(String mode, String... more) {
        String[] m = mode(mode);
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(m), java.util.Arrays.stream(more)).toArray(String[]::new);
        Settings s = DevStack.settings(all);
        return ChartRenderer.projectChart().template("ai-inference", "ai-inference", ChartValues.of(s, "l4-pool"));
    }

    private static Deployment deployment(RenderedChart r) {
        return r.single(Deployment.class).orElseThrow();
    }

    private static Map<String, String> nodeSelector(RenderedChart r) {
        return deployment(r).getSpec().getTemplate().getSpec().getNodeSelector();
    }

    private static List<String> tolerations(RenderedChart r) {
        return deployment(r).getSpec().getTemplate().getSpec().getTolerations().stream().map(Toleration::getKey).toList();
    }

    private static String requestName(RenderedChart r) {
        return r.ofKind("ProvisioningRequest").stream().map(o -> o.getMetadata().getName()).findFirst().orElseThrow();
    }
}
