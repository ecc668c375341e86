package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.aiinference.loadtest.engine.LoadTestConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterWorkers#stop} (what Ctrl-C calls) against the mock API server and the simulated Job controller: the
 * Job is deleted, its pods stop loading the Service and go, and what each worker measured comes back from its log.
 * Before this, a stopped run's pods kept loading the Service, and the next run's per-replica counters held both runs.
 */
@Timeout(120)
class ClusterWorkersStopTest {
    @RegisterExtension
    final CommandHarness cli = new CommandHarness();

    @Test
    void aStoppedRunDeletesItsPodsWhichStopLoadingAndReportWhatTheyMeasured() throws Exception {
        try (MockCluster c = new MockCluster(cli.fake.generateUri(), Map.of())) {
            c.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ns").endMetadata().build())
                    .create();
            LoadTestConfig whole = LoadTestConfig.builder().users(4).duration(Duration.ofSeconds(90)).build();
            WorkerSpec spec = WorkerSpec.of(whole, URI.create("http://svc.ns.svc.cluster.local:8000/api/generate"), 2);
            StringWriter progress = new StringWriter();
            ClusterWorkers workers = new ClusterWorkers(c.client(),
                    WorkerJob.settings("ns", "rel", "img:1", spec, "abc123", "1", "1Gi"), spec,
                    new PrintWriter(progress, true), Duration.ofMillis(200));
            CompletableFuture<List<WorkerOutcome>> run = CompletableFuture.supplyAsync(workers::run);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertThat(run).as(progress.toString()).isNotDone();
                return cli.fake.requestsServed() >= 20;
            });

            workers.stop("test");

            List<WorkerOutcome> outcomes = run.get(60, TimeUnit.SECONDS);
            assertThat(outcomes).as(progress.toString()).hasSize(2).allMatch(o -> o.failure() == null);
            long measured = outcomes.stream().mapToLong(o -> o.result().orElseThrow().toResult(whole,
                    spec.targetUri()).requests().total()).sum();
            assertThat(measured).isPositive();
            assertThat(progress.toString()).contains("cluster: stopping (test): deleting Job ns/rel-loadtest-abc123");
            assertThat(c.client().batch().v1().jobs().inNamespace("ns").list().getItems()).isEmpty();
            assertThat(c.client().pods().inNamespace("ns").list().getItems()).isEmpty();
            // The load has stopped: nothing more reaches the Service (checked over more than the 500 ms reconcile period).
            long served = cli.fake.requestsServed();
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cli.fake.requestsServed() == served);
        }
    }
}
