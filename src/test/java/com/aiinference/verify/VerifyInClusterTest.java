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
                    "--duration", "1s", "--quiet", "--in-cluster", "--workers", "2", "--worker-image", "img:1",
                    "--report-json", json.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("load http://ai-inference.ai-inference.svc.cluster.local:",
                    "from 2 pod(s) of img:1", "cluster: created Job ai-inference/ai-inference-loadtest-",
                    "and its Secret");
            assertThat(run.out()).contains("**VERIFIED**: 6 users", "| **Capacity** | **3/3 Replicas** |");
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            long total = report.path("load").path("requests").path("total").asLong();
            assertThat(total).isPositive();
            long served = 0;
            for (JsonNode t : report.path("cluster").path("traffic")) {
                served += t.path("served").asLong();
            }
            // No pre-flight request from outside: the Service is reached from the pods only.
            assertThat(served).isEqualTo(total + report.path("load").path("run").path("warmup_requests").asLong());
            assertThat(r.cluster.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();
        }
    }

    @Test
    void anotherLoadTestJobInTheNamespaceIsNamedInTheReportBesideTheCounters() throws Exception {
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(1), dir)) {
            r.cluster.client().batch().v1().jobs().inNamespace("ai-inference").resource(
                    new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata().withName("someone-elses")
                            .withNamespace("ai-inference").addToLabels("app.kubernetes.io/component", "loadtest-worker")
                            .endMetadata().withNewSpec().withCompletions(1).withNewTemplate().withNewSpec().addNewContainer()
                            .withName("worker").withImage("img:0").endContainer().withRestartPolicy("Never").endSpec()
                            .endTemplate().endSpec().withNewStatus().withActive(1).endStatus().build()).create();
            VerifyCommandTest.Run run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--users", "2",
                    "--duration", "1s", "--quiet", "--in-cluster", "--worker-image", "img:1");
            assertThat(run.exit()).as(run.err()).isZero();
            String line = "another load-test Job, ai-inference/someone-elses, was running in the namespace (1 active pod(s)):"
                    + " its requests reach the same replicas and count in their traffic";
            assertThat(run.err()).contains("cluster: warning: " + line);
            assertThat(run.out()).contains("> **Note:** " + line);
        }
    }

    @Test
    void badWorkerCountsAreOneLineAndNothingIsCreated() throws Exception {
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(1), dir)) {
            VerifyCommandTest.Run run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--workers", "2");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).last().isEqualTo("verify: verify --workers needs --in-cluster (the workers are pods)");
            run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--in-cluster", "--worker-image", "img:1",
                    "--users", "4", "--workers", "5");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).last()
                    .isEqualTo("verify: --workers 5 is more than --users 4: every worker needs at least one user");
            run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--in-cluster", "--worker-image", "img:1",
                    "--users", "200", "--workers", "101");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).last().isEqualTo("verify: --workers 101 is more than 100 pods");
            run = VerifyCommandTest.verify("--outputs", r.outputs.toString(), "--in-cluster", "--worker-image", "img:1",
                    "--users", "4", "--workers", "0");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).last().isEqualTo("verify: --workers must be at least 1, got 0");
            assertThat(r.cluster.client().batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();
        }
    }
}
