package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * verify, black-box through the command line, against a simulated release: fabric8's Kubernetes mock API server in
 * CRUD mode and fake Ollama replicas behind a round-robin front, all on 127.0.0.1. Loads last 2 s.
 */
@Timeout(60)
class VerifyCommandTest {
    private static final String RELEASE = "ai-inference";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Run verify(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    Run verify(SimulatedRelease r, String... extra) {
        List<String> args = new ArrayList<>(List.of("--outputs", r.outputs.toString(), "--users", "6", "--duration", "1s", "--quiet"));
        args.addAll(List.of(extra));
        return verify(args.toArray(String[]::new));
    }

    SimulatedRelease release(SimulatedCluster.Spec spec) {
        return new SimulatedRelease(spec, dir);
    }

    @Test
    void healthyReleaseIsVerifiedWithEveryReplicaServing() throws IOException {
        Path md = dir.resolve("report.md");
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(3).withDwsState("Provisioned"))) {
            Run run = verify(r, "--report-md", md.toString(), "--report-json", json.toString(), "--report-html", html.toString());

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("**VERIFIED**: 6 users")
                    .contains("### Verified Results (6 users @ 3 Replicas)")
                    .contains("| **Stability** | **100%** |")
                    .contains("0 restarts, 0 OOM kills, 0 evictions/replacements during the run")
                    .contains("| **Capacity** | **3/3 Replicas** | fully utilized: every replica served traffic")
                    .contains("| provisioning-request | before | PASS | ProvisioningRequest " + r.cluster.provisioningRequestName().orElseThrow()
                            + " Provisioned |")
                    .contains("| model-loaded | before | PASS | llama3.1:8b loaded in 3/3 pods (/api/ps lists llama3.1:8b) |")
                    .contains("| hpa-pinned | before | PASS | HPA ai-inference: min = max = current = 3 |")
                    .contains("### Load test details");
            assertThat(Files.readString(md)).isEqualTo(run.out());

            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertThat(report.path("command").asText()).isEqualTo("verify");
            assertThat(report.path("verdict").path("status").asText()).isEqualTo("pass");
            assertThat(report.path("verdict").path("headline").asText()).isEqualTo("VERIFIED");
            long total = report.path("load").path("requests").path("total").asLong();
            assertThat(total).isGreaterThan(50);
            assertThat(report.path("load").path("capacity").path("replicas_served").asInt()).isEqualTo(3);
            assertThat(report.path("cluster").path("replicas_served").asInt()).isEqualTo(3);
            // Every request the client sent (the pre-flight one included) was counted by exactly one replica's gateway.
            long served = 0;
            for (JsonNode t : report.path("cluster").path("traffic")) {
                assertThat(t.path("served").asLong()).isPositive();
                served += t.path("served").asLong();
            }
            assertThat(served).isEqualTo(total + report.path("load").path("run").path("warmup_requests").asLong() + 1);
            // One formatter per quantity: the rows JSON carries are the rows Markdown printed.
            for (JsonNode row : report.path("results")) {
                assertThat(run.out()).contains("| **" + row.path("metric").asText() + "** | **" + row.path("result").asText()
                        + "** | " + row.path("notes").asText() + " |");
            }
            assertThat(Files.readString(html)).contains("<title>VERIFIED - Scalability verification", "<h2>Checks</h2>",
                    "<h2>Pods</h2>", report.path("results").get(1).path("notes").asText());
        }
    }

    @Test
    void oomKillDuringTheRunFailsNamingThePod() {
        // 8 tokens 25 ms apart: answers last ~180 ms, so the killed container is streaming some when it dies.
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(3), dir, Duration.ofMillis(25))) {
            String victim = r.cluster.podNames().get(1);
            onRequest(r, 20, () -> r.cluster.restart(victim, true, Duration.ofMillis(300)));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.errLines()).last().asString()
                    .startsWith("verify: NOT VERIFIED: ")
                    .contains("no-restarts-during-run: " + victim + "/ollama OOM-killed 1x during the run"
                            + " (last termination: OOMKilled, exit 137)");
            // The killed container's in-flight answers ended without their final line.
            assertThat(run.out()).containsPattern("\\| \\*\\*Stability\\*\\* \\| \\*\\*9\\d\\.\\d\\d%\\*\\* \\|")
                    .contains("| load-slo | run | **FAIL** | success>=99.9%: NOT met")
                    .contains("1 restart, 1 OOM kill, 0 evictions/replacements during the run")
                    .contains("| pods-ready-throughout | after | **FAIL** | " + victim + " not ready for a while");
        }
    }

    @Test
    void plainRestartDuringTheRunFailsToo() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            String victim = r.cluster.podNames().get(0);
            onRequest(r, 30, () -> r.cluster.restart(victim, false, Duration.ofMillis(200)));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains(victim + "/ollama restarted 1x during the run (last termination: Error, exit 1)")
                    .contains("1 restart, 0 OOM kills");
        }
    }

    @Test
    void evictionDuringTheRunFailsWithTheReplacement() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            String victim = r.cluster.podNames().get(1);
            String[] replacement = new String[1];
            onRequest(r, 30, () -> replacement[0] = r.cluster.evict(victim, Duration.ofMillis(200)));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains("| no-evictions-or-replacements | after | **FAIL** | " + victim + " gone; "
                    + replacement[0] + " new (replacement); " + victim + " evicted: The node was low on resource: memory.");
        }
    }

    @Test
    void replicaNotReadyBeforeTheRunFailsAndServesNothing() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(3))) {
            String down = r.cluster.podNames().get(2);
            r.cluster.setReady(down, false);
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out())
                    .contains("| deployment-ready | before | **FAIL** | Deployment ai-inference: 2/3 replicas ready |")
                    .contains("| pods-ready | before | **FAIL** | 2/3 pods ready; not ready: " + down + " (Running) |")
                    .contains("| **Capacity** | **2/3 Replicas** | not fully utilized")
                    .contains("idle: " + down);
        }
    }

    @Test
    void theHtmlPageLeadsWithTheVerdictAndTheFailedChecksReasons() throws IOException {
        Path html = dir.resolve("not-ready.html");
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(3))) {
            String down = r.cluster.podNames().get(2);
            r.cluster.setReady(down, false);
            Run run = verify(r, "--report-html", html.toString());

            assertThat(run.exit()).isEqualTo(1);
            String page = Files.readString(html);
            assertThat(page).contains("<title>NOT VERIFIED - Scalability verification: release ai-inference")
                    .contains("<div class=\"badge bad\">NOT VERIFIED</div>")
                    .doesNotContain("SLO MET", "Load test: ", "`");
            int verdict = page.indexOf("<section class=\"verdict bad\">");
            assertThat(verdict).as("the verdict comes before any figure").isPositive()
                    .isLessThan(page.indexOf("class=\"cards\""));
            assertThat(page.substring(verdict)).contains("<li>pods-ready: 2/3 pods ready; not ready: " + down + " (Running)</li>");
        }
    }

    @Test
    void everyRequestedReportIsWrittenWhenTheLoadIsSkipped() throws IOException {
        Path md = dir.resolve("quota.md");
        Path json = dir.resolve("quota.json");
        Path html = dir.resolve("quota.html");
        Files.writeString(html, "last run's page");
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2).withDwsState("QuotaExceeded"))) {
            Run run = verify(r, "--report-md", md.toString(), "--report-json", json.toString(), "--report-html", html.toString());

            assertThat(run.exit()).isEqualTo(1);
            assertThat(Files.readString(html)).doesNotContain("last run's page")
                    .contains("NOT VERIFIED", "Load not run", "no inference pod exists", "QuotaExceeded");
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertThat(report.path("load").isNull()).isTrue();
            assertThat(report.path("load_skipped").asText()).isEqualTo("no inference pod exists");
            assertThat(report.path("verdict").path("reasons").toString()).contains("load skipped: no inference pod exists");
            assertThat(Files.readString(md)).isEqualTo(run.out());
        }
    }

    @Test
    void hpaNotPinnedFailsWhenTheStackSaysPinned() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2).withHpa(1, 4))) {
            r.overrideOutputs(Map.of("hpaPinned", true));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("hpa-pinned: HPA ai-inference: min 1, max 4, current 2: not pinned (min != max),"
                    + " it can scale during the run");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "QuotaExceeded|accepted but not provisioned: Provisioned=False (QuotaExceeded): NVIDIA_L4_GPUS quota exceeded in region",
        "ResourcePoolExhausted|accepted but not provisioned: Provisioned=False (ResourcePoolExhausted): no nvidia-l4 capacity in any zone",
        "Pending|pending: no conditions yet",
        "Failed|failed: Failed=True (QuotaExceeded): quota for NVIDIA_L4_GPUS is below the requested 10",
    })
    void provisioningRequestNotProvisionedIsReportedWithItsReason(String state, String reason) {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2).withDwsState(state))) {
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains("| provisioning-request | before | **FAIL** | ProvisioningRequest "
                            + r.cluster.provisioningRequestName().orElseThrow() + " " + reason + " |")
                    .contains("| load-slo | run | SKIP | load not run: no inference pod exists |")
                    .contains("### Verified Results (6 users @ 2 Replicas)")
                    .contains("| **Stability** | **not measured** | load skipped: no inference pod exists |")
                    .contains("| (none) |");
            assertThat(run.errLines()).last().asString().startsWith("verify: NOT VERIFIED: deployment-ready: Deployment ai-inference: 0/2 replicas ready");
        }
    }

    @Test
    void withoutGatewayCapacityIsReadinessAndTrafficIsNotMeasured() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2).withGateway(false))) {
            Run run = verify(r);

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("| **Capacity** | **2/2 Replicas ready** | traffic per replica not measured:"
                            + " no gateway container (gateway.enabled=false); ")
                    .containsPattern("gateway.enabled=false\\); [\\d.,]+ req/s: steady-state successes per second over the ")
                    .contains("| all-replicas-served | after | SKIP |");
        }
    }

    @Test
    void modelCheckFallsBackToReadinessWhenThePodProxyCannotReachOllama() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            r.cluster.enforceNetworkPolicy(true);
            Run run = verify(r);

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("| model-loaded | before | PASS | llama3.1:8b loaded in 2/2 pods (readiness"
                    + " (pod proxy to /api/ps: HTTP 503)) |");
        }
    }

    @Test
    void helmTestPodIsNotTakenForAReplica() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            Runnable createTestPod = () -> r.cluster.client().pods().inNamespace("ai-inference").resource(
                    new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("ai-inference-test-generate")
                            .addToLabels("app.kubernetes.io/name", "ai-inference").addToLabels("app.kubernetes.io/instance", RELEASE)
                            .addToLabels("app.kubernetes.io/component", "test").endMetadata()
                            .withNewSpec().addNewContainer().withName("test").withImage("curl").endContainer().endSpec()
                            .withNewStatus().withPhase("Pending").endStatus().build()).create();
            // `helm test` started during the run: a new, not-ready pod with the release's name/instance labels.
            onRequest(r, 20, createTestPod);
            Run run = verify(r);

            assertThat(run.exit()).as(run.out()).isZero();
            assertThat(run.out()).contains("| pods-ready | before | PASS | 2/2 pods ready |")
                    .doesNotContain("ai-inference-test-generate");
        }
    }

    @Test
    void memoryLimitOtherThanTheStacksFails() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2).withMemoryLimit("46Gi"))) {
            r.overrideOutputs(Map.of("memoryLimit", "40Gi"));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains("| memory-limit | before | **FAIL** | " + r.cluster.podNames().get(0)
                    + ": ollama memory limit 46Gi, expected 40Gi;");
        }
    }

    @Test
    void unreachableApiServerIsExit2InOneLine() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(1))) {
            String kubeconfig = r.cluster.kubeconfig().replace(r.cluster.apiServer().toString(), "http://127.0.0.1:" + closedPort);
            r.overrideOutputs(Map.of("kubeconfig", kubeconfig));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).containsExactly("verify: cannot reach the Kubernetes API at http://127.0.0.1:" + closedPort
                    + "/ (kubeconfig from output 'kubeconfig' of " + r.outputs + "): connection refused");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void unreachableEndpointIsExit2BeforeAnythingRuns() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(1))) {
            r.overrideOutputs(Map.of("endpoint", "http://127.0.0.1:" + closedPort + "/api/generate"));
            Run run = verify(r);

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).hasSize(1);
            assertThat(run.errLines().get(0)).startsWith("verify: cannot reach the endpoint 127.0.0.1:" + closedPort + " (");
            assertThat(r.cluster.front().forwarded()).isZero();
        }
    }

    @Test
    void aLocalEndpointWithMoreThanTenUsersIsWarnedAboutOnStderrAndInTheReport() {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            Run run = verify("--outputs", r.outputs.toString(), "--users", "11", "--duration", "1s", "--quiet");

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.errLines()).contains("warning: 127.0.0.1 is a local address (kubectl port-forward?) and 11 users"
                    + " were asked for: port-forward tunnels hold fewer than 10 concurrent users well; for the real figure"
                    + " use the LoadBalancer endpoint (--stack).");
            assertThat(run.out()).contains("127.0.0.1 is a local address (kubectl port-forward?) and 11 users were asked for");
        }
    }

    @Test
    void aWrongPathIsOneLineFromThePreflightRequestAndNoLoadIsSent() throws IOException {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            String wrong = r.cluster.endpoint().resolve("/api/generat").toString();
            r.overrideOutputs(Map.of("endpoint", wrong));
            Path json = dir.resolve("wrong-path.json");
            Run run = verify(r, "--report-json", json.toString());

            // The pods are fine, the endpoint is not: NOT VERIFIED (exit 1), the load skipped, said in one line.
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.errLines()).filteredOn(l -> l.contains("pre-flight") && !l.contains("waiting for its answer")).hasSize(1);
            assertThat(run.errLines()).last().isEqualTo("verify: NOT VERIFIED: load skipped: pre-flight request to " + wrong
                    + " failed: HTTP 404 (http_404): 404 page not found; check the URL path, --api and --model (nothing was"
                    + " measured; --no-preflight skips this check)");
            assertThat(run.out()).contains("**NOT VERIFIED**", "| load-slo | run | SKIP | load not run: pre-flight request to " + wrong,
                    "| **Stability** | **not measured** | load skipped: pre-flight request to " + wrong,
                    "| **Capacity** | **2/2 Replicas ready** | traffic per replica not measured: the load did not run |")
                    .doesNotContain("during the run |");
            assertThat(r.cluster.front().forwarded()).as("only the pre-flight request reached the release").isEqualTo(1);
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertThat(report.path("load").isNull()).isTrue();
            assertThat(report.path("load_skipped").asText()).startsWith("pre-flight request to " + wrong + " failed: HTTP 404");
        }
    }

    @Test
    void missingOutputsAreExit2() throws IOException {
        Path nowhere = dir.resolve("nope.json");
        Run missingFile = verify("--outputs", nowhere.toString());
        assertThat(missingFile.exit()).isEqualTo(2);
        assertThat(missingFile.errLines()).containsExactly("verify: --outputs file not found: " + nowhere);

        Path noKube = dir.resolve("no-kubeconfig.json");
        Files.writeString(noKube, "{\"endpoint\": \"http://127.0.0.1:9/api/generate\", \"namespace\": \"ai-inference\"}");
        Run noKubeconfig = verify("--outputs", noKube.toString());
        assertThat(noKubeconfig.exit()).isEqualTo(2);
        assertThat(noKubeconfig.errLines()).containsExactly("verify: stack outputs from " + noKube
                + " have no 'kubeconfig' (outputs present: [endpoint, namespace])");

        Run nothing = verify("--kubeconfig", dir.resolve("kc").toString());
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.errLines()).containsExactly("verify: no target: give --url URL, --stack NAME or --outputs FILE");
    }

    @Test
    void badExpectationsInTheOutputsAreExit2NamingTheKey() throws IOException {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(1))) {
            r.overrideOutputs(Map.of("replicas", "ten"));
            Run run = verify(r);
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).containsExactly("verify: output 'replicas' of " + r.outputs + " is 'ten', not a number");
        }
    }

    @Test
    void byHandWithKubeconfigFileAndUrl() throws IOException {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(2))) {
            Path kubeconfig = dir.resolve("kubeconfig.yaml");
            Files.writeString(kubeconfig, r.cluster.kubeconfig());
            Run run = verify("--url", r.cluster.endpoint().toString(), "--kubeconfig", kubeconfig.toString(), "--context", "simulated",
                    "--namespace", "ai-inference", "--release", "ai-inference", "--replicas", "2", "--memory-limit", "40960Mi",
                    "--users", "4", "--duration", "1s", "--quiet");

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("| **Capacity** | **2/2 Replicas** |")
                    .contains("| memory-limit | before | PASS | every ollama container limited to 40Gi |")
                    // No model expectation by hand: whatever /api/ps lists counts as loaded.
                    .contains("| model-loaded | before | PASS | the model loaded in 2/2 pods (/api/ps lists [llama3.1:8b]) |");
        }
    }

    @Test
    void kubeconfigThatIsNotOneIsExit2() throws IOException {
        Path kubeconfig = dir.resolve("kubeconfig.yaml");
        Files.writeString(kubeconfig, "clusters: [ this is not a kubeconfig");
        Run run = verify("--url", "http://127.0.0.1:9/api/generate", "--kubeconfig", kubeconfig.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("verify: the kubeconfig from --kubeconfig " + kubeconfig + " is not usable: ");

        Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: []\n");
        assertThat(verify("--url", "http://127.0.0.1:9/api/generate", "--kubeconfig", kubeconfig.toString()).errLines())
                .containsExactly("verify: the kubeconfig from --kubeconfig " + kubeconfig + " names no cluster");
    }

    @Test
    void unknownContextIsExit2ListingTheContexts() throws IOException {
        try (SimulatedRelease r = release(SimulatedCluster.Spec.defaults(1))) {
            Run run = verify(r, "--context", "gke_prod");
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.errLines()).containsExactly("verify: the kubeconfig from output 'kubeconfig' of " + r.outputs
                    + " has no context 'gke_prod' (contexts: simulated)");
        }
    }

    /** Runs {@code fault} once, on its own thread, when the front has routed {@code after} requests: mid-run. */
    private static void onRequest(SimulatedRelease r, long after, Runnable fault) {
        AtomicBoolean fired = new AtomicBoolean();
        Thread[] t = new Thread[1];
        r.cluster.front().onRequest(total -> {
            if (total >= after && fired.compareAndSet(false, true)) {
                t[0] = new Thread(fault, "test-fault");
                t[0].start();
            }
        });
    }
}
