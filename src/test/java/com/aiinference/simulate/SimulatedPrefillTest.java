package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fake's prefill: prompt evaluation takes a time per prompt token (characters / 4, as a server would count), and
 * vLLM's prefix cache makes a prefix seen before free, saying so in usage.prompt_tokens_details.cached_tokens.
 */
@Timeout(30)
class SimulatedPrefillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SimulatedEngineConfig ONE_TOKEN = SimulatedEngineConfig.defaults()
            .withTiming(Duration.ofMillis(1), Duration.ofMillis(1)).withTokensPerAnswer(1)
            .withPrefill(Duration.ofNanos(100_000));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private JsonNode post(URI uri, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String words(int chars) {
        return "lorem ipsum ".repeat(chars / 12 + 1).substring(0, chars);
    }

    @Test
    void ollamaCountsPromptTokensAndTakesLongerToEvaluateLongerPrompts() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(ONE_TOKEN)) {
            String shortBody = "{\"model\":\"llama3.1:8b\",\"prompt\":\"" + words(40) + "\",\"stream\":false}";
            String longBody = "{\"model\":\"llama3.1:8b\",\"prompt\":\"" + words(8000) + "\",\"stream\":false}";
            JsonNode small = post(fake.generateUri(), shortBody);
            long started = System.nanoTime();
            JsonNode big = post(fake.generateUri(), longBody);
            double tookMs = (System.nanoTime() - started) / 1e6;
            assertThat(small.path("prompt_eval_count").asLong()).isEqualTo(10);
            assertThat(big.path("prompt_eval_count").asLong()).isEqualTo(2000);
            // 2,000 tokens at 0.1 ms: 200 ms of prompt evaluation, reported and waited for.
            assertThat(big.path("prompt_eval_duration").asLong()).isEqualTo(1_000_000L + 200_000_000L);
            assertThat(small.path("prompt_eval_duration").asLong()).isEqualTo(1_000_000L + 1_000_000L);
            assertThat(tookMs).isGreaterThanOrEqualTo(200);
            JsonNode chat = post(fake.baseUri().resolve("/api/chat"), "{\"model\":\"llama3.1:8b\",\"stream\":false,"
                    + "\"messages\":[{\"role\":\"system\",\"content\":\"" + words(400) + "\"},{\"role\":\"user\",\"content\":\""
                    + words(400) + "\"}]}");
            assertThat(chat.path("prompt_eval_count").asLong()).as("the messages' text, not their JSON").isEqualTo(200);
        }
    }

    @Test
    void vllmServesARepeatedPrefixFromItsCacheAndSaysHowMuch() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(ONE_TOKEN.withEngine(SimulatedEngineConfig.Engine.VLLM))) {
            URI chat = fake.baseUri().resolve("/v1/chat/completions");
            String prefix = words(4000);
            String first = body(prefix, "What is a GPU?");
            JsonNode cold = post(chat, first);
            assertThat(cold.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong()).isZero();
            long started = System.nanoTime();
            JsonNode warm = post(chat, body(prefix, "What is a TPU?"));
            double tookMs = (System.nanoTime() - started) / 1e6;
            long cached = warm.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong();
            long prompt = warm.path("usage").path("prompt_tokens").asLong();
            assertThat(prompt).isEqualTo((4000 + 14 + 3) / 4);
            // Whole blocks of 16 tokens of the shared system message: all but its last partial block.
            assertThat(cached).isBetween(960L, prompt - 1).matches(c -> c % 16 == 0);
            assertThat(tookMs).as("only the uncached tail is evaluated").isLessThan(100);
            String metrics = http.send(HttpRequest.newBuilder(fake.baseUri().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("vllm:prefix_cache_hits_total{model_name=\"llama3.1:8b\"} " + cached + ".0");
            JsonNode same = post(chat, first);
            assertThat(same.path("usage").path("prompt_tokens_details").path("cached_tokens").asLong())
                    .as("never the whole prompt").isLessThanOrEqualTo(prompt - 1);
        }
    }

    private static String body(String system, String user) {
        return "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},"
                + "{\"role\":\"user\",\"content\":\"" + user + "\"}],\"max_tokens\":1}";
    }

    @Test
    void aNegativePrefillIsRefused() {
        assertThatThrownBy(() -> ONE_TOKEN.withPrefill(Duration.ofMillis(-1)))
                .hasMessage("the prefill time per prompt token must not be negative");
    }
}
