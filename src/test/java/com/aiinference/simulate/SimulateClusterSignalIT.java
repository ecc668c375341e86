package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate cluster} in its own JVM, stopped the way a user stops it: SIGTERM ({@link Process#destroy()} on
 * Linux). The chart render loads Helm's Go runtime in-process, which takes SIGINT/SIGTERM away from the JVM; without
 * {@link com.aiinference.chart.HelmSignals} this process outlives the signal.
 */
@Timeout(90)
@EnabledOnOs({OS.LINUX, OS.MAC})
class SimulateClusterSignalIT {

    @TempDir
    Path dir;

    @Test
    void sigtermAfterTheChartRenderStopsItCleanly() throws Exception {
        Path outputs = dir.resolve("sim.json");
        Path log = dir.resolve("sim.log");
        List<String> cmd = com.aiinference.testing.MainProcess.command(List.of(
                "-Djna.tmpdir=" + System.getProperty("jna.tmpdir", dir.resolve("jna").toString()),
                "-Dproject.basedir=" + System.getProperty("project.basedir", "")),
                "com.aiinference.Main", "simulate", "cluster", "--outputs", outputs.toString(), "--replicas", "2",
                "--max-duration", "60s");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await("the outputs file").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(p.isAlive()).as("simulate cluster exited early:%n%s", read(log)).isTrue();
                return Files.exists(outputs) && read(log).contains("Ctrl-C stops");
            });

            p.destroy(); // SIGTERM

            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("still running 10 s after SIGTERM:%n%s", read(log)).isTrue();
            assertThat(p.exitValue()).as(read(log)).isZero();
            assertThat(read(log)).contains("simulate cluster: stopped");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void ctrlCStopsSimulateOllamaWithExitZeroAsDocumented() throws Exception {
        try (com.aiinference.testing.MainProcess sim = com.aiinference.testing.MainProcess.start(dir, "simulate",
                "ollama", "--port", "0", "--max-duration", "60s")) {
            sim.awaitWhileAlive(() -> sim.out().contains("or on Ctrl-C"), 60, "the banner");
            sim.interrupt();
            assertThat(sim.exitCode(10)).as(sim.err()).isZero();
            assertThat(sim.out()).contains("stopped: ");
        }
    }

    private static String read(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

}
