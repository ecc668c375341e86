package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.testing.MainProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C during {@code verify --in-cluster}: the CLI runs in a child JVM, so that it can be sent SIGINT. */
@Timeout(180)
class VerifyInClusterInterruptIT {
    @TempDir
    Path dir;

    /**
     * The double count seen by hand: a run stopped with Ctrl-C left its Job's pods loading the Service, so the next
     * run's per-replica counters held both runs' requests. Now Ctrl-C deletes the Job, the pods stop and report, and
     * the next run's replicas served exactly what its own client sent.
     */
    @Test
    void ctrlCStopsThePodsReportsWhatTheyMeasuredAndTheNextRunCountsOnlyItsOwnRequests() throws Exception {
        Path stopped = dir.resolve("stopped.json");
        Path json = dir.resolve("verify.json");
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(3), dir)) {
            try (MainProcess first = MainProcess.start(dir, "verify", "--outputs", r.outputs.toString(), "--users", "4",
                    "--duration", "90s", "--quiet", "--in-cluster", "--workers", "2", "--worker-image", "img:1",
                    "--report-json", stopped.toString())) {
                first.awaitWhileAlive(() -> served(r) > 30, 120, "load from the pods");
                first.interrupt();
                assertThat(first.exitCode(90)).as(first.err()).isEqualTo(130);
                assertThat(first.err()).contains("cluster: stopping (Ctrl-C): deleting Job ai-inference/",
                        "verify: stopped by the user (Ctrl-C): NOT VERIFIED: load-slo: ");
                assertThat(first.out()).contains("**NOT VERIFIED**", "stopped by the user (Ctrl-C) after ")
                        .doesNotContain("gave no result");
            }
            JsonNode load = new ObjectMapper().readTree(stopped.toFile()).path("load");
            assertThat(load.at("/run/stopped/kind").asText()).isEqualTo("user");
            assertThat(load.at("/requests/total").asLong()).isPositive();
            assertThat(r.cluster.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();

            VerifyCommandTest.Run run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--users", "4",
                    "--duration", "2s", "--quiet", "--in-cluster", "--workers", "2", "--worker-image", "img:1",
                    "--report-json", json.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            long sent = report.at("/load/requests/total").asLong() + report.at("/load/run/warmup_requests").asLong();
            long counted = 0;
            for (JsonNode t : report.path("cluster").path("traffic")) {
                counted += t.path("served").asLong();
            }
            assertThat(counted).as("requests the replicas' gateways counted").isEqualTo(sent);
            assertThat(run.err()).doesNotContain("another load-test Job");
        }
    }

    private static long served(SimulatedRelease r) {
        return r.replicas.stream().mapToLong(com.aiinference.simulate.SimulatedEngine::requestsServed).sum();
    }
}
