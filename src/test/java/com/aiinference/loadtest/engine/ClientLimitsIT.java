package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's own limits are the client's: {@code loadtest} under a low {@code ulimit -n} refuses a closed loop it
 * cannot hold before sending anything, and an open loop that runs out of descriptors stops naming its own fault
 * instead of reporting thousands of the server's connection errors.
 */
@Timeout(120)
@EnabledOnOs(OS.LINUX)
class ClientLimitsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** {@code loadtest args} in its own JVM under {@code ulimit -n files}; returns its exit code. */
    private static int loadtest(Path dir, int files, StringBuilder err, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(com.aiinference.testing.MainProcess.main("loadtest"));
        cmd.addAll(List.of(args));
        StringBuilder script = new StringBuilder("ulimit -n " + files + " && exec");
        for (String c : cmd) {
            script.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        Path errFile = dir.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder("bash", "-c", script.toString()).redirectError(errFile.toFile())
                .redirectOutput(dir.resolve("out-" + System.nanoTime()).toFile()).start();
        try {
            assertThat(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).as("loadtest did not end").isTrue();
        } finally {
            p.destroyForcibly();
        }
        err.append(java.nio.file.Files.readString(errFile));
        return p.exitValue();
    }

    @Test
    void aClosedLoopLargerThanTheDescriptorLimitIsRefusedBeforeAnyRequest() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults())) {
            StringBuilder err = new StringBuilder();
            int code = loadtest(dir, 256, err, "--url", fake.generateUri().toString(), "--users", "1000",
                    "--duration", "5s", "--quiet");
            assertThat(code).as(err.toString()).isEqualTo(2);
            assertThat(err.toString()).matches("(?s)loadtest: --users 1,000 needs 1,000 connections in this process, but"
                    + " it may open only \\d+ more files \\(ulimit -n 256\\); raise ulimit -n, or spread the users with"
                    + " --workers or --in-cluster\\R");
            assertThat(fake.stats().httpRequests()).isZero();
        }
    }

    @Test
    void anOpenLoopThatRunsOutOfDescriptorsStopsNamingTheClient() throws Exception {
        // 2 s answers at 1,000 requests/s: 2,000 connections would be open at once, under a limit of 300.
        SimulatedEngineConfig slow = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(1000), Duration.ofMillis(100))
                .withTokensPerAnswer(10).withParallelism(4096, 0);
        try (SimulatedEngine fake = SimulatedEngine.start(slow)) {
            Path json = dir.resolve("run.json");
            StringBuilder err = new StringBuilder();
            int code = loadtest(dir, 300, err, "--url", fake.generateUri().toString(), "--rate", "1000",
                    "--duration", "10s", "--timeout", "20s", "--quiet", "--no-preflight", "--report-json", json.toString());
            assertThat(code).as(err.toString()).isEqualTo(1);
            assertThat(err.toString()).contains("the client ran out of file descriptors (ulimit -n 300) opening a"
                    + " connection: this machine's limit, not the server's fault");
            JsonNode errors = JSON.readTree(json.toFile()).at("/load/errors");
            assertThat(errors.path("client_error").asLong()).as("one per event loop at most").isBetween(1L, 2L);
            assertThat(errors.path("connection_error").asLong()).as(errors.toString()).isZero();
        }
    }
}
