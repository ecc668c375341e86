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

    private static long served(SimulatedRelease r) {
        return r.replicas.stream().mapToLong(com.aiinference.simulate.SimulatedEngine::requestsServed).sum();
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
