package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's body policy (njs, files/gateway-policy.js) in a real nginx in front of a recording upstream: what
 * would make a replica unload, reload or move its model is refused with 400 and never reaches it; what bounds the
 * work is capped; everything else arrives byte for byte, and answers still stream.
 */
class GatewayPolicyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "llama3.1:8b";

    @TempDir
    Path work;

    private StubOllama upstream;
    private NginxGateway gateway;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(NginxGateway.TIMEOUT)
            .build();

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new StubOllama();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            upstream.close();
        }
    }

    @Test
    void refusesWhatChangesWhatTheServerLoadsOrWhereItRuns() throws Exception {
        gateway = NginxGateway.start(ChartScenarios.render("default"), upstream.port(), work);
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"model\":\"llama3.1:8b\",\"keep_alive\":0}", "keep_alive is set by the server");
        refused.put("{\"model\":\"llama3.1:8b\",\"prompt\":\"\",\"keep_alive\":\"0s\"}", "keep_alive is set by the server");
        refused.put("{\"model\":\"llama3.1:8b\",\"keep_alive\":-1}", "keep_alive is set by the server");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":{\"num_gpu\":0}}", "options.num_gpu is set by the server");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":{\"num_batch\":1}}", "options.num_batch is set by the server");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":{\"use_mmap\":false}}", "options.use_mmap is set by the server");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":{\"num_ctx\":131072}}",
                "options.num_ctx must be the server's context length 4096");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":{\"num_ctx\":2048}}",
                "options.num_ctx must be the server's context length 4096");
        refused.put("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\"}", "model must be \\\"llama3.1:8b\\\"");
        refused.put("{\"model\":\"LLAMA3.1:8B\",\"prompt\":\"hi\"}", "model must be \\\"llama3.1:8b\\\"");
        refused.put("{\"prompt\":\"hi\"}", "model must be");
        refused.put("{\"model\":[\"llama3.1:8b\"]}", "model must be");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":[1]}", "options must be a JSON object");
        refused.put("{\"model\":\"llama3.1:8b\",\"options\":{\"num_predict\":\"lots\"}}",
                "options.num_predict must be a whole number");
        refused.put("not json", "the body must be one JSON object");
        refused.put("[{\"model\":\"llama3.1:8b\"}]", "the body must be one JSON object");
        refused.put("", "the body must be one JSON object");
        for (String route : List.of("/api/generate", "/api/chat")) {
            for (Map.Entry<String, String> body : refused.entrySet()) {
                HttpResponse<String> answer = post(route, body.getKey());
                assertThat(answer.statusCode()).as("%s %s", route, body.getKey()).isEqualTo(400);
                assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
                assertThat(answer.body()).as("%s %s", route, body.getKey())
                        .startsWith("{\"error\":\"refused by the ai-inference gateway: ")
                        .contains(body.getValue());
            }
        }
        for (String route : List.of("/v1/completions", "/v1/chat/completions")) {
            for (String body : List.of("{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\"}",
                    "{\"model\":\"llama3.1:8b\",\"keep_alive\":0}", "{\"model\":\"llama3.1:8b\",\"max_tokens\":1.5}")) {
                assertThat(post(route, body).statusCode()).as("%s %s", route, body).isEqualTo(400);
            }
        }
        assertThat(upstream.paths()).as("refused bodies never reach the engine").isEmpty();
    }

    @Test
    void admittedBodiesArriveByteForByte() throws Exception {
        gateway = NginxGateway.start(ChartScenarios.render("default"), upstream.port(), work);
        List<String[]> admitted = List.of(
                // what `loadtest` sends on every Ollama request
                new String[] {"/api/generate", "{\"model\":\"llama3.1:8b\",\"prompt\":\"Explain TCP\",\"stream\":false,"
                        + "\"options\":{\"num_predict\":128}}"},
                new String[] {"/api/generate", "{ \"model\" : \"llama3.1:8b\",\n \"prompt\": \"caf\u00e9 \\u00e9 \\\"q\\\"\","
                        + " \"stream\": false, \"options\": {\"temperature\": 0.20, \"num_predict\": 1024,"
                        + " \"num_ctx\": 4096, \"seed\": 7}, \"format\": \"json\" }"},
                // what `loadtest --api ollama-chat --no-stream --max-tokens 1 --prompt hi` sends (OllamaChatApiTest)
                new String[] {"/api/chat", "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stream\":false,\"options\":{\"num_predict\":1}}"},
                new String[] {"/v1/chat/completions", "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}],\"max_tokens\":128,\"stream\":true,\"stream_options\":{\"include_usage\":true}}"},
                new String[] {"/v1/completions", "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"max_completion_tokens\":64}"});
        for (String[] request : admitted) {
            HttpResponse<String> answer = post(request[0], request[1]);
            assertThat(answer.statusCode()).as(request[1]).isEqualTo(200);
            StubOllama.Seen seen = upstream.last();
            assertThat(seen.path()).isEqualTo(request[0]);
            assertThat(seen.body()).as("body as sent").isEqualTo(request[1]);
            assertThat(seen.contentLength())
                    .isEqualTo(String.valueOf(request[1].getBytes(StandardCharsets.UTF_8).length));
        }
        // Model-free reads pass as before.
        assertThat(send("GET", "/v1/models").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/tags").statusCode()).isEqualTo(200);
    }

    @Test
    void capsOutputTokensInsteadOfRefusing() throws Exception {
        gateway = NginxGateway.start(ChartScenarios.render(ChartScenarios.with("default",
                Map.of("gateway", Map.of("policy", Map.of("maxOutputTokens", 300))))), upstream.port(), work);
        String[][] cases = {
                {"/api/generate", "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":100000,\"temperature\":0.5}}",
                        "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":300,\"temperature\":0.5}}"},
                {"/api/generate", "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":-1}}",
                        "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":300}}"},
                {"/api/chat", "{\"model\":\"llama3.1:8b\",\"messages\":[]}",
                        "{\"model\":\"llama3.1:8b\",\"messages\":[],\"options\":{\"num_predict\":300}}"},
                {"/api/generate", "{\"model\":\"llama3.1:8b\",\"prompt\":\"\u00e9\",\"options\":{\"seed\":1}}",
                        "{\"model\":\"llama3.1:8b\",\"prompt\":\"\u00e9\",\"options\":{\"seed\":1,\"num_predict\":300}}"},
                {"/v1/completions", "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"max_tokens\":4000}",
                        "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"max_tokens\":300}"},
                {"/v1/chat/completions", "{\"model\":\"llama3.1:8b\",\"messages\":[]}",
                        "{\"model\":\"llama3.1:8b\",\"messages\":[],\"max_tokens\":300}"},
                {"/v1/chat/completions", "{\"model\":\"llama3.1:8b\",\"max_completion_tokens\":9000}",
                        "{\"model\":\"llama3.1:8b\",\"max_completion_tokens\":300}"}};
        for (String[] c : cases) {
            HttpResponse<String> answer = post(c[0], c[1]);
            assertThat(answer.statusCode()).as(c[1]).isEqualTo(200);
            StubOllama.Seen seen = upstream.last();
            assertThat(JSON.readTree(seen.body())).as(c[1]).isEqualTo(JSON.readTree(c[2]));
            assertThat(seen.contentLength()).isEqualTo(String.valueOf(seen.body().getBytes(StandardCharsets.UTF_8).length));
        }
    }

    @Test
    void vllmServesOnlyTheConfiguredModelAndAdapters() throws Exception {
        gateway = NginxGateway.start(ChartScenarios.render(ChartScenarios.with("vllm",
                Map.of("gateway", Map.of("policy", Map.of("extraModels", List.of("sql-lora")))))), upstream.port(), work);
        for (String model : List.of("meta-llama/Llama-3.1-8B-Instruct", "sql-lora")) {
            HttpResponse<String> answer = post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[],\"max_tokens\":5}");
            assertThat(answer.statusCode()).as(model).isEqualTo(200);
            assertThat(upstream.last().body()).contains(model);
        }
        HttpResponse<String> other = post("/v1/completions", "{\"model\":\"other-lora\",\"prompt\":\"x\"}");
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(other.body()).contains("model must be \\\"meta-llama/Llama-3.1-8B-Instruct\\\"");
        JsonNode capped = JSON.readTree(upstreamBodyOf("/v1/completions",
                "{\"model\":\"sql-lora\",\"prompt\":\"x\",\"max_tokens\":100000}"));
        assertThat(capped.get("max_tokens").asInt()).isEqualTo(1024);
        assertThat(upstream.paths()).hasSize(3);
    }

    @Test
    void answersStillStreamThroughThePolicyWithUnchangedTimeToFirstByte() throws Exception {
        gateway = NginxGateway.start(ChartScenarios.render("default"), upstream.port(), work);
        // Capped (rewritten) and untouched bodies both stream: the stub holds its last line back until the test has
        // the first one, so a buffering proxy would deadlock here.
        for (String body : List.of("{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\"}",
                "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":128}}")) {
            StubOllama.Streaming stream = upstream.holdStream();
            HttpResponse<Stream<String>> answer = client.send(request("/api/generate", body),
                    HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = answer.body().iterator();
            assertThat(lines.next()).isEqualTo("{\"response\":\"Hel\",\"done\":false}");
            stream.release();
            assertThat(lines.next()).isEqualTo("{\"response\":\"lo\",\"done\":true,\"eval_count\":2}");
            assertThat(lines.hasNext()).isFalse();
            assertThat(stream.releasedByClient()).as("first line reached the client while the engine was answering")
                    .isTrue();
        }

        // Time to the first line through the policy vs. the same gateway without it (same machine, same stub).
        long withPolicy = medianFirstLineMicros("/api/generate");
        try (NginxGateway plain = NginxGateway.start(ChartScenarios.render(ChartScenarios.with("default",
                Map.of("gateway", Map.of("policy", Map.of("enabled", false))))), upstream.port(),
                java.nio.file.Files.createDirectories(work.resolve("plain")))) {
            NginxGateway policed = gateway;
            gateway = plain;
            long without = medianFirstLineMicros("/api/generate");
            gateway = policed;
            System.out.printf("gateway TTFT median over 30 requests: %d us with the body policy, %d us without%n",
                    withPolicy, without);
            assertThat(withPolicy - without).as("policy's cost on time to first byte, microseconds")
                    .isLessThan(20_000);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private long medianFirstLineMicros(String route) throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            StubOllama.Streaming stream = upstream.holdStream();
            long start = System.nanoTime();
            HttpResponse<Stream<String>> answer = client.send(
                    request(route, "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"options\":{\"num_predict\":128}}"),
                    HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = answer.body().iterator();
            lines.next();
            long first = System.nanoTime() - start;
            stream.release();
            lines.forEachRemaining(line -> { });
            if (i > 0) { // the first request also opens the upstream connection
                micros.add(first / 1_000);
            }
        }
        micros.sort(Long::compare);
        return micros.get(micros.size() / 2);
    }

    private String upstreamBodyOf(String route, String body) throws Exception {
        assertThat(post(route, body).statusCode()).isEqualTo(200);
        return upstream.last().body();
    }

    private HttpRequest request(String route, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort + route))
                .timeout(NginxGateway.TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> post(String route, String body) throws Exception {
        return client.send(request(route, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String route) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort + route))
                .timeout(NginxGateway.TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
