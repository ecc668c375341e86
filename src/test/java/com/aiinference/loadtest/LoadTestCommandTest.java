package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loadtest} black-box: arguments in, exit code and captured stdout/stderr out. */
@Timeout(60)
class LoadTestCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private SimulatedEngine fake;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @BeforeEach
    void startFake() {
        fake = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(30), Duration.ofMillis(3)).withTokensPerAnswer(10));
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String url() {
        return fake.generateUri().toString();
    }

    @Test
    void tlsTrustOptionsAreOneLineUsageErrors() {
        assertThat(run("loadtest", "--url", url(), "--cacert", "/nonexistent/ca.pem", "--insecure")).isEqualTo(2);
        assertThat(err.toString()).contains("--cacert=FILE, --insecure are mutually exclusive");
        err.getBuffer().setLength(0);
        assertThat(run("loadtest", "--url", url(), "--cacert", "/nonexistent/ca.pem", "-d", "1s")).isEqualTo(2);
        assertThat(err.toString()).contains("--cacert file not found: /nonexistent/ca.pem");
        err.getBuffer().setLength(0);
        assertThat(run("loadtest", "--url", url(), "--insecure", "--workers", "2", "-d", "1s")).isEqualTo(2);
        assertThat(err.toString()).contains("--cacert and --insecure apply to this process's client only");
        assertThat(fake.requestsServed()).isZero();
    }

    @Test
    void printsTheVerifiedResultsTableAndPassesTheSlo() {
        int code = run("loadtest", "--url", url(), "--users", "4", "--duration", "1s",
                "--slo", "success>=99.9%,p95<5s,ttft_p95<1s");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .startsWith("## Load test: " + url() + "\n\n**SLO MET**: 4 users (closed loop) · 1s · llama3.1:8b · ollama (streaming) · started ")
                .contains("### Verified Results (4 users, 1s, llama3.1:8b, ollama)\n\n| Metric | Result | Notes |\n| :--- | :--- | :--- |\n| **Stability** | **100%** | ")
                .contains("| **Latency** | **~", "| **Capacity** | **", "| success>=99.9% | slo | PASS | 100% |", "| p95<5s | slo | PASS |");
        assertThat(err.toString()).contains("loadtest: pre-flight request answered in ")
                .contains("loadtest: ollama -> " + url() + ", 4 users, 1s (stops by 2m01s)")
                .contains("in-flight").doesNotContain("warning");
        assertThat(fake.requestsServed()).isPositive();
    }

    @Test
    void unmetSloExitsOneNamingTheObjective() {
        int code = run("loadtest", "--url", url(), "--users", "2", "--duration", "500ms", "--slo", "success>=99%,p95<10ms");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("| success>=99% | slo | PASS | 100% |", "| p95<10ms | slo | **FAIL** |", "**SLO NOT MET**");
        assertThat(lastLine(err)).startsWith("loadtest: SLO NOT MET: SLO p95<10ms not met: measured ");
    }

    @Test
    void reportFilesAreCheckedBeforeAnyLoadAndNoInputIsOverwritten() throws Exception {
        java.nio.file.Path prompts = java.nio.file.Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"hi\"}\n");
        String[][] cases = {
            {"loadtest: --save-requests " + prompts + " is the same file as the --prompts input: writing it would"
                    + " overwrite it", "--prompts", prompts.toString(), "--save-requests", prompts.toString()},
            {"loadtest: --report-json " + dir + " is a directory; give a file name", "--report-json", dir.toString()},
            {"loadtest: --report-html " + dir.resolve("r.json") + " is the same file as the --report-json output: give"
                    + " each output its own file", "--report-json", dir.resolve("r.json").toString(), "--report-html",
                    dir.resolve("r.json").toString()},
            {"loadtest: --report-json " + prompts.resolve("r.json") + " cannot be written: " + prompts
                    + " is not a directory", "--report-json", prompts.resolve("r.json").toString()},
            {"loadtest: --prompts file " + dir + " is not a regular file (a directory)", "--prompts", dir.toString()},
        };
        for (String[] c : cases) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("loadtest", "--url", url(),
                    "--users", "1", "--duration", "60s", "--quiet"));
            args.addAll(java.util.List.of(c).subList(1, c.length));
            err.getBuffer().setLength(0);
            assertThat(run(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
            assertThat(err.toString().lines()).as(args.toString()).containsExactly(c[0]);
        }
        assertThat(fake.stats().httpRequests()).as("nothing was sent").isZero();
        assertThat(java.nio.file.Files.readString(prompts)).isEqualTo("{\"prompt\": \"hi\"}\n");
    }

    @Test
    void aLoadLargerThanOneClientHoldsIsRefusedBeforeAnyRequest() {
        err.getBuffer().setLength(0);
        assertThat(run("loadtest", "--url", url(), "--rate", "1e308", "--duration", "5s")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("loadtest: --rate 1,000,000,000,000 is more than 1,000,000"
                + " requests/s, more than one client can send; give a lower rate");
        err.getBuffer().setLength(0);
        assertThat(run("loadtest", "--url", url(), "--users", "2147483647", "--duration", "5s")).isEqualTo(2);
        assertThat(lastLine(err)).startsWith("loadtest: --users 2,147,483,647 needs 2,147,483,647 connections in this"
                + " process, but it may open only ");
        assertThat(fake.stats().httpRequests()).isZero();
    }

    @Test
    void aUrlWithAPasswordAndAFramingHeaderAreRefusedWithoutEchoingSecrets() {
        err.getBuffer().setLength(0);
        String withPassword = url().replace("http://", "http://alice:s3cret@");
        assertThat(run("loadtest", "--url", withPassword, "--users", "1", "--duration", "1s")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("loadtest: --url '" + url().replace("http://", "http://alice:***@")
                + "' carries a user name and password, which the load test does not send; give credentials as a header"
                + " (-H 'Authorization: ...') and drop them from the URL");
        err.getBuffer().setLength(0);
        assertThat(run("loadtest", "--url", url(), "-H", "Transfer-Encoding: chunked", "--users", "1")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("loadtest: --header Transfer-Encoding is set by the HTTP client"
                + " itself and cannot be given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive,"
                + " Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade)");
        err.getBuffer().setLength(0);
        assertThat(run("loadtest", "--url", "x".repeat(1_000_000), "--users", "1")).isEqualTo(2);
        assertThat(err.toString().length()).as("a refusal never echoes a megabyte").isLessThan(400);
        assertThat(fake.stats().httpRequests()).isZero();
    }

    @Test
    void maxErrorRateAbortsWithExitOne() {
        int code = run("loadtest", "--url", url(), "--model", "no-such-model", "--users", "4", "--duration", "30s",
                "--max-error-rate", "10%", "--no-preflight");
        assertThat(code).isEqualTo(1);
        assertThat(lastLine(err)).matches("loadtest: ABORTED: error rate 100% \\(\\d+ of \\d+\\) exceeded --max-error-rate 10.00%");
        assertThat(out.toString()).contains("| **Stability** | **0.00%** |", "model_not_found_404");
    }

    @Test
    void aWrongTargetIsOneLineFromThePreflightRequestAndNothingIsMeasured() {
        int code = run("loadtest", "--url", url(), "--model", "no-such-model", "--users", "2", "--duration", "60s");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().lines()).first().isEqualTo("loadtest: pre-flight request sent, waiting for its answer"
                + " (up to 2m, --timeout)");
        assertThat(lastLine(err)).isEqualTo("loadtest: pre-flight request to " + url() + " failed: HTTP 404"
                + " (model_not_found_404): {\"error\":\"model \\\"no-such-model\\\" not found, try pulling it first\"}; check the URL"
                + " path, --api and --model (nothing was measured; --no-preflight skips this check)");
        assertThat(out.toString()).isEmpty();
        assertThat(fake.requestsServed()).isEqualTo(1);
        String wrongPath = fake.baseUri() + "/api/generat";
        assertThat(run("loadtest", "--url", wrongPath, "--users", "2")).isEqualTo(2);
        assertThat(lastLine(err)).startsWith("loadtest: pre-flight request to " + wrongPath + " failed: HTTP 404");
    }

    @Test
    void aRunWhereEveryRequestFailsStopsEarlyAndPrintsNoCapacity() {
        long start = System.nanoTime();
        int code = run("loadtest", "--url", url(), "--model", "no-such-model", "--users", "4", "--duration", "60s",
                "--no-preflight");
        assertThat(code).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(lastLine(err)).matches("loadtest: ABORTED: the last \\d+ requests all failed \\(model_not_found_404 \\d+\\)"
                + " over \\d+\\.\\ds: stopped early");
        assertThat(out.toString()).contains("| **Stability** | **0.00%** |", "| **Capacity** | **n/a** | no request succeeded;")
                .doesNotContain("req/s** |");
    }

    @Test
    void helpListsTheExitCodes() {
        assertThat(run("loadtest", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("Exit codes: "
                + "0 the run completed, at least one request succeeded and every --slo objective was met "
                + "1 no request succeeded (or none was measured), an --slo objective was not met, or the run was aborted"
                + " (--max-error-rate, every request failing, a request the HTTP client refused), or a --workers"
                + " worker died (the others' results are still reported) "
                + "2 invalid usage or input (e.g. a bad --workers count), no target, target unreachable, the pre-flight"
                + " request failed "
                + "130 stopped by Ctrl-C: the report of what was measured is still printed and written; requests cut by"
                + " the stop are counted apart, not as failures");
    }

    @Test
    void runWithNothingMeasuredIsAFailureShowingNotApplicable() {
        // Answers take 2s; the users' first requests start in the 300ms warm-up and nothing starts in the 200ms after it.
        try (SimulatedEngine slow = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(2000), Duration.ofMillis(1)).withTokensPerAnswer(2))) {
            int code = run("loadtest", "--url", slow.generateUri().toString(), "--users", "2", "--warmup", "300ms",
                    "--duration", "200ms", "--no-preflight");
            assertThat(code).isEqualTo(1);
            assertThat(out.toString()).contains("| **Stability** | **n/a** | 0/0 requests measured |", "**NOTHING MEASURED**",
                    "- no request was measured: none started after the warm-up (2 warm-up requests; answers slower than"
                            + " --warmup + --duration?)")
                    .doesNotContain("100%");
            assertThat(lastLine(err)).isEqualTo("loadtest: NOTHING MEASURED: no request was measured: none started after the warm-up"
                    + " (2 warm-up requests; answers slower than --warmup + --duration?)");
        }
    }

    @Test
    void usageErrorsAreOneLineWithExitTwo() throws IOException {
        Path noEndpoint = dir.resolve("outputs.json");
        Files.writeString(noEndpoint, "{\"externalIp\": \"34.1.2.3\"}");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String[][] cases = {
            {"loadtest: no target: give --url URL, --stack NAME or --outputs FILE"},
            {"loadtest: --url and --stack/--outputs are alternatives: give one", "--url", url(), "--stack", "dev"},
            {"loadtest: stack outputs from " + noEndpoint + " have no 'endpoint' (outputs present: [externalIp])", "--outputs", noEndpoint.toString()},
            {"loadtest: --outputs file not found: " + dir.resolve("nope.json"), "--outputs", dir.resolve("nope.json").toString()},
            {"loadtest: --slo objective 'p95<5': p95 needs a time unit (ms, s or m), e.g. p95<5s", "--url", url(), "--slo", "p95<5"},
            {"loadtest: --slo objective 'latency<5s': unknown metric 'latency' (success, error_rate, p50..p99, max, mean, ttft_p95, itl_p95, tpot_p95, rps, tokens_per_s)", "--url", url(), "--slo", "latency<5s"},
            {"loadtest: --ramp-up applies to --users (closed loop); with --rate use --warmup", "--url", url(), "--rate", "5", "--ramp-up", "2s"},
            {"loadtest: Error: --users=N, --rate=REQ_PER_S are mutually exclusive (specify only one)", "--url", url(), "--users", "5", "--rate", "2"},
            {"loadtest: Error: --users=N, --rate=REQ_PER_S are mutually exclusive (specify only one)", "--url", url(), "--rate", "2", "-u", "5"},
            {"loadtest: --rate must be more than 0 requests per second, got 0.0", "--url", url(), "--rate", "0"},
            {"loadtest: Invalid value for option '--api': unknown --api 'grpc' (ollama, ollama-chat, openai-completions, openai-chat)", "--url", url(), "--api", "grpc"},
            {"loadtest: --url path /api/generate is the ollama API, but --api openai-chat posts to /v1/chat/completions (change one)", "--url", url(), "--api", "openai-chat"},
            {"loadtest: --url 'ftp://x/api/generate' must start with http:// or https://", "--url", "ftp://x/api/generate"},
            {"loadtest: --url '127.0.0.1:8000/api/generate' has no scheme: add http:// (e.g. http://127.0.0.1:8000/api/generate)", "--url", "127.0.0.1:8000/api/generate"},
            {"loadtest: --users must be at least 1, got 0", "--url", url(), "--users", "0"},
            {"loadtest: --header 'no-colon' must look like 'Name: value'", "--url", url(), "--header", "no-colon"},
            {"loadtest: --header Host is set by the HTTP client itself and cannot be given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade)", "--url", url(), "--header", "Host: example.com"},
            {"loadtest: --header content-length is set by the HTTP client itself and cannot be given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade)", "--url", url(), "-H", "content-length: 5"},
            {"loadtest: --header Connection is set by the HTTP client itself and cannot be given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade)", "--url", url(), "--rate", "5", "--header", "Connection: close"},
            {"loadtest: --header Expect is set by the HTTP client itself and cannot be given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade)", "--url", url(), "--header", "Expect: 100-continue"},
            {"loadtest: --header UPGRADE is set by the HTTP client itself and cannot be given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade)", "--url", url(), "--header", "UPGRADE: h2c"},
            {"loadtest: --header Content-Type is set by loadtest (application/json) and cannot be given", "--url", url(), "--header", "Content-Type: text/plain"},
            {"loadtest: --header X-Api-Key value has a control character (line break?)", "--url", url(), "--header", "X-Api-Key: abc\r\nX-Evil: 1"},
            {"loadtest: cannot reach the endpoint 127.0.0.1:" + closedPort + " (ConnectException: Connection refused)", "--url", "http://127.0.0.1:" + closedPort},
            {"loadtest: Invalid value for option '--duration': '5 minutes' is not a duration (examples: 60, 60s, 1.5s, 250ms, 2m, 1h)", "--url", url(), "--duration", "5 minutes"},
            {"loadtest: Invalid value for option '--max-error-rate': '150%' is not between 0 and 1 (0% and 100%)", "--url", url(), "--max-error-rate", "150%"},
            // exclusive picocli argument groups
            {"loadtest: Error: --stack=NAME, --outputs=FILE are mutually exclusive (specify only one)", "--stack", "dev", "--outputs", "x.json"},
            {"loadtest: Error: --prompt=TEXT, --prompts=FILE are mutually exclusive (specify only one)", "--url", url(), "--prompt", "x", "--prompts", "p.txt"},
        };
        for (String[] c : cases) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of("loadtest"));
            args.addAll(List.of(c).subList(1, c.length));
            assertThat(run(args.toArray(String[]::new))).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString().lines().findFirst().orElse("")).isEqualTo(c[0]);
            assertThat(out.toString()).isEmpty();
        }
        assertThat(fake.requestsServed()).isZero();
    }

    @Test
    void outputsFileGivesEndpointAndModelAndApiSwapsThePath() throws IOException {
        Path outputs = dir.resolve("outputs.json");
        Files.writeString(outputs, "{\"endpoint\": \"" + url() + "\", \"model\": \"llama3.1:8b\", \"replicas\": 10}");
        int code = run("loadtest", "--outputs", outputs.toString(), "--api", "openai-chat", "--users", "2", "--duration", "500ms");
        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("openai-chat -> " + fake.baseUri() + "/v1/chat/completions");
        assertThat(out.toString()).contains("| **Stability** | **100%** |", "llama3.1:8b, openai-chat)");
    }

    @Test
    void localUrlWithMoreThanTenUsersIsWarnedAbout() {
        int code = run("loadtest", "--url", url(), "--users", "11", "--duration", "300ms");
        assertThat(code).isZero();
        assertThat(err.toString()).contains("\nwarning: 127.0.0.1 is a local address (kubectl port-forward?) and 11 users");
        assertThat(out.toString()).contains("> **Note:** 127.0.0.1 is a local address");
    }

    @Test
    void openLoopOnALocalUrlIsWarnedAboutWhenItsRateImpliesMoreThanTenInFlight() {
        // Answers of about 600 ms: by Little's law 40 req/s keeps about 24 in flight, 2 req/s about 1.
        try (SimulatedEngine slow = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(500), Duration.ofMillis(50)).withTokensPerAnswer(3))) {
            String slowUrl = slow.generateUri().toString();
            int code = run("loadtest", "--url", slowUrl, "--rate", "40", "--duration", "300ms", "--quiet");
            assertThat(code).as(err.toString()).isZero();
            assertThat(err.toString()).containsPattern("\nwarning: 127\\.0\\.0\\.1 is a local address \\(kubectl port-forward\\?\\)"
                    + " and 40 req/s open loop at [0-9.]+m?s per answer means about \\d+ requests in flight: port-forward tunnels"
                    + " hold fewer than 10 concurrent users well");
            assertThat(out.toString()).contains("> **Note:** 127.0.0.1 is a local address (kubectl port-forward?) and 40");

            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            run("loadtest", "--url", slowUrl, "--rate", "2", "--duration", "300ms", "--quiet");
            assertThat(err.toString()).contains("loadtest: ollama -> " + slowUrl + ", 2 req/s open loop");
            assertThat(err.toString() + out).doesNotContain("port-forward");
        }
    }

    @Test
    void writesJsonReportWithTheDocumentedShape() throws IOException {
        Path json = dir.resolve("reports/run.json");
        int code = run("loadtest", "--url", url(), "--users", "3", "--duration", "1200ms", "--report-json", json.toString(),
                "--header", "Authorization: Bearer s3cret", "--slo", "p95<5s");
        assertThat(code).isZero();
        JsonNode j = JSON.readTree(json.toFile());
        List<String> keys = new ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("version", "command", "title", "subtitle", "verdict", "results_title", "results",
                "checks", "load", "load_skipped", "tables", "notes", "cluster", "server");
        assertThat(j.path("verdict").path("status").asText()).isEqualTo("pass");
        assertThat(j.path("verdict").path("headline").asText()).isEqualTo("SLO MET");
        JsonNode r = j.path("load");
        keys.clear();
        r.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("config", "run", "requests", "errors", "latency_ms", "ttft_ms", "itl_ms", "tpot_ms",
                "tokens", "throughput", "capacity", "timeline");
        assertThat(r.path("requests").path("total").asLong())
                .isEqualTo(r.path("requests").path("succeeded").asLong() + r.path("requests").path("failed").asLong())
                .isEqualTo(fake.requestsServed() - 1);
        for (String m : List.of("latency_ms", "ttft_ms", "itl_ms", "tpot_ms")) {
            List<String> stats = new ArrayList<>();
            r.path(m).fieldNames().forEachRemaining(stats::add);
            assertThat(stats).as(m).containsExactly("count", "mean", "p50", "p90", "p95", "p99", "max");
            assertThat(r.path(m).path("p50").isNumber()).isTrue();
        }
        long succeeded = r.path("requests").path("succeeded").asLong();
        assertThat(r.path("tokens").path("output").asLong()).isEqualTo(10 * succeeded);
        assertThat(r.path("tokens").path("input").asLong()).as("the fake's prompt_eval_count").isPositive();
        JsonNode t = r.path("throughput");
        assertThat(t.path("total_tokens_per_s").asDouble())
                .isCloseTo(t.path("input_tokens_per_s").asDouble() + t.path("output_tokens_per_s").asDouble(), org.assertj.core.data.Offset.offset(0.01));
        assertThat(r.path("timeline").size()).isGreaterThanOrEqualTo(1);
        assertThat(r.path("timeline").get(0).has("latency_p95_ms")).isTrue();
        assertThat(r.path("config").path("headers").toString()).isEqualTo("[\"Authorization\"]");
        assertThat(Files.readString(json)).doesNotContain("s3cret");
        assertThat(j.path("checks").get(0).path("checks").get(0).path("status").asText()).isEqualTo("pass");
        assertThat(r.path("capacity").path("replicas_served").isNull()).isTrue();
        assertThat(r.path("run").path("stopped").isNull()).isTrue();
        assertThat(err.toString()).contains("JSON report: " + json);
        assertThat(out.toString()).contains(" input tok/s, ", " total tok/s (server counts)");
    }

    @Test
    void saveRequestsWritesOneJsonLinePerMeasuredRequest() throws IOException {
        Path file = dir.resolve("requests.jsonl");
        Path json = dir.resolve("run.json");
        int code = run("loadtest", "--url", url(), "--users", "2", "--duration", "600ms", "--save-requests", file.toString(),
                "--report-json", json.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(file);
        long measured = JSON.readTree(json.toFile()).path("load").path("requests").path("total").asLong();
        // One line per measured request; the server also got the pre-flight request, which is not measured.
        assertThat(lines).hasSize((int) measured).hasSizeGreaterThan(2);
        assertThat(fake.requestsServed()).isGreaterThanOrEqualTo(measured + 1);
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactly("start_ms", "ttft_ms", "end_ms", "latency_ms", "output_tokens", "input_tokens", "outcome");
            assertThat(n.path("outcome").asText()).isEqualTo("ok");
            assertThat(n.path("end_ms").asDouble()).isGreaterThan(n.path("start_ms").asDouble());
            assertThat(n.path("ttft_ms").asDouble()).isPositive().isLessThan(n.path("latency_ms").asDouble());
            assertThat(n.path("output_tokens").asLong()).isEqualTo(10);
            assertThat(n.path("input_tokens").asLong()).isPositive();
        }
        assertThat(err.toString()).contains("requests: " + file);
    }

    @Test
    void writesASelfContainedHtmlReport() throws IOException {
        Path html = dir.resolve("run.html");
        int code = run("loadtest", "--url", url(), "--users", "3", "--duration", "1s", "--warmup", "300ms",
                "--report-html", html.toString());
        assertThat(code).isZero();
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("Latency over time", "Latency distribution", "<svg", "<circle", "<polyline", "warm-up")
                .doesNotContain("<script", "<link", "src=\"http", "href=\"http", "@import");
    }

    private static String lastLine(StringWriter w) {
        List<String> lines = w.toString().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
