package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fake in vLLM mode: vLLM's routes, usage counts, Prometheus gauges, and the batching timing model. */
@Timeout(30)
class SimulatedVllmTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    private static final SimulatedEngineConfig VLLM = SimulatedEngineConfig.defaults().withModels(List.of(MODEL))
            .withEngine(SimulatedEngineConfig.Engine.VLLM).withTiming(Duration.ofMillis(5), Duration.ofMillis(1))
            .withTokensPerAnswer(6).withParallelism(2, 0);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void servesVllmsRoutesAndNothingOfOllamas() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(VLLM)) {
            assertThat(get(fake.baseUri().resolve("/health")).statusCode()).isEqualTo(200);
            JsonNode models = JSON.readTree(get(fake.baseUri().resolve("/v1/models")).body());
            assertThat(models.path("data").get(0).path("id").asText()).isEqualTo(MODEL);
            assertThat(models.path("data").get(0).path("owned_by").asText()).isEqualTo("vllm");
            for (String ollamaOnly : new String[] {"/", "/api/tags", "/api/ps", "/api/version"}) {
                HttpResponse<String> r = get(fake.baseUri().resolve(ollamaOnly));
                assertThat(r.statusCode()).as(ollamaOnly).isEqualTo(404);
                assertThat(r.body()).isEqualTo("{\"detail\":\"Not Found\"}");
            }
            assertThat(http.send(post(fake.generateUri(), "{\"model\":\"" + MODEL + "\",\"prompt\":\"x\"}"),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

            HttpResponse<String> sse = http.send(post(fake.baseUri().resolve("/v1/chat/completions"),
                    "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                            + "\"stream_options\":{\"include_usage\":true}}"), HttpResponse.BodyHandlers.ofString());
            assertThat(sse.statusCode()).isEqualTo(200);
            assertThat(sse.body()).doesNotContain("system_fingerprint").contains("\"usage\":{\"prompt_tokens\":")
                    .contains("\"completion_tokens\":6").endsWith("data: [DONE]\n\n");
            HttpResponse<String> unknown = http.send(post(fake.baseUri().resolve("/v1/completions"),
                    "{\"model\":\"other\",\"prompt\":\"x\"}"), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);

            String metrics = get(fake.baseUri().resolve("/metrics")).body();
            assertThat(metrics).contains("# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name=\"" + MODEL + "\"} 0.0\n")
                    .contains("vllm:num_requests_waiting{model_name=\"" + MODEL + "\"} 0.0\n")
                    .contains("vllm:kv_cache_usage_perc{model_name=\"" + MODEL + "\"} 0.0\n")
                    .contains("vllm:request_success_total{finished_reason=\"stop\",model_name=\"" + MODEL + "\"} 1.0\n")
                    .contains("vllm:generation_tokens_total{model_name=\"" + MODEL + "\"} 6.0\n");
        }
    }

    @Test
    void requestsBeyondMaxNumSeqsWaitInsteadOfGetting503AndTheGaugesShowThem() throws Exception {
        // 2 slots, queue limit 0: Ollama would answer 503 to the third; vLLM queues it
        SimulatedEngineConfig slow = VLLM.withTiming(Duration.ofMillis(5), Duration.ofMillis(150));
        try (SimulatedEngine fake = SimulatedEngine.start(slow)) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(http.sendAsync(post(fake.baseUri().resolve("/v1/completions"),
                        "{\"model\":\"" + MODEL + "\",\"prompt\":\"x\",\"max_tokens\":6}"), HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> get(fake.baseUri()
                    .resolve("/metrics")).body().contains("vllm:num_requests_waiting{model_name=\"" + MODEL + "\"} 2.0"));
            String metrics = get(fake.baseUri().resolve("/metrics")).body();
            assertThat(metrics).contains("vllm:num_requests_running{model_name=\"" + MODEL + "\"} 2.0")
                    .contains("vllm:num_requests_waiting{model_name=\"" + MODEL + "\"} 2.0")
                    .contains("vllm:kv_cache_usage_perc{model_name=\"" + MODEL + "\"} 1.0");
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                assertThat(c.get().statusCode()).isEqualTo(200);
            }
            assertThat(fake.stats().busy()).isZero();
        }
    }

    @Test
    void perTokenTimeGrowsWithTheSequencesDecodingAtOnce() {
        SimulatedEngineConfig c = VLLM.withTiming(Duration.ofMillis(5), Duration.ofMillis(10)).withBatching(Duration.ofMillis(2));
        assertThat(c.interTokenDelay(1)).isEqualTo(Duration.ofMillis(10));
        assertThat(c.interTokenDelay(2)).isEqualTo(Duration.ofMillis(12));
        assertThat(c.interTokenDelay(33)).isEqualTo(Duration.ofMillis(74));
        assertThat(VLLM.interTokenDelay(50)).isEqualTo(Duration.ofMillis(1)); // no batching term: the plain model
    }
}
