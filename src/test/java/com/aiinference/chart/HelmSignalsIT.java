package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that has rendered a chart must still stop on SIGTERM like any JVM (shutdown hooks run, exit 143): Helm's Go
 * runtime takes INT/TERM when it loads, and {@link ChartRenderer} gives them back after every call. Without that,
 * {@code plan} ignores Ctrl-C once it has rendered.
 */
@Timeout(90)
@EnabledOnOs({OS.LINUX, OS.MAC})
class HelmSignalsIT {

    @TempDir
    Path dir;

    /** The child: render the project's chart, say so, then wait to be killed (at most 60 s). */
    public static final class RenderThenWait {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
            ChartRenderer.projectChart().template("ai-inference", "ai-inference",
                    Map.of("service", Map.of("allowPublicAccess", true, "allowPublicAccessWithoutKeys", true)));
            System.out.println("rendered");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    @Test
    void sigtermAfterARenderStillStopsTheJvmAndRunsShutdownHooks() throws Exception {
        Path log = dir.resolve("child.log");
        List<String> cmd = com.aiinference.testing.MainProcess.command(List.of(
                "-Djna.tmpdir=" + System.getProperty("jna.tmpdir", dir.resolve("jna").toString()),
                "-Dproject.basedir=" + System.getProperty("project.basedir", "")),
                RenderThenWait.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await("the render").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(p.isAlive()).as("child exited early:%n%s", read(log)).isTrue();
                return read(log).contains("rendered");
            });

            p.destroy(); // SIGTERM

            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("still running 10 s after SIGTERM:%n%s", read(log)).isTrue();
            assertThat(p.exitValue()).as(read(log)).isEqualTo(143);
            assertThat(read(log)).contains("shutdown hook ran");
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
