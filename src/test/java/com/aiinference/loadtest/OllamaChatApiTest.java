package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.simulate.RoundRobinFront;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loadtest --api ollama-chat}: Ollama's /api/chat, end to end through the simulated cluster's front. */
@Timeout(60)
class OllamaChatApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void chatBodyIsTheOneTheGatewayPolicyAdmits() {
        LoadTestConfig c = LoadTestConfig.builder().api(Api.OLLAMA_CHAT).model("llama3.1:8b")
                .maxTokens(1).stream(false).build();
        // GatewayPolicyIT sends this body through the chart's njs policy and sees it arrive byte for byte.
        assertThat(new String(LoadTestRunner.requestBody(c, "hi"), StandardCharsets.UTF_8)).isEqualTo(
                "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,"
                        + "\"options\":{\"num_predict\":1}}");
        assertThat(LoadTestRunner.accept(c)).isEqualTo("application/json");
        assertThat(LoadTestRunner.accept(LoadTestConfig.builder().api(Api.OLLAMA_CHAT).build()))
                .isEqualTo("application/x-ndjson");
        assertThat(Api.parse("ollama-chat")).isEqualTo(Api.OLLAMA_CHAT);
        assertThat(Api.forPath("/api/chat")).isEqualTo(Api.OLLAMA_CHAT);
        // A stack endpoint (.../api/generate) gets the chat path; a bare host too.
        assertThat(TargetResolver.forApi(URI.create("http://10.0.0.1:8000/api/generate"), Api.OLLAMA_CHAT, false, "endpoint"))
                .hasToString("http://10.0.0.1:8000/api/chat");
        assertThat(TargetResolver.forApi(URI.create("http://10.0.0.1:8000"), Api.OLLAMA_CHAT, true, "--url"))
                .hasToString("http://10.0.0.1:8000/api/chat");
    }

    @Test
    void measuresChatAnswersThroughTheFrontWithTheServersTokenCounts() throws Exception {
        SimulatedEngineConfig replica = SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(20), Duration.ofMillis(2)).withTokensPerAnswer(8);
        try (SimulatedEngine a = SimulatedEngine.start(replica); SimulatedEngine b = SimulatedEngine.start(replica);
             RoundRobinFront front = RoundRobinFront.start(List.of(a.baseUri(), b.baseUri()), 0)) {
            Path report = dir.resolve("chat.json");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute("loadtest", "--url", front.baseUri().toString(), "--api", "ollama-chat",
                    "--users", "4", "--duration", "1s", "--max-tokens", "6", "--report-json", report.toString(), "--quiet");

            assertThat(code).as(err.toString()).isZero();
            JsonNode load = JSON.readTree(report.toFile()).path("load");
            assertThat(load.path("config").path("api").asText()).isEqualTo("ollama-chat");
            assertThat(load.path("config").path("path").asText()).isEqualTo("/api/chat");
            long succeeded = load.path("requests").path("succeeded").asLong();
            assertThat(succeeded).isPositive();
            assertThat(load.path("requests").path("failed").asLong()).isZero();
            assertThat(load.path("tokens").path("output_source").asText()).isEqualTo("server");
            assertThat(load.path("tokens").path("output").asLong()).as("num_predict 6 per answer").isEqualTo(6 * succeeded);
            assertThat(load.path("tokens").path("input").asLong()).isPositive();
            assertThat(load.path("ttft_ms").path("p50").asDouble()).isGreaterThanOrEqualTo(20);
            // The front forwarded /api/chat to both replicas (the pre-flight request is one more).
            assertThat(a.stats().generateRequests()).isPositive();
            assertThat(b.stats().generateRequests()).isPositive();
            assertThat(a.stats().generateRequests() + b.stats().generateRequests()).isEqualTo(succeeded + 1);
        }
    }
}
