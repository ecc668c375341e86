package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --in-cluster} against a simulated release: the load comes from the pods of an Indexed Job that the
 * simulator's Job controller runs, aimed at the Service's cluster DNS name, and the checks around it are unchanged.
 */
@Timeout(120)
class VerifyInClusterTest {
    @TempDir
    Path dir;

    @Test
    void theLoadFromTwoWorkerPodsVerifiesTheReleaseAndEveryRequestIsCountedByAReplica() throws Exception {
        Path json = dir.resolve("verify.json");
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(3), dir)) {
            VerifyCommandTest.Run run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--users", "6",
                    "--duration", "2s", "--quiet", "--in-cluster", "--workers", "2", "--worker-image", "img:1",
                    "--report-json", json.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("load http://ai-inference.ai-inference.svc.cluster.local:",
                    "from 2 pod(s) of img:1", "cluster: created Job ai-inference/ai-inference-loadtest-",
                    "and its Secret");
            assertThat(run.out()).contains("**VERIFIED**: 6 users", "| **Capacity** | **3/3 Replicas** |");
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            long total = report.path("loadtest").path("requests").path("total").asLong();
            assertThat(total).isPositive();
            long served = 0;
            for (JsonNode t : report.path("traffic")) {
                served += t.path("served").asLong();
            }
            assertThat(served).isEqualTo(total);
            assertThat(r.cluster.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();
        }
    }

    @Test
    void workersWithoutInClusterIsAUsageError() throws Exception {
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(1), dir)) {
            VerifyCommandTest.Run run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--workers", "2");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).last().isEqualTo("verify: verify --workers needs --in-cluster (the workers are pods)");
        }
    }
}
