package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.testing.MainProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) during verify's load, in this process: the load stops, the after-snapshot is still taken, and the
 * report of what was measured is printed and written, NOT VERIFIED, with exit 130.
 */
@Timeout(150)
@EnabledOnOs({OS.LINUX, OS.MAC})
class VerifyInterruptIT {
    @TempDir
    Path dir;

    @Test
    void ctrlCDuringTheLoadWritesTheReportNotVerifiedAndExits130() throws Exception {
        Path json = dir.resolve("verify.json");
        Path md = dir.resolve("verify.md");
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2), dir);
             MainProcess verify = MainProcess.start(dir, "verify", "--outputs", r.outputs.toString(), "--users", "4",
                     "--duration", "90s", "--quiet", "--report-json", json.toString(), "--report-md", md.toString())) {
            verify.awaitWhileAlive(() -> r.replicas.stream().mapToLong(SimulatedEngine::requestsServed).sum() > 30, 120,
                    "load on the replicas");
            verify.interrupt();
            assertThat(verify.exitCode(60)).as(verify.err()).isEqualTo(130);
            assertThat(verify.err()).contains("after: 2 pods, 2 ready", "verify: wrote --report-json",
                    "verify: stopped by the user (Ctrl-C): NOT VERIFIED: load-slo: ");
            assertThat(verify.out()).contains("**NOT VERIFIED**", "stopped by the user (Ctrl-C) after ", "of the 90s asked");
            assertThat(Files.readString(md)).isEqualTo(verify.out());
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertThat(report.path("verified").asBoolean()).isFalse();
            assertThat(report.at("/load/run/stopped/kind").asText()).isEqualTo("user");
            assertThat(report.at("/load/requests/total").asLong()).isPositive();
            assertThat(report.at("/load/requests/failed").asLong()).isZero();
        }
    }
}
