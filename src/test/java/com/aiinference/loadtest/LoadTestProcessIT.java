package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadtest} in its own JVM, as a user runs it: stopped with Ctrl-C (SIGINT), and with stdout or stderr
 * redirected while the other is a terminal (a pseudo-terminal from {@code script}).
 */
@Timeout(120)
@EnabledOnOs({OS.LINUX, OS.MAC})
class LoadTestProcessIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<String> java(String... args) {
        return com.aiinference.testing.MainProcess.main(args);
    }

    @Test
    void ctrlCStopsTheRunReportsWhatWasMeasuredAndCountsCutRequestsApart() throws Exception {
        SimulatedEngineConfig slow = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(100), Duration.ofMillis(20))
                .withTokensPerAnswer(20);
        try (SimulatedEngine fake = SimulatedEngine.start(slow)) {
            Path json = dir.resolve("run.json");
            Path out = dir.resolve("out.md");
            Path err = dir.resolve("err.log");
            Process p = new ProcessBuilder(java("loadtest", "--url", fake.generateUri().toString(), "--users", "4",
                    "--duration", "60s", "--report-json", json.toString()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                // The pre-flight request and a few measured ones have ended: answers are in flight now.
                await("requests").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    assertThat(p.isAlive()).as("loadtest exited early:%n%s", Files.readString(err)).isTrue();
                    return fake.requestsServed() >= 9;
                });
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("still running 30 s after SIGINT").isTrue();
            } finally {
                p.destroyForcibly();
            }
            String report = Files.readString(out, StandardCharsets.UTF_8);
            String log = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(log).isEqualTo(130);
            assertThat(report).contains("| **Stability** | **100%** |", "stopped by the user (Ctrl-C) after ",
                    "were cut and are not counted", "(STOPPED BY USER)").doesNotContain("aborted");
            assertThat(log).contains("loadtest: stopped by the user (Ctrl-C) after ");
            JsonNode j = JSON.readTree(json.toFile());
            assertThat(j.at("/load/run/stopped/kind").asText()).isEqualTo("user");
            assertThat(j.at("/load/requests/stopped_by_user").asLong()).isPositive();
            assertThat(j.at("/load/requests/failed").asLong()).isZero();
            assertThat(j.at("/load/run/window_s").asDouble()).as("the run's real length").isLessThan(59);
            assertThat(j.at("/load/requests/total").asLong() + j.at("/load/requests/stopped_by_user").asLong())
                    .isEqualTo(fake.stats().generateRequests() - 1);
        }
    }

    @Test
    void theLiveLineFollowsStderrNotStdout() throws Exception {
        assumeThat(Path.of("/usr/bin/script")).as("util-linux script for a pseudo-terminal").exists();
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(20), Duration.ofMillis(2)).withTokensPerAnswer(5))) {
            String args = String.join(" ", java("loadtest", "--url", fake.generateUri().toString(), "--users", "2",
                    "--duration", "2s").stream().map(a -> "'" + a + "'").toList());
            Path md = dir.resolve("run.md");
            // stdout to a file, stderr on the terminal: the live line (carriage returns) is shown.
            String terminal = script(args + " > '" + md + "'");
            assertThat(terminal).contains("\r[").contains("in-flight");
            assertThat(Files.readString(md)).contains("| **Stability** | **100%** |").doesNotContain("\r");
            // stderr to a file, stdout on the terminal: plain lines, no carriage returns in the log.
            Path progress = dir.resolve("progress.log");
            String shown = script(args + " 2> '" + progress + "'");
            assertThat(shown).contains("| **Stability** | **100%** |");
            assertThat(Files.readString(progress)).contains("in-flight").doesNotContain("\r");
        }
    }

    /** Runs {@code command} under {@code script}, whose pseudo-terminal is the child's terminal; returns what it showed. */
    private String script(String command) throws IOException, InterruptedException {
        Path typescript = dir.resolve("typescript-" + System.nanoTime());
        List<String> cmd = OSName.isMac() ? List.of("script", "-q", typescript.toString(), "sh", "-c", command)
                : List.of("script", "-qec", command, typescript.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(output, StandardCharsets.UTF_8)).isZero();
        return Files.readString(typescript, StandardCharsets.UTF_8);
    }

    private static final class OSName {
        static boolean isMac() {
            return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac");
        }
    }

    @Test
    void ctrlCDuringASweepMarksTheCutStepStopsAndCapacityRefusesTheSweep() throws Exception {
        SimulatedEngineConfig slow = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(100), Duration.ofMillis(20))
                .withTokensPerAnswer(20);
        try (SimulatedEngine fake = SimulatedEngine.start(slow);
             com.aiinference.testing.MainProcess sweep = com.aiinference.testing.MainProcess.start(dir, "loadtest",
                     "sweep", "--url", fake.baseUri().toString(), "--concurrency", "2,4", "--step-duration", "60s",
                     "--slo", "p95<30s", "--report-json", dir.resolve("sweep.json").toString())) {
            sweep.awaitWhileAlive(() -> fake.requestsServed() >= 6, 60, "answers of the first step");
            sweep.interrupt();
            assertThat(sweep.exitCode(30)).as(sweep.err()).isEqualTo(130);
            assertThat(sweep.out()).contains("| stopped (not judged) |").doesNotContain("| met |");
            assertThat(sweep.err()).contains("stopped by the user (Ctrl-C) during step 1 (concurrency 2)");
            JsonNode j = JSON.readTree(dir.resolve("sweep.json").toFile());
            assertThat(j.get("steps")).hasSize(1);
            assertThat(j.at("/steps/0/stopped_by_user").asText()).isEqualTo("Ctrl-C");
            assertThat(j.get("knee").isNull()).isTrue();
        }
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = com.aiinference.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        cl.setErr(new java.io.PrintWriter(err, true));
        assertThat(cl.execute("loadtest", "capacity", "--sweep", dir.resolve("sweep.json").toString(), "--users", "1000"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("the sweep was stopped by the user during its step at concurrency 2");
    }
}
