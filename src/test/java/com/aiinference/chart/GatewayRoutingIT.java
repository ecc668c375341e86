package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's routes and API keys, in a real nginx ({@link NginxGateway}) in front of a stub Ollama on 127.0.0.1.
 */
class GatewayRoutingIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String KEY_1 = "k1-0123456789abcdefXYZ";
    private static final String KEY_2 = "second.key_with~chars+/=";

    @TempDir
    Path work;

    private StubOllama upstream;
    private NginxGateway gateway;
    private int httpPort;
    private int metricsPort;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new StubOllama();
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            upstream.close();
        }
    }

    @Test
    void forwardsInferenceRoutesAndRefusesModelManagement() throws Exception {
        startGateway(ChartScenarios.render("default"));

        for (String[] route : new String[][] {
                {"GET", "/"}, {"GET", "/api/tags"}, {"GET", "/api/version"}, {"POST", "/api/chat"},
                {"POST", "/v1/completions"}, {"POST", "/v1/chat/completions"}, {"GET", "/v1/models"}}) {
            HttpResponse<String> answer = send(route[0], route[1], "{\"model\":\"llama3.1:8b\"}", Map.of());
            assertThat(answer.statusCode()).as("%s %s", route[0], route[1]).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"stub\":\"" + route[1] + "\"}");
        }
        assertThat(upstream.paths()).hasSize(7);
        upstream.requests.clear();

        for (String[] route : new String[][] {
                {"POST", "/api/pull"}, {"POST", "/api/create"}, {"POST", "/api/push"}, {"DELETE", "/api/delete"},
                {"POST", "/api/copy"}, {"POST", "/api/blobs/sha256:0123"}, {"HEAD", "/api/blobs/sha256:0123"},
                // nginx normalizes before matching: traversal, doubled slashes and percent-encoding do not get around it
                {"POST", "/api/generate/../pull"}, {"POST", "/api//create"}, {"POST", "/api/%70ull"}}) {
            HttpResponse<String> answer = send(route[0], route[1], "{\"model\":\"x\"}", Map.of());
            assertThat(answer.statusCode()).as("%s %s", route[0], route[1]).isEqualTo(403);
            if (!route[0].equals("HEAD")) {
                assertThat(answer.body()).startsWith("{\"error\":\"forbidden");
            }
            assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
        }
        for (String path : List.of("/api/ps", "/api/show", "/api/embed", "/api/generate/x", "/API/PULL", "/stub_status", "/metrics")) {
            HttpResponse<String> answer = send("POST", path, "{}", Map.of());
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.body()).startsWith("{\"error\":\"not found");
        }
        assertThat(upstream.paths()).as("refused requests never reach Ollama").isEmpty();
    }

    @Test
    void streamsGenerateAnswersLineByLine() throws Exception {
        startGateway(ChartScenarios.render("default"));
        StubOllama.Streaming stream = upstream.holdStream();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/generate"))
                .timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":128}}"))
                .build();
        HttpResponse<Stream<String>> answer = client.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(answer.statusCode()).isEqualTo(200);
        Iterator<String> lines = answer.body().iterator();
        // The stub holds back its last line until the test has the first one: a buffering proxy would deadlock here.
        assertThat(lines.next()).isEqualTo("{\"response\":\"Hel\",\"done\":false}");
        long released = System.nanoTime();
        stream.release();
        assertThat(lines.next()).isEqualTo("{\"response\":\"lo\",\"done\":true,\"eval_count\":2}");
        assertThat(lines.hasNext()).isFalse();
        // The answer ends when Ollama ends it (a buffering proxy_pass holds the end of a chunked answer back).
        assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(5));
        assertThat(stream.releasedByClient()).as("the first line reached the client while Ollama was still answering")
                .isTrue();
        assertThat(upstream.paths()).containsExactly("POST /api/generate");
        assertThat(upstream.requests.peek().body()).isEqualTo("{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":128}}");
    }

    @Test
    void refusesBodiesAboveTheLimit() throws Exception {
        startGateway(ChartScenarios.render("default"));
        String body = "{\"prompt\":\"" + "x".repeat(1_100_000) + "\"}";
        assertThat(send("POST", "/api/generate", body, Map.of()).statusCode()).isEqualTo(413);
        assertThat(upstream.paths()).isEmpty();
    }

    @Test
    void stubStatusCountsClientRequestsOnThePodOnlyPort() throws Exception {
        startGateway(ChartScenarios.render("default"));
        long before = stubStatusRequests();
        send("GET", "/api/version", "", Map.of());
        send("GET", "/api/tags", "", Map.of());
        send("POST", "/api/pull", "{}", Map.of());
        long after = stubStatusRequests();
        // three client requests plus the second stub_status request itself
        assertThat(after - before).isEqualTo(4);
    }

    @Test
    void apiKeysAreEnforcedOnForwardedRoutes() throws Exception {
        RenderedChart chart = ChartScenarios.render("api-keys");
        Path keys = work.resolve("secret-api-keys");
        Files.writeString(keys, "# rotated 2026-11\n" + KEY_1 + "\n\n  " + KEY_2 + "  \r\n");
        Path map = work.resolve("keys/api-keys.map");
        Files.createDirectories(map.getParent());
        ProcessResult rendered = renderApiKeys(chart, keys, map);
        assertThat(rendered.exitCode()).as(rendered.output()).isZero();
        assertThat(rendered.output()).contains("2 key(s) accepted");

        startGateway(chart);
        HttpResponse<String> anonymous = send("POST", "/api/generate", "{}", Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"ai-inference\"");
        assertThat(anonymous.body()).startsWith("{\"error\":\"missing or invalid API key");
        assertThat(send("GET", "/api/tags", "", Map.of("Authorization", "Bearer not-a-key-at-all-000")).statusCode())
                .isEqualTo(401);
        assertThat(send("GET", "/", "", Map.of("Authorization", KEY_1)).statusCode()).as("scheme missing").isEqualTo(401);
        assertThat(upstream.paths()).isEmpty();

        assertThat(send("GET", "/api/tags", "", Map.of("Authorization", "Bearer " + KEY_1)).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/chat/completions", "{\"model\":\"llama3.1:8b\"}",
                Map.of("Authorization", "Bearer " + KEY_2)).statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/pull", "{}", Map.of("Authorization", "Bearer " + KEY_1)).statusCode())
                .as("a valid key does not open model management").isEqualTo(403);
        assertThat(upstream.paths()).containsExactly("GET /api/tags", "POST /v1/chat/completions");
        assertThat(upstream.requests).allSatisfy(seen -> assertThat(seen.authorization()).as("key forwarded").isNull());
    }

    @Test
    void terminatesTlsWithTheSecretsCertificate() throws Exception {
        RenderedChart chart = ChartScenarios.render("api-keys");
        Path keys = work.resolve("secret-api-keys");
        Files.writeString(keys, KEY_1 + "\n");
        Path map = work.resolve("keys/api-keys.map");
        Files.createDirectories(map.getParent());
        assertThat(renderApiKeys(chart, keys, map).exitCode()).isZero();
        startGateway(chart);

        java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(work.resolve("tls/ca.crt"))) {
            trust.setCertificateEntry("gateway", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient trusting = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
        HttpRequest generate = HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.httpsPort + "/api/generate"))
                .timeout(TIMEOUT).header("Authorization", "Bearer " + KEY_1)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"stream\":false}"))
                .build();
        HttpResponse<String> answer = trusting.send(generate, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"done\":true");
        assertThat(upstream.last().authorization()).as("the key stops at the gateway").isNull();

        // A client that does not trust the certificate gets no answer (the JDK's default trust store).
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.send(generate, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void keysMatchExactly() throws Exception {
        RenderedChart chart = ChartScenarios.render("api-keys");
        Path keys = work.resolve("secret-api-keys");
        Files.writeString(keys, KEY_1 + "\n" + KEY_2 + "\n");
        Path map = work.resolve("keys/api-keys.map");
        Files.createDirectories(map.getParent());
        assertThat(renderApiKeys(chart, keys, map).exitCode()).isZero();
        startGateway(chart);

        for (String wrong : List.of(KEY_1.toLowerCase(java.util.Locale.ROOT), KEY_1.toUpperCase(java.util.Locale.ROOT),
                KEY_1.substring(1), KEY_1 + "x", "x" + KEY_1, KEY_2.replace('.', 'x'), KEY_2.replace("+", "++"))) {
            assertThat(send("GET", "/api/tags", "", Map.of("Authorization", "Bearer " + wrong)).statusCode())
                    .as("near miss of a key").isEqualTo(401);
        }
        assertThat(send("GET", "/api/tags", "", Map.of("Authorization", "bearer " + KEY_1)).statusCode())
                .as("the scheme is matched as written too").isEqualTo(401);
        assertThat(upstream.paths()).isEmpty();
        assertThat(send("GET", "/api/tags", "", Map.of("Authorization", "Bearer " + KEY_2)).statusCode()).isEqualTo(200);
    }

    @Test
    void aRotatedKeyListReachesTheRunningGatewayWithoutARestart() throws Exception {
        RenderedChart chart = ChartScenarios.render("api-keys");
        Path secretDir = Files.createDirectories(work.resolve("secret"));
        Path keys = secretDir.resolve("api-keys");
        Files.writeString(keys, KEY_1 + "\n" + KEY_2 + "\n");
        Path map = work.resolve("keys/api-keys.map");
        Files.createDirectories(map.getParent());
        assertThat(renderApiKeys(chart, keys, map).exitCode()).as("the init container").isZero();
        gateway = NginxGateway.startThroughScript(chart, upstream.port(), work, Map.of(
                "AI_INFERENCE_KEYS_FILE", keys.toString(), "AI_INFERENCE_KEYS_MAP", map.toString(),
                "AI_INFERENCE_KEYS_WATCH_SECONDS", "1"));
        httpPort = gateway.httpPort;
        metricsPort = gateway.metricsPort;
        assertThat(status("Bearer " + KEY_2)).isEqualTo(200);

        // Revoke KEY_2, add KEY_3: the kubelet swaps the mounted Secret's file atomically.
        String key3 = "third-key-ABCDEFGHIJ0123";
        replaceAtomically(keys, KEY_1 + "\n" + key3 + "\n");
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(status("Bearer " + KEY_2)).as("revoked").isEqualTo(401);
            assertThat(status("Bearer " + key3)).as("added").isEqualTo(200);
        });
        assertThat(status("Bearer " + KEY_1)).isEqualTo(200);
        assertThat(gateway.log()).contains("ai-inference gateway: API keys changed: reloaded").doesNotContain(key3);

        // A broken list (a repeated key) is refused and the keys in force stay.
        replaceAtomically(keys, KEY_1 + "\n" + key3 + "\n" + key3.toUpperCase(java.util.Locale.ROOT) + "\n");
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(gateway.log())
                .contains("api keys: line 3 repeats the key on line 2")
                .contains("the new list is refused (see above); the previous keys stay in force"));
        assertThat(status("Bearer " + key3)).isEqualTo(200);
        assertThat(gateway.log()).doesNotContain(key3).doesNotContain(KEY_1);
    }

    @Test
    void helmTestScriptPassesThroughTheGatewayAndFailsWhenTheModelDoesNotAnswer() throws Exception {
        RenderedChart chart = ChartScenarios.renderWithTests(ChartScenarios.values("default"), work);
        startGateway(chart);
        String script = chart.single(io.fabric8.kubernetes.api.model.Pod.class).orElseThrow()
                .getSpec().getContainers().get(0).getArgs().get(0);
        String local = NginxGateway.replaceExactly(script, "http://ai-inference.ai-inference.svc:8000", "http://127.0.0.1:" + httpPort, 1);
        local = NginxGateway.replaceExactly(local, "/tmp/answer.json", work.resolve("answer.json").toString(), 3);

        ProcessResult passed = runShell(local);
        assertThat(passed.output()).contains("POST /api/generate -> HTTP 200").contains("POST /api/pull -> HTTP 403");
        assertThat(passed.exitCode()).as(passed.output()).isZero();
        assertThat(upstream.paths()).containsExactly("POST /api/generate");

        upstream.generateStatus = 404; // the model is missing: the release is not healthy
        ProcessResult failed = runShell(local);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.output()).contains("POST /api/generate -> HTTP 404").contains("expected HTTP 200 from /api/generate");
    }

    @Test
    void apiKeyRendererRefusesKeysThatCouldBreakTheConfig() throws Exception {
        RenderedChart chart = ChartScenarios.render("api-keys");
        Path map = work.resolve("api-keys.map");

        Path injected = work.resolve("injected");
        Files.writeString(injected, KEY_1 + "\n\" 1; default 1; \"x\n");
        ProcessResult bad = renderApiKeys(chart, injected, map);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.output()).contains("api keys: line 2 is not a bearer token of 16-256 characters");
        assertThat(map).doesNotExist();

        Path empty = work.resolve("empty");
        Files.writeString(empty, "# no keys yet\n\n");
        ProcessResult none = renderApiKeys(chart, empty, map);
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.output()).contains("holds no keys; the gateway would refuse every request");

        Path repeated = work.resolve("repeated");
        Files.writeString(repeated, KEY_1 + "\n# a comment\n" + KEY_2 + "\n" + KEY_1.toUpperCase(java.util.Locale.ROOT) + "\n");
        ProcessResult twice = renderApiKeys(chart, repeated, map);
        assertThat(twice.exitCode()).isEqualTo(1);
        assertThat(twice.output().strip())
                .isEqualTo("api keys: line 4 repeats the key on line 1 (keys that differ only in case count as the same)");
        assertThat(map).doesNotExist();

        ProcessResult missing = renderApiKeys(chart, work.resolve("absent"), map);
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.output()).contains("cannot read");
    }

    // ---------------------------------------------------------------------------------------------------------

    private void startGateway(RenderedChart chart) throws Exception {
        gateway = NginxGateway.start(chart, upstream.port(), work);
        httpPort = gateway.httpPort;
        metricsPort = gateway.metricsPort;
    }

    private int status(String authorization) throws Exception {
        return send("GET", "/api/tags", "", Map.of("Authorization", authorization)).statusCode();
    }

    private static void replaceAtomically(Path file, String content) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private ProcessResult renderApiKeys(RenderedChart chart, Path keys, Path map) throws Exception {
        Path script = work.resolve("render-api-keys.sh");
        Files.writeString(script, ChartScenarios.configMap(chart, "gateway").getData().get("render-api-keys.sh"));
        Process p = new ProcessBuilder("/bin/sh", script.toString(), keys.toString(), map.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("render-api-keys.sh did not finish");
        }
        return new ProcessResult(p.exitValue(), output);
    }

    private ProcessResult runShell(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("script did not finish: " + output);
        }
        return new ProcessResult(p.exitValue(), output);
    }

    record ProcessResult(int exitCode, String output) {
    }

    private long stubStatusRequests() throws Exception {
        HttpResponse<String> status = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/stub_status")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("server accepts handled requests\\s+(\\d+) (\\d+) (\\d+)").matcher(status.body());
        assertThat(m.find()).as(status.body()).isTrue();
        return Long.parseLong(m.group(3));
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(TIMEOUT)
                .method(method, body.isEmpty() || method.equals("HEAD")
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }
}
