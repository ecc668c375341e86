package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.testing.MainProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT to the coordinator's JVM, as {@code kill -INT} sends it) during {@code loadtest --workers N} and
 * {@code loadtest --in-cluster}: the workers are stopped, what they measured is reported and written, marked as stopped
 * by the user, and the exit code is 130, as for a run in one process. Every request the server saw is accounted for.
 */
@Timeout(180)
@EnabledOnOs({OS.LINUX, OS.MAC})
class WorkersInterruptIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final CommandHarness cli = new CommandHarness();

    @TempDir
    Path dir;

    @Test
    void ctrlCStopsLocalWorkerProcessesAndReportsWhatTheyMeasured() throws Exception {
        interruptLocalWorkers(false);
    }

    /** In a terminal, Ctrl-C signals the whole foreground process group: the coordinator and every worker. */
    @Test
    void ctrlCInATerminalAlsoSignalsTheWorkersAndTheirResultsStillComeBack() throws Exception {
        interruptLocalWorkers(true);
    }

    private void interruptLocalWorkers(boolean workersToo) throws Exception {
        Path json = dir.resolve("run.json");
        try (MainProcess lead = MainProcess.start(dir, "loadtest", "--url", cli.fake.generateUri().toString(),
                "--users", "4", "--duration", "90s", "--workers", "2", "--report-json", json.toString())) {
            // The pre-flight request and some of the workers' have been answered: the load runs.
            lead.awaitWhileAlive(() -> cli.fake.requestsServed() > 20, 120, "load from the workers");
            List<ProcessHandle> workers = lead.process().descendants().toList();
            assertThat(workers).hasSize(2);
            if (workersToo) {
                new ProcessBuilder("kill", "-INT", Long.toString(lead.process().pid()), Long.toString(workers.get(0).pid()),
                        Long.toString(workers.get(1).pid())).start().waitFor();
            } else {
                lead.interrupt();
            }
            int exit = lead.exitCode(60);
            assertThat(exit).as(lead.err()).isEqualTo(130);
            assertThat(workers).noneMatch(ProcessHandle::isAlive);
            assertThat(lead.out()).contains("stopped by the user (Ctrl-C) after ", "(STOPPED BY USER)")
                    .doesNotContain("gave no result");
            assertThat(lead.err()).contains("loadtest: stopped by the user (Ctrl-C) after ");
            JsonNode load = JSON.readTree(json.toFile()).path("load");
            assertThat(load.at("/run/stopped/kind").asText()).isEqualTo("user");
            assertThat(load.at("/run/stopped/reason").asText()).isEqualTo("Ctrl-C");
            assertThat(load.at("/run/window_s").asDouble()).as("the run's real length").isLessThan(89);
            long total = load.at("/requests/total").asLong();
            assertThat(total).isPositive();
            assertThat(load.at("/requests/failed").asLong()).isZero();
            // Measured, cut by the stop, warm-up (none asked) and the one pre-flight request: all the server saw.
            assertThat(total + load.at("/requests/stopped_by_user").asLong() + load.at("/run/warmup_requests").asLong() + 1)
                    .isEqualTo(cli.fake.requestsServed());
        }
    }

    @Test
    void ctrlCDeletesTheJobAndItsPodsAndReportsWhatThePodsMeasured() throws Exception {
        Path json = dir.resolve("run.json");
        try (MockCluster c = new MockCluster(cli.fake.generateUri(), Map.of())) {
            c.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ai-inference").endMetadata()
                    .build()).create();
            try (MainProcess lead = MainProcess.start(dir, "loadtest", "--outputs", outputs(c.kubeconfig()).toString(),
                    "--in-cluster", "--workers", "2", "--users", "4", "--duration", "90s", "--worker-image", "img:1",
                    "--report-json", json.toString())) {
                lead.awaitWhileAlive(() -> cli.fake.requestsServed() > 20, 120, "load from the pods");
                lead.interrupt();
                int exit = lead.exitCode(90);
                String err = lead.err();
                assertThat(exit).as(err).isEqualTo(130);
                assertThat(err).contains("cluster: stopping (Ctrl-C): deleting Job ai-inference/ai-inference-loadtest-",
                        "loadtest: stopped by the user (Ctrl-C) after ");
                assertThat(lead.out()).contains("### Verified Results (4 users, 90s,", "(STOPPED BY USER)")
                        .doesNotContain("gave no result");
            }
            // Nothing is left loading the service: no Job, no pods, and the server gets no more requests.
            assertThat(c.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();
            assertThat(c.client().pods().inNamespace("ai-inference").list().getItems()).isEmpty();
            JsonNode load = JSON.readTree(json.toFile()).path("load");
            assertThat(load.at("/run/stopped/kind").asText()).isEqualTo("user");
            long total = load.at("/requests/total").asLong();
            assertThat(total).isPositive();
            // No pre-flight from outside the cluster: the pods' measured and cut requests are all the server saw.
            long accounted = total + load.at("/requests/stopped_by_user").asLong() + load.at("/run/warmup_requests").asLong();
            assertThat(accounted).isEqualTo(cli.fake.requestsServed());
        }
    }

    private Path outputs(String kubeconfig) throws Exception {
        return MockCluster.outputs(dir, kubeconfig);
    }
}
