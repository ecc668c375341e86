package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.report.ReportVersion;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loadtest sweep} and {@code loadtest capacity} black-box: arguments in, exit code and output out. */
@Timeout(120)
class SweepCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private SimulatedEngine fake;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @BeforeEach
    void startFake() {
        fake = SimulatedEngine.start(SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(20), Duration.ofMillis(2))
                .withTokensPerAnswer(10));
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aSweepWritesTheContractJsonAndCapacityReadsIt() throws Exception {
        Path json = dir.resolve("sweep.json");
        Path html = dir.resolve("sweep.html");
        int code = run("loadtest", "sweep", "--url", fake.baseUri().toString(), "--concurrency", "1,2",
                "--step-duration", "700ms", "--slo", "p95<30s", "--replicas", "2", "--quiet",
                "--report-json", json.toString(), "--report-html", html.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("### Sweep (" + fake.generateUri() + ", closed loop, 700ms per step")
                .contains("| Concurrency | Req/s | Output tok/s | TTFT p50 | TTFT p95 | Latency p50 | Latency p95 | Errors | SLO |")
                .contains("Knee: concurrency 2");
        assertThat(err.toString()).contains("sweep: ollama -> " + fake.generateUri() + ", concurrency 1,2, 700ms per step,"
                + " SLO p95<30s, 2 replicas (--replicas) (stops by ");
        JsonNode root = JSON.readTree(json.toFile());
        assertThat(root.get("kind").asText()).isEqualTo("sweep");
        assertThat(root.get("version").get("schema").asInt()).isEqualTo(ReportVersion.SCHEMA);
        assertThat(root.get("mode").asText()).isEqualTo("closed_loop");
        assertThat(root.get("replicas").asInt()).isEqualTo(2);
        assertThat(root.get("knee").toString()).isEqualTo("{\"concurrency\":2,\"rate\":null}");
        JsonNode step = root.get("steps").get(1);
        assertThat(step.get("concurrency").asInt()).isEqualTo(2);
        for (String key : new String[] {"requests_per_s", "output_tokens_per_s"}) {
            assertThat(step.get(key).asDouble()).as(key).isPositive();
        }
        assertThat(step.get("latency_ms").get("p95").asDouble()).isPositive();
        assertThat(step.get("ttft_ms").get("p50").asDouble()).isPositive();
        assertThat(step.get("requests").get("succeeded").asLong()).isEqualTo(step.get("requests").get("total").asLong()).isPositive();
        assertThat(Files.readString(html)).contains("<svg", "KNEE AT CONCURRENCY 2");

        assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "1000", "--output", "json")).isZero();
        JsonNode cap = JSON.readTree(out.toString());
        assertThat(cap.get("version").get("schema").asInt()).isEqualTo(ReportVersion.SCHEMA);
        assertThat(cap.get("error").isNull()).isTrue();
        assertThat(cap.get("knee").get("concurrency").asInt()).isEqualTo(2);
        assertThat(cap.get("replicas").asInt()).isEqualTo(1000); // 2 users over 2 replicas: 1 per replica
        assertThat(cap.get("per_replica_concurrency").asDouble()).isEqualTo(1.0);
        assertThat(cap.get("assumptions").size()).isGreaterThanOrEqualTo(4);

        assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "10")).isZero();
        assertThat(out.toString()).startsWith("10 concurrent users within p95<30s: 10 replicas\n")
                .contains("Assumptions:\n  - closed-loop users");

        // the same sweep judged on an SLO no step met: exit 1, one line
        assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "10", "--slo", "p95<1ms")).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("loadtest capacity: no step of the sweep met p95<1ms: the first, concurrency 1,"
                + " p95<1ms measured " + err.toString().replaceAll("(?s).*measured (\\S+);.*", "$1") + "; sweep lower loads, or more replicas per step");

        // a sweep of another endpoint
        assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "10", "--url", "http://127.0.0.2:8000")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("loadtest capacity: the sweep measured http://127.0.0.1:" + fake.port()
                + ", not http://127.0.0.2:8000: sweep this endpoint first");
    }

    @Test
    void aFirstStepOutsideTheSloIsExitOneWithKneeNull() throws Exception {
        Path json = dir.resolve("sweep.json");
        int code = run("loadtest", "sweep", "--url", fake.baseUri().toString(), "--concurrency", "1,2",
                "--step-duration", "300ms", "--slo", "p95<1ms", "--quiet", "--report-json", json.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().lines().reduce((a, b) -> b).orElse("")).startsWith("loadtest sweep: no knee: the SLO broke at concurrency 1 (p95<1ms measured ");
        assertThat(JSON.readTree(json.toFile()).get("knee").isNull()).isTrue();
        assertThat(JSON.readTree(json.toFile()).get("steps").size()).isEqualTo(1);
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        String url = fake.baseUri().toString();
        String[][] cases = {
            {"loadtest sweep: --concurrency has no steps", "--concurrency", ""},
            {"loadtest sweep: --concurrency '8,,16' has an empty step (steps are separated by single commas)", "--concurrency", "8,,16"},
            {"loadtest sweep: --concurrency steps must rise from low to high, got 16 then 8 (8,16,8)", "--concurrency", "8,16,8"},
            {"loadtest sweep: --rates steps must rise from low to high, got 2 then 2 (1,2,2)", "--rates", "1,2,2"},
            {"loadtest sweep: --concurrency step 'x' is not a number", "--concurrency", "8,x"},
            {"loadtest sweep: --concurrency and --rates are alternatives: give one", "--concurrency", "1", "--rates", "1"},
            {"loadtest sweep: give the steps: --concurrency N,N,... (closed loop) or --rates R,R,... (open loop)"},
            {"loadtest sweep: --replicas must be at least 1, got 0", "--concurrency", "1", "--replicas", "0"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 2];
            args[0] = "loadtest";
            args[1] = "sweep";
            args[2] = "--url=" + url;
            System.arraycopy(c, 1, args, 3, c.length - 1);
            assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString().lines()).as(String.join(" ", args)).containsExactly(c[0]);
        }
        assertThat(fake.requestsServed()).isZero();

        Path report = dir.resolve("run.json");
        assertThat(run("loadtest", "--url", fake.generateUri().toString(), "--users", "1", "--duration", "200ms", "--quiet",
                "--report-json", report.toString())).isZero();
        assertThat(run("loadtest", "capacity", "--sweep", report.toString(), "--users", "1000")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("loadtest capacity: " + report + " is not a sweep report: no \"kind\": \"sweep\""
                + " (it is a single loadtest report; make a sweep with 'loadtest sweep --report-json FILE')");
        assertThat(run("loadtest", "capacity", "--sweep", dir.resolve("none.json").toString(), "--users", "1000")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("loadtest capacity: sweep file not found: " + dir.resolve("none.json"));
    }

    @Test
    void aWrongPathIsThePreFlightsOneLineBeforeAnyStepRuns() throws Exception {
        Path json = dir.resolve("sweep.json");
        int code = run("loadtest", "sweep", "--url", fake.baseUri().resolve("/api/generat").toString(), "--api", "ollama",
                "--concurrency", "1,2", "--step-duration", "300ms", "--quiet", "--report-json", json.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("sweep: pre-flight request sent, waiting for its answer (up to 2m, --timeout)");
        assertThat(err.toString().lines().reduce((a, b) -> b).orElse("")).startsWith("loadtest sweep: pre-flight request");
        assertThat(out.toString()).as("no table of 404s").isEmpty();
        assertThat(json).doesNotExist();
        assertThat(fake.stats().httpRequests()).as("only the pre-flight request").isEqualTo(1);
    }

    @Test
    void aStepWhereEverythingFailedReadsNoRate() throws Exception {
        Path json = dir.resolve("sweep.json");
        int code = run("loadtest", "sweep", "--url", fake.baseUri().toString(), "--model", "no-such-model",
                "--concurrency", "2", "--step-duration", "500ms", "--no-preflight", "--quiet", "--report-json", json.toString());
        assertThat(code).isEqualTo(1);
        JsonNode step = JSON.readTree(json.toFile()).get("steps").get(0);
        assertThat(step.at("/requests/failed").asLong()).isPositive().isEqualTo(step.at("/requests/total").asLong());
        assertThat(step.get("requests_per_s").asDouble()).as("a rate of failures is no throughput").isZero();
        assertThat(out.toString()).contains("| 2 | 0.0 |");
    }

    @Test
    void capacityTakesAUrlOfAnyApiAndComparesOnlyItsOrigin() throws Exception {
        Path json = dir.resolve("sweep.json");
        assertThat(run("loadtest", "sweep", "--url", fake.baseUri().toString(), "--concurrency", "1", "--step-duration",
                "300ms", "--slo", "p95<30s", "--quiet", "--report-json", json.toString())).isZero();
        String chat = fake.baseUri().resolve("/v1/chat/completions").toString();
        assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "10", "--url", chat))
                .as(err.toString()).isZero();
        assertThat(run("loadtest", "capacity", "--sweep", json.toString(), "--users", "10", "--url",
                "http://127.0.0.2:1/v1/chat/completions")).isEqualTo(2);
        assertThat(err.toString()).doesNotContain("--api").contains("the sweep measured ");
    }

    @Test
    void aVllmStackIsLoadedThroughItsOpenAiRoutesWithoutAskingForApi() throws Exception {
        String model = "meta-llama/Llama-3.1-8B-Instruct";
        try (SimulatedEngine vllm = SimulatedEngine.start(SimulatedEngineConfig.defaults().withModels(java.util.List.of(model))
                .withEngine(SimulatedEngineConfig.Engine.VLLM).withTiming(Duration.ofMillis(10), Duration.ofMillis(2))
                .withTokensPerAnswer(5))) {
            Path outputs = dir.resolve("outputs.json");
            Files.writeString(outputs, "{\"endpoint\": \"" + vllm.baseUri() + "/v1/completions\", \"engine\": \"vllm\","
                    + " \"model\": \"" + model + "\", \"replicas\": 2}");
            assertThat(run("loadtest", "sweep", "--outputs", outputs.toString(), "--concurrency", "1", "--step-duration", "300ms",
                    "--quiet")).as(err.toString()).isZero();
            assertThat(err.toString()).contains("sweep: openai-completions -> " + vllm.baseUri() + "/v1/completions",
                    "2 replicas (stack output 'replicas' of " + outputs + ")");
            assertThat(run("loadtest", "--outputs", outputs.toString(), "--users", "1", "--duration", "300ms", "--quiet"))
                    .as(err.toString()).isZero();
            assertThat(err.toString()).contains("loadtest: openai-completions -> " + vllm.baseUri() + "/v1/completions");
            // an explicit --api still wins (and Ollama's route is not served by vLLM: the pre-flight request says so, exit 2)
            assertThat(run("loadtest", "--outputs", outputs.toString(), "--api", "ollama", "--users", "1", "--duration",
                    "300ms", "--quiet")).isEqualTo(2);
        }
    }
}
