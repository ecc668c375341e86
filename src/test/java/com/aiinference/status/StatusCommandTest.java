package com.aiinference.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedCluster.WalkStage;
import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.verify.SimulatedRelease;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} against a simulated cluster walking a queued request to serving, and stuck on quota. */
class StatusCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run status(String... args) {
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("status"));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void reportsEachStageOfAQueuedRequestOnItsWayToServingWithTheExpiryCountdown() {
        try (var r = new SimulatedRelease(SimulatedCluster.Spec.defaults(3).withDwsState("Pending"), dir)) {
            String outputs = r.outputs.toString();
            record Expect(WalkStage walk, String stage, String line) {}
            List<Expect> stages = List.of(
                    new Expect(WalkStage.PENDING, "QUEUED", "no conditions yet"),
                    new Expect(WalkStage.ACCEPTED, "QUEUED", "Provisioned=False (Pending): waiting for capacity in the queue"),
                    new Expect(WalkStage.PROVISIONED, "DRIVER_INSTALLING", "GPU nodes    3 of 3 joined (pool l4-pool), GPUs allocatable on 0"),
                    new Expect(WalkStage.DRIVER_READY, "PULLING_IMAGE", "0 not scheduled, 3 pulling the image"),
                    new Expect(WalkStage.MODEL_LOADING, "LOADING_MODEL", "3 pulling/loading the model"),
                    new Expect(WalkStage.READY, "READY", "3 of 3 Ready with the model loaded"));
            for (Expect e : stages) {
                r.cluster.walkTo(e.walk());
                Run s = status("--outputs", outputs);
                assertThat(s.out()).as(e.walk().name()).startsWith("state        " + e.stage() + ":").contains(e.line());
                assertThat(s.exit()).as(e.walk() + ": " + s.err()).isEqualTo(e.walk() == WalkStage.READY ? 0 : 1);
                if (e.walk() == WalkStage.PENDING) {
                    assertThat(s.out()).contains("pods         0 of 3 Ready with the model loaded; 3 not scheduled")
                            .doesNotContain("nodes end");
                    assertThat(s.err()).startsWith("status: not ready: QUEUED: ProvisioningRequest ");
                }
                if (e.walk().compareTo(WalkStage.PROVISIONED) >= 0) {
                    // Provisioned just now + maxRunDurationSeconds 604800 (the chart's default): 7 days minus the test's seconds.
                    assertThat(s.out()).containsPattern("nodes end    removed in 6d 23h 5\\dm \\(20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\); "
                            + "ProvisioningRequest ai-inference-\\w+ Provisioned at .* \\+ maxRunDurationSeconds 604800");
                }
            }
            Run json = status("--outputs", outputs, "--output", "json");
            assertThat(json.exit()).isZero();
            JsonNode j = read(json.out());
            assertThat(j.path("stage").asText()).isEqualTo("READY");
            assertThat(j.path("provisioningRequest").path("phase").asText()).isEqualTo("PROVISIONED");
            assertThat(j.path("gpuNodes").path("joined").asInt()).isEqualTo(3);
            assertThat(j.path("pods").path("ready").asInt()).isEqualTo(3);
            assertThat(j.path("endpoint").path("assigned").asText()).isEqualTo("127.0.0.1");
            assertThat(j.path("nodesRemoved").path("secondsLeft").asLong()).isBetween(604800L - 600, 604800L);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void waitFollowsTheWalkUntilReady() {
        try (var r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("Pending"), dir)) {
            r.cluster.startWalk(Duration.ofMillis(300));
            Run s = status("--outputs", r.outputs.toString(), "--wait", "120s", "--interval", "100ms");
            assertThat(s.exit()).as(s.out() + s.err()).isZero();
            assertThat(s.out()).startsWith("state        READY:");
            // Not a terminal: one progress line per change on stderr, the last one READY.
            List<String> lines = s.err().lines().toList();
            assertThat(lines.get(lines.size() - 1)).contains("] READY | request provisioned | nodes 2/2 (GPUs on 2) | pods ready 2/2");
            // The stages only go forward: a pod replaced by the walk is never seen missing (SCHEDULING after PULLING).
            List<Integer> order = new java.util.ArrayList<>();
            for (String line : lines) {
                for (PlatformStatus.Stage stage : PlatformStatus.Stage.values()) {
                    if (line.contains("] " + stage.name() + " |")) {
                        order.add(stage.ordinal());
                    }
                }
            }
            assertThat(order).as(s.err()).hasSizeGreaterThan(2).isSorted();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void waitTimesOutWithExitOneOnARequestStuckOnQuota() {
        try (var r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("QuotaExceeded"), dir)) {
            Run s = status("--outputs", r.outputs.toString(), "--wait", "2s", "--interval", "500ms");
            assertThat(s.exit()).isEqualTo(1);
            assertThat(s.err()).contains("QUEUED | request accepted | nodes 0/2")
                    .contains("status: not ready after 2s: QUEUED: ProvisioningRequest ai-inference-")
                    // Not a terminal: one line per change of state, not one per poll or per second.
                    .satisfies(e -> assertThat(e.lines().filter(l -> l.contains("] QUEUED | request accepted")).count())
                            .isEqualTo(1))
                    .contains("Provisioned=False (QuotaExceeded): NVIDIA_L4_GPUS quota exceeded in region");
            assertThat(s.out()).contains("DWS request  ai-inference-").contains("Provisioned=False (QuotaExceeded)");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aFailedRequestEndsTheWaitAtOnce() {
        try (var r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("Failed"), dir)) {
            long start = System.nanoTime();
            Run s = status("--outputs", r.outputs.toString(), "--wait", "60s", "--interval", "1s");
            assertThat(s.exit()).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(50));
            assertThat(s.err()).contains("status: FAILED: ProvisioningRequest ai-inference-")
                    .contains("Failed=True (QuotaExceeded): quota for NVIDIA_L4_GPUS is below the requested 10");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void verifyWaitReadyGatesTheLoadOnStatus() throws Exception {
        try (var r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("QuotaExceeded"), dir)) {
            var cl = Main.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            java.nio.file.Path html = dir.resolve("not-ready.html");
            java.nio.file.Path json = dir.resolve("not-ready.json");
            int exit = cl.execute("verify", "--outputs", r.outputs.toString(), "--wait-ready", "2s", "--users", "1",
                    "--duration", "1s", "--report-html", html.toString(), "--report-json", json.toString());
            assertThat(exit).as(err.toString()).isEqualTo(1);
            String last = err.toString().strip().lines().reduce((a, b) -> b).orElseThrow();
            assertThat(last).startsWith("verify: NOT VERIFIED: ")
                    .contains("| load skipped: not ready after 2s: QUEUED: ProvisioningRequest ai-inference-")
                    .contains("(QuotaExceeded)");
            assertThat(r.cluster.front().backends()).allSatisfy(b -> assertThat(b.forwarded()).isZero());
            // Every requested report is written, saying why no load was sent.
            assertThat(out.toString()).contains("**NOT VERIFIED**", "| load-slo | run | SKIP | load not run: not ready after 2s: QUEUED: ");
            assertThat(java.nio.file.Files.readString(html)).contains("Load not run", "not ready after 2s: QUEUED: ");
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).path("load_skipped").asText())
                    .startsWith("not ready after 2s: QUEUED: ");
        }
    }

    @Test
    void badUsageAndAnUnreachableClusterAreExitTwo() {
        assertThat(status().exit()).isEqualTo(2);
        Run wait = status("--outputs", "x.json", "--wait", "0s");
        assertThat(wait.exit()).isEqualTo(2);
        assertThat(wait.err()).contains("--wait must be a positive duration");
        Run missing = status("--outputs", dir.resolve("none.json").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--outputs file not found");
    }

    @Test
    void timeLeftReadsInDaysHoursAndMinutes() {
        assertThat(StatusCommand.left(Duration.ofSeconds(604800 - 61))).isEqualTo("6d 23h 58m");
        assertThat(StatusCommand.left(Duration.ofMinutes(185))).isEqualTo("3h 05m");
        assertThat(StatusCommand.left(Duration.ofMinutes(42))).isEqualTo("42m");
        assertThat(StatusCommand.left(Duration.ofSeconds(30))).isEqualTo("30s");
    }

    private static JsonNode read(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
