package com.aiinference.signals;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.aiinference.verify.SimulatedRelease;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The servers' own signals end to end: loadtest, sweep and verify against a simulated release (the chart's real render
 * in fabric8's mock API server, fake Ollama or vLLM replicas behind a round-robin front), reading each replica through
 * the mock's pod proxy as they would a GKE cluster's.
 */
@Timeout(90)
class ServerSignalsCommandTest {
    private static final String VLLM_MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private static SimulatedEngineConfig ollama() {
        return SimulatedEngineConfig.defaults().withModels(List.of("llama3.1:8b")).withTokensPerAnswer(8)
                .withTiming(Duration.ofMillis(5), Duration.ofMillis(10));
    }

    /** vLLM with 2 sequences at once and answers of ~0.2 s: 8 users queue. */
    private static SimulatedEngineConfig vllm() {
        return SimulatedEngineConfig.defaults().withModels(List.of(VLLM_MODEL)).withEngine(SimulatedEngineConfig.Engine.VLLM)
                .withTokensPerAnswer(8).withTiming(Duration.ofMillis(5), Duration.ofMillis(25)).withParallelism(2, 512);
    }

    private static SimulatedCluster.Spec vllmSpec(int replicas) {
        return SimulatedCluster.Spec.defaults(replicas).withEngine("vllm").withModel(VLLM_MODEL).withNumParallel(2);
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    @Test
    void ollamaReplicasGatewayCountsAndThePlatformAreInTheJsonAndChartedInTheHtml() throws IOException {
        try (SimulatedRelease sim = new SimulatedRelease(SimulatedCluster.Spec.defaults(2), ollama(), dir)) {
            Path json = dir.resolve("run.json");
            Path html = dir.resolve("run.html");
            Run r = run("loadtest", "--outputs", sim.outputs.toString(), "--users", "4", "--duration", "2500ms", "--quiet",
                    "--report-json", json.toString(), "--report-html", html.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode server = JSON.readTree(json.toFile()).path("server");
            JsonNode platform = server.path("platform");
            assertThat(platform.path("engine").asText()).isEqualTo("ollama");
            assertThat(platform.path("image").asText()).contains("ollama/ollama:");
            assertThat(platform.path("model").asText()).isEqualTo("llama3.1:8b");
            assertThat(platform.path("parallel").asInt()).isEqualTo(8);
            assertThat(platform.path("parallel_setting").asText()).isEqualTo("OLLAMA_NUM_PARALLEL");
            assertThat(platform.path("machine_type").asText()).isEqualTo("g2-standard-12");
            assertThat(platform.path("gpu").asText()).isEqualTo("nvidia-l4");
            assertThat(platform.path("gpu_driver").asText()).isEqualTo("latest");
            assertThat(platform.path("replicas").asInt()).isEqualTo(2);
            assertThat(server.path("interval_s").asDouble()).isEqualTo(1.0);
            List<JsonNode> replicas = list(server.path("replicas"));
            assertThat(replicas).hasSize(2);
            for (JsonNode replica : replicas) {
                assertThat(replica.path("source").asText()).isEqualTo("gateway stub_status");
                List<JsonNode> samples = list(replica.path("samples"));
                assertThat(samples).as(replica.toString()).hasSizeGreaterThanOrEqualTo(2);
                assertThat(samples).allSatisfy(s -> {
                    assertThat(s.path("t_s").asDouble()).isBetween(0.0, 4.0);
                    assertThat(s.path("in_flight").isNumber()).isTrue();
                    assertThat(s.path("running").isNull()).isTrue();
                });
                assertThat(replica.path("gaps")).isEmpty();
            }
            // Every measured request is in a gateway's access log, once, with its status and duration.
            JsonNode load = JSON.readTree(json.toFile()).path("load");
            long logged = 0;
            for (JsonNode rep : replicas) {
                for (JsonNode second : rep.path("gateway")) {
                    logged += second.path("requests").asLong();
                    assertThat(second.path("rejected").asLong()).isZero();
                    assertThat(second.path("mean_s").asDouble()).isPositive().isLessThanOrEqualTo(second.path("max_s").asDouble());
                }
            }
            // The gateway logs every request it served; the client counts those it measured. The two may differ by a
            // request at the window's edge (one per user at most), never more.
            long measured = load.at("/requests/total").asLong() + load.at("/run/warmup_requests").asLong();
            assertThat(logged).isBetween(measured, measured + 4);
            // Each replica served about half of the load: the gateway's counter says so, second by second.
            assertThat(replicas).allSatisfy(rep -> assertThat(list(rep.path("samples")).stream()
                    .anyMatch(s -> s.path("requests_per_s").asDouble() > 5)).as(rep.toString()).isTrue());
            String page = Files.readString(html);
            assertThat(page).contains("<h2>Server signals</h2>", "Requests in flight at each replica&#39;s gateway",
                    "<polyline class=\"series s0\"", "<polyline class=\"series s1\"", "OLLAMA_NUM_PARALLEL 8");
            assertThat(r.out()).contains("### Server signals (per replica, read every 1.0s)", "| gateway stub_status |");
        }
    }

    @Test
    void anOllamaQueueThatIsFullShowsAs503sAtTheGatewayThatRefusedThem() throws IOException {
        // One answer at a time and no queue: three of four users find the replica busy (Ollama's 503).
        SimulatedEngineConfig busy = ollama().withParallelism(1, 0);
        try (SimulatedRelease sim = new SimulatedRelease(SimulatedCluster.Spec.defaults(1), busy, dir)) {
            Path json = dir.resolve("run.json");
            Path html = dir.resolve("run.html");
            run("loadtest", "--outputs", sim.outputs.toString(), "--users", "4", "--duration", "1500ms", "--quiet",
                    "--report-json", json.toString(), "--report-html", html.toString());
            JsonNode root = JSON.readTree(json.toFile());
            long busy503 = root.at("/load/errors/server_busy_503").asLong();
            assertThat(busy503).as(root.path("load").toString()).isPositive();
            long rejected = 0;
            for (JsonNode second : root.at("/server/replicas/0/gateway")) {
                rejected += second.path("rejected").asLong();
            }
            // Every 503 the client counted as Ollama's busy answer, and at most one more per user (a fresh-clone run logged
            // 1,436 where the client counted 1,435 in 1.5 s of 503s answered at once).
            assertThat(rejected).isBetween(busy503, busy503 + 4);
            assertThat(root.at("/server/reading").asText()).contains(com.aiinference.core.Format.count(rejected)
                    + " requests refused with 503 at the gateways");
            assertThat(Files.readString(html)).contains("Requests refused with 503 at each replica&#39;s gateway, per second",
                    "Request duration at each replica&#39;s gateway");
        }
    }

    @Test
    void vllmQueueAndKvCacheAreReadAndSayWhyLatencyGrew() throws IOException {
        try (SimulatedRelease sim = new SimulatedRelease(vllmSpec(1), vllm(), dir)) {
            Path json = dir.resolve("run.json");
            Path html = dir.resolve("run.html");
            Run r = run("loadtest", "--outputs", sim.outputs.toString(), "--users", "8", "--duration", "2500ms", "--quiet",
                    "--report-json", json.toString(), "--report-html", html.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode server = JSON.readTree(json.toFile()).path("server");
            assertThat(server.path("platform").path("engine").asText()).isEqualTo("vllm");
            assertThat(server.path("platform").path("model").asText()).isEqualTo(VLLM_MODEL);
            assertThat(server.path("platform").path("parallel").asInt()).isEqualTo(2);
            assertThat(server.path("platform").path("parallel_setting").asText()).isEqualTo("--max-num-seqs");
            JsonNode replica = server.path("replicas").get(0);
            assertThat(replica.path("source").asText()).isEqualTo("vllm /metrics");
            List<JsonNode> samples = list(replica.path("samples"));
            assertThat(samples).isNotEmpty();
            assertThat(samples.stream().mapToDouble(s -> s.path("running").asDouble()).max().orElse(0)).isEqualTo(2.0);
            assertThat(samples.stream().mapToDouble(s -> s.path("waiting").asDouble()).max().orElse(0)).isGreaterThan(0);
            assertThat(samples.stream().mapToDouble(s -> s.path("kv_cache_pct").asDouble()).max().orElse(0)).isEqualTo(100.0);
            assertThat(samples.stream().filter(s -> s.path("preemptions").isNumber()).toList()).isNotEmpty();
            assertThat(server.path("reading").asText()).startsWith("requests queued in vLLM (waiting up to ")
                    .contains("while running held at the parallel limit (--max-num-seqs 2)", "KV cache near full (100% at peak)");
            assertThat(Files.readString(html)).contains("Requests waiting for a slot (vLLM&#39;s queue)",
                    "KV-cache use (vLLM), percent", "requests queued in vLLM");
        }
    }

    @Test
    void aReplicaThatCannotBeReadIsAGapAndTheRunGoesOn() throws IOException {
        try (SimulatedRelease sim = new SimulatedRelease(vllmSpec(2), vllm(), dir)) {
            // The second replica's server is gone: the pod proxy answers 503 for it (and its share of the load fails).
            sim.replicas.get(1).close();
            Path json = dir.resolve("run.json");
            Run r = run("loadtest", "--outputs", sim.outputs.toString(), "--users", "2", "--duration", "2s", "--quiet",
                    "--no-preflight", "--report-json", json.toString());
            assertThat(r.exit()).as(r.err()).isIn(0, 1);
            List<JsonNode> replicas = list(JSON.readTree(json.toFile()).path("server").path("replicas"));
            assertThat(replicas).hasSize(2);
            assertThat(list(replicas.get(0).path("samples"))).isNotEmpty();
            assertThat(replicas.get(0).path("gaps")).isEmpty();
            JsonNode dead = replicas.get(1);
            assertThat(dead.path("samples")).isEmpty();
            assertThat(list(dead.path("gaps"))).isNotEmpty().allSatisfy(g -> {
                assertThat(g.path("t_s").asDouble()).isGreaterThanOrEqualTo(0);
                assertThat(g.path("reason").asText()).startsWith("pod proxy to :8081/metrics: HTTP 503");
            });
            assertThat(r.out()).contains("| vllm /metrics | 0 |");
        }
    }

    @Test
    void aSweepSaysWhyItsKneeIsWhereItIs() throws IOException {
        try (SimulatedRelease sim = new SimulatedRelease(vllmSpec(1), vllm(), dir)) {
            Path json = dir.resolve("sweep.json");
            Path html = dir.resolve("sweep.html");
            Run r = run("loadtest", "sweep", "--outputs", sim.outputs.toString(), "--concurrency", "1,2,8",
                    "--step-duration", "2s", "--slo", "p95<450ms", "--min-gain", "0%", "--quiet", "--report-json",
                    json.toString(), "--report-html", html.toString());
            assertThat(r.exit()).as(r.err() + r.out()).isZero();
            JsonNode doc = JSON.readTree(json.toFile());
            assertThat(doc.path("knee").path("concurrency").asDouble()).as(r.out()).isEqualTo(2.0);
            JsonNode signals = doc.path("server_signals");
            assertThat(signals.path("knee_reading").asText()).startsWith("at concurrency 8: requests queued in vLLM")
                    .contains("held at the parallel limit (--max-num-seqs 2)");
            List<JsonNode> steps = list(signals.path("steps"));
            assertThat(steps).extracting(s -> s.path("load").asDouble()).containsExactly(1.0, 2.0, 8.0);
            assertThat(steps.get(0).path("reading").isNull()).isTrue();
            assertThat(steps.get(2).path("from_s").asDouble()).isGreaterThan(steps.get(1).path("to_s").asDouble() - 0.5);
            assertThat(r.out()).contains("Why the knee (server signals): at concurrency 8: requests queued in vLLM");
            assertThat(Files.readString(html)).contains("Why the knee: at concurrency 8", "<h2>Server signals</h2>");
            // loadtest capacity still reads the sweep's JSON.
            assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "10", "--outputs",
                    sim.outputs.toString()).exit()).isZero();
        }
    }

    @Test
    void verifyReportsTheServersSignalsBesideTheClustersState() throws IOException {
        try (SimulatedRelease sim = new SimulatedRelease(SimulatedCluster.Spec.defaults(2), ollama(), dir)) {
            Path json = dir.resolve("verify.json");
            Run r = run("verify", "--outputs", sim.outputs.toString(), "--users", "4", "--duration", "2s", "--quiet",
                    "--report-json", json.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode server = JSON.readTree(json.toFile()).path("server");
            assertThat(server.path("platform").path("replicas").asInt()).isEqualTo(2);
            assertThat(list(server.path("replicas"))).hasSize(2)
                    .allSatisfy(rep -> assertThat(rep.path("samples")).isNotEmpty());
        }
    }

    @Test
    void aClusterThatCannotBeReachedIsOneWarningAndTheRunGoesOn() throws IOException {
        try (SimulatedEngine engine = SimulatedEngine.start(ollama())) {
            String kubeconfig = """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
                    contexts: [{name: x, context: {cluster: c, user: u}}]
                    current-context: x
                    users: [{name: u, user: {token: t}}]
                    """;
            Path outputs = dir.resolve("outputs.json");
            Files.writeString(outputs, JSON.writeValueAsString(java.util.Map.of("endpoint", engine.baseUri().toString(),
                    "kubeconfig", kubeconfig, "model", "llama3.1:8b")));
            Path json = dir.resolve("run.json");
            Run r = run("loadtest", "--outputs", outputs.toString(), "--users", "1", "--duration", "300ms", "--quiet",
                    "--report-json", json.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("warning: the servers' signals are not read: cannot reach the Kubernetes API at"
                    + " https://127.0.0.1:1/ (kubeconfig from output 'kubeconfig' of " + outputs + "): connection refused");
            assertThat(JSON.readTree(json.toFile()).path("server").isNull()).isTrue();
        }
    }

    @Test
    void aPlainUrlHasNoClusterToReadAndNoServerBlock() throws IOException {
        try (SimulatedEngine engine = SimulatedEngine.start(ollama())) {
            Path json = dir.resolve("run.json");
            Run r = run("loadtest", "--url", engine.baseUri().toString(), "--users", "1", "--duration", "300ms", "--quiet",
                    "--report-json", json.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(JSON.readTree(json.toFile()).path("server").isNull()).isTrue();
            assertThat(r.err()).doesNotContain("signals");
        }
    }
}
