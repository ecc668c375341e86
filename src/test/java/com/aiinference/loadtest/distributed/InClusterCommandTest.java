package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedJobs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadtest --in-cluster} black-box against fabric8's Kubernetes mock API, whose stand-in Job controller runs
 * each pod's worker on a local simulator: the Job is created in the release's namespace, every request is accounted
 * for, results come back from the pod logs, and the Job is deleted; a pod that dies, an image that cannot be pulled
 * and an unreachable cluster are one line each.
 */
@Timeout(120)
class InClusterCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final CommandHarness cli = new CommandHarness();

    @TempDir
    Path dir;

    private MockCluster cluster(Map<Integer, SimulatedJobs.Fault> faults) {
        MockCluster c = new MockCluster(cli.fake.generateUri(), faults);
        c.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ai-inference").endMetadata().build())
                .create();
        return c;
    }

    private Path outputs(String kubeconfig) throws Exception {
        return MockCluster.outputs(dir, kubeconfig);
    }

    @Test
    void threePodsOfAnIndexedJobLoadTheServiceFromInsideAndEveryRequestIsCounted() throws Exception {
        try (MockCluster c = cluster(Map.of())) {
            Path json = dir.resolve("run.json");
            int code = cli.run("loadtest", "--outputs", outputs(c.kubeconfig()).toString(), "--in-cluster", "--workers", "3",
                    "--users", "6", "--duration", "1s", "--worker-image", "registry.example/ai-inference:test",
                    "--report-json", json.toString(), "--slo", "success>=99.9%");
            assertThat(code).as(cli.err.toString()).isZero();
            Job job = c.created().get(0);
            assertThat(job.getMetadata().getNamespace()).isEqualTo("ai-inference");
            assertThat(job.getMetadata().getName()).matches("ai-inference-loadtest-[0-9a-f]{6}");
            assertThat(job.getSpec().getCompletions()).isEqualTo(3);
            assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo("registry.example/ai-inference:test");
            JsonNode report = JSON.readTree(json.toFile()).path("load");
            long total = report.path("requests").path("total").asLong();
            assertThat(total).isPositive().isEqualTo(cli.fake.requestsServed());
            assertThat(report.path("requests").path("succeeded").asLong()).isEqualTo(total);
            assertThat(report.path("config").path("url").asText())
                    .isEqualTo("http://ai-inference.ai-inference.svc.cluster.local:8000/api/generate");
            assertThat(cli.err.toString()).contains("3 worker pod(s) in namespace ai-inference",
                    "cluster: created Job ai-inference/" + job.getMetadata().getName() + ": 3 pod(s) of registry.example/ai-inference:test",
                    "cluster: deleted Job ai-inference/" + job.getMetadata().getName() + " and its Secret");
            // Cleaned up: no Job and no Secret left behind.
            assertThat(c.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();
            assertThat(c.client().secrets().inNamespace("ai-inference").list().getItems()).isEmpty();
            assertThat(cli.out.toString()).contains("### Verified Results (6 users, 1s,", "| **Stability** | **100%** | " + total + "/" + total);
        }
    }

    @Test
    void aPodThatIsOomKilledIsNamedAndTheOthersAreReported() throws Exception {
        try (MockCluster c = cluster(Map.of(1, SimulatedJobs.Fault.OOM_KILLED))) {
            int code = cli.run("loadtest", "--outputs", outputs(c.kubeconfig()).toString(), "--in-cluster", "--workers", "3",
                    "--users", "3", "--duration", "1s", "--worker-image", "img:1");
            assertThat(code).as(cli.err.toString()).isEqualTo(1);
            assertThat(cli.lastErrLine()).startsWith("loadtest: 1 of 3 workers failed: worker 2/3 pod ")
                    .contains("OOMKilled (exit 137), no result line");
            assertThat(cli.out.toString()).contains("### Verified Results (3 users, 1s,", "worker 2/3 gave no result");
            assertThat(c.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();
        }
    }

    @Test
    void anImageThatCannotBePulledIsOneLineAndTheJobIsDeleted() throws Exception {
        try (MockCluster c = cluster(Map.of(0, SimulatedJobs.Fault.IMAGE_PULL))) {
            int code = cli.run("loadtest", "--outputs", outputs(c.kubeconfig()).toString(), "--in-cluster", "--workers", "2",
                    "--users", "2", "--duration", "1s", "--worker-image", "img:bad");
            assertThat(code).isEqualTo(2);
            assertThat(cli.lastErrLine()).matches("loadtest: worker pod ai-inference-loadtest-[0-9a-f]{6}-0-[0-9a-f]+ cannot start:"
                    + " ErrImagePull: failed to pull and unpack image \"img:bad\": not found \\(image img:bad\\)");
            assertThat(c.client().batch().v1().jobs().inNamespace("ai-inference").list().getItems()).isEmpty();
            assertThat(c.client().secrets().inNamespace("ai-inference").list().getItems()).isEmpty();
        }
    }

    @Test
    void anotherLoadTestJobRunningInTheNamespaceIsNamedInTheReport() throws Exception {
        try (MockCluster c = cluster(Map.of())) {
            // A Job left by a coordinator that was killed (kill -9): its pods still load the Service.
            Job left = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata()
                    .withName("ai-inference-loadtest-0ld0ld").withNamespace("ai-inference")
                    .addToLabels("app.kubernetes.io/component", WorkerJob.COMPONENT).endMetadata()
                    .withNewSpec().withCompletions(2).withNewTemplate().withNewSpec().addNewContainer().withName("worker")
                    .withImage("img:0").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec()
                    .withNewStatus().withActive(2).endStatus().build();
            c.client().batch().v1().jobs().inNamespace("ai-inference").resource(left).create();
            int code = cli.run("loadtest", "--outputs", outputs(c.kubeconfig()).toString(), "--in-cluster", "--users", "2",
                    "--duration", "1s", "--worker-image", "img:1", "--quiet");
            assertThat(code).as(cli.err.toString()).isZero();
            String line = "another load-test Job, ai-inference/ai-inference-loadtest-0ld0ld, was running in the namespace"
                    + " (2 active pod(s)): its requests reach the same replicas and count in their traffic";
            assertThat(cli.err.toString()).contains("cluster: warning: " + line);
            assertThat(cli.out.toString()).contains(line);
            // Someone else's Job is left alone.
            assertThat(c.client().batch().v1().jobs().inNamespace("ai-inference").withName("ai-inference-loadtest-0ld0ld")
                    .get()).isNotNull();
        }
    }

    @Test
    void anUnreachableClusterIsOneLineWithExitTwo() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:%d"}}]
                contexts: [{name: c, context: {cluster: c, user: u}}]
                current-context: c
                users: [{name: u, user: {token: t}}]
                """.formatted(closed);
        int code = cli.run("loadtest", "--outputs", outputs(kubeconfig).toString(), "--in-cluster", "--users", "2",
                "--duration", "1s", "--worker-image", "img:1");
        assertThat(code).isEqualTo(2);
        assertThat(cli.lastErrLine()).isEqualTo("loadtest: cannot reach the Kubernetes API at http://127.0.0.1:" + closed
                + "/ (kubeconfig from output 'kubeconfig' of " + dir.resolve("outputs.json") + "): connection refused");
    }

    @Test
    void usageErrorsBeforeAnythingIsCreated() throws Exception {
        try (MockCluster c = cluster(Map.of())) {
            String outputs = outputs(c.kubeconfig()).toString();
            assertThat(cli.run("loadtest", "--url", cli.fake.generateUri().toString(), "--in-cluster")).isEqualTo(2);
            assertThat(cli.lastErrLine()).isEqualTo("loadtest: --in-cluster needs --stack NAME or --outputs FILE (the kubeconfig,"
                    + " namespace and Service come from the stack outputs), not --url");
            assertThat(cli.run("loadtest", "--outputs", outputs, "--in-cluster", "--users", "4", "--workers", "5")).isEqualTo(2);
            assertThat(cli.lastErrLine()).isEqualTo("loadtest: --workers 5 is more than --users 4: every worker needs at least one user");
            assertThat(cli.run("loadtest", "--outputs", outputs, "--in-cluster", "--users", "200", "--workers", "101")).isEqualTo(2);
            assertThat(cli.lastErrLine()).isEqualTo("loadtest: --workers 101 is more than 100 pods");
            assertThat(cli.run("loadtest", "--outputs", outputs, "--in-cluster", "--users", "2")).isEqualTo(2);
            assertThat(cli.lastErrLine()).isEqualTo("loadtest: --in-cluster from a build without a version: give --worker-image"
                    + " us-central1-docker.pkg.dev/p/ai-inference/ai-inference:TAG");
            assertThat(cli.run("loadtest", "--url", cli.fake.generateUri().toString(), "--worker-image", "img:1")).isEqualTo(2);
            assertThat(cli.lastErrLine()).isEqualTo("loadtest: --worker-image, --worker-cpu and --worker-memory need --in-cluster");
            assertThat(cli.run("loadtest", "--outputs", outputs, "--in-cluster", "--worker-image", "img:1", "--worker-memory", "lots"))
                    .isEqualTo(2);
            assertThat(cli.lastErrLine()).isEqualTo("loadtest: --worker-memory 'lots' is not a positive Kubernetes quantity (e.g. 1Gi or 512Mi)");
            c.client().namespaces().withName("ai-inference").delete();
            assertThat(cli.run("loadtest", "--outputs", outputs, "--in-cluster", "--users", "2", "--worker-image", "img:1")).isEqualTo(2);
            assertThat(cli.lastErrLine()).startsWith("loadtest: namespace 'ai-inference' does not exist on http://127.0.0.1:");
            assertThat(c.created()).isEmpty();
            assertThat(cli.fake.requestsServed()).isZero();
        }
    }
}
