package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("timing")
@Timeout(20)
class SimulatedEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SimulatedEngineConfig FAST = SimulatedEngineConfig.defaults()
            .withTiming(Duration.ofMillis(5), Duration.ofMillis(1)).withTokensPerAnswer(6);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> post(URI uri, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersTheProbesLikeOllama() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            assertThat(fake.baseUri().toString()).startsWith("http://127.0.0.1:");
            assertThat(get(fake.baseUri().resolve("/")).body()).isEqualTo("Ollama is running");
            assertThat(JSON.readTree(get(fake.baseUri().resolve("/api/version")).body()).path("version").asText()).isEqualTo("0.17.1");
            JsonNode tags = JSON.readTree(get(fake.baseUri().resolve("/api/tags")).body());
            assertThat(tags.path("models").get(0).path("name").asText()).isEqualTo("llama3.1:8b");
            JsonNode ps = JSON.readTree(get(fake.baseUri().resolve("/api/ps")).body());
            assertThat(ps.path("models").get(0).path("size_vram").asLong()).isPositive();
            HttpResponse<String> missing = get(fake.baseUri().resolve("/nope"));
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).isEqualTo("404 page not found");
            assertThat(get(fake.generateUri()).statusCode()).isEqualTo(405);
            assertThat(fake.requestsServed()).isZero();
        }
    }

    @Test
    void streamsNdjsonEndingWithDoneAndServerCounts() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            HttpResponse<String> r = post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"hello there\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains("application/x-ndjson");
            String[] lines = r.body().split("\n");
            assertThat(lines).hasSize(7);
            for (int i = 0; i < 6; i++) {
                JsonNode n = JSON.readTree(lines[i]);
                assertThat(n.path("done").asBoolean()).isFalse();
                assertThat(n.path("response").asText()).isNotEmpty();
            }
            JsonNode done = JSON.readTree(lines[6]);
            assertThat(done.path("done").asBoolean()).isTrue();
            assertThat(done.path("done_reason").asText()).isEqualTo("stop");
            assertThat(done.path("eval_count").asLong()).isEqualTo(6);
            assertThat(done.path("eval_duration").asLong()).isEqualTo(6_000_000L);
            assertThat(done.path("prompt_eval_duration").asLong()).isEqualTo(5_000_000L);
            for (String field : List.of("total_duration", "load_duration", "prompt_eval_count")) {
                assertThat(done.has(field)).as(field).isTrue();
            }
            assertThat(done.path("total_duration").asLong()).isGreaterThanOrEqualTo(10_000_000L);
        }
    }

    @Test
    void numPredictCutsTheAnswerAndStreamFalseAnswersOnce() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            HttpResponse<String> r = post(fake.generateUri(),
                    "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":3}}");
            JsonNode n = JSON.readTree(r.body());
            assertThat(n.path("done").asBoolean()).isTrue();
            assertThat(n.path("done_reason").asText()).isEqualTo("length");
            assertThat(n.path("eval_count").asLong()).isEqualTo(3);
            assertThat(n.path("response").asText()).isEqualTo(" The cluster holds");
        }
    }

    @Test
    void openAiChatStreamsSseWithUsageAndDone() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            HttpResponse<String> r = post(fake.baseUri().resolve("/v1/chat/completions"),
                    "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4,"
                            + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
            assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
            List<String> events = new ArrayList<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring(6));
                }
            }
            assertThat(events).hasSize(4 + 1 + 1 + 1);
            assertThat(JSON.readTree(events.get(0)).path("choices").get(0).path("delta").path("content").asText()).isEqualTo(" The");
            assertThat(JSON.readTree(events.get(4)).path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
            assertThat(JSON.readTree(events.get(5)).path("usage").path("completion_tokens").asLong()).isEqualTo(4);
            assertThat(events.get(6)).isEqualTo("[DONE]");
        }
    }

    @Test
    void ollamaChatStreamsMessagesAndAnswersOnceWithStreamFalse() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            URI chat = fake.baseUri().resolve("/api/chat");
            HttpResponse<String> r = post(chat, "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hello there\"}],\"options\":{\"num_predict\":4}}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains("application/x-ndjson");
            String[] lines = r.body().split("\n");
            assertThat(lines).hasSize(5);
            for (int i = 0; i < 4; i++) {
                JsonNode n = JSON.readTree(lines[i]);
                assertThat(n.path("done").asBoolean()).isFalse();
                assertThat(n.path("message").path("role").asText()).isEqualTo("assistant");
                assertThat(n.path("message").path("content").asText()).isNotEmpty();
                assertThat(n.has("response")).isFalse();
            }
            JsonNode done = JSON.readTree(lines[4]);
            assertThat(done.path("done").asBoolean()).isTrue();
            assertThat(done.path("done_reason").asText()).isEqualTo("length");
            assertThat(done.path("message").path("content").asText()).isEmpty();
            assertThat(done.path("eval_count").asLong()).isEqualTo(4);
            assertThat(done.path("prompt_eval_count").asLong()).isPositive();

            JsonNode whole = JSON.readTree(post(chat, "{\"model\":\"llama3.1:8b\",\"stream\":false,"
                    + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}]}").body());
            assertThat(whole.path("done").asBoolean()).isTrue();
            assertThat(whole.path("message").path("content").asText()).startsWith(" The cluster");
            assertThat(whole.path("eval_count").asLong()).isEqualTo(6);

            // Ollama's "load a model" call: no messages, one done line with done_reason "load".
            JsonNode load = JSON.readTree(post(chat, "{\"model\":\"llama3.1:8b\",\"messages\":[]}").body());
            assertThat(load.path("done_reason").asText()).isEqualTo("load");
            HttpResponse<String> bad = post(chat, "{\"model\":\"llama3.1:8b\",\"messages\":\"hi\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).path("error").asText()).startsWith("messages must be an array");
        }
    }

    @Test
    void openAiCompletionsWithoutStreamAnswersOneJson() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            JsonNode n = JSON.readTree(post(fake.baseUri().resolve("/v1/completions"),
                    "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\"}").body());
            assertThat(n.path("object").asText()).isEqualTo("text_completion");
            assertThat(n.path("choices").get(0).path("text").asText()).startsWith(" The cluster");
            assertThat(n.path("usage").path("completion_tokens").asLong()).isEqualTo(6);
        }
    }

    @Test
    void unknownModelIs404AndBadBodyIs400() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            HttpResponse<String> r = post(fake.generateUri(), "{\"model\":\"mistral\",\"prompt\":\"x\"}");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("{\"error\":\"model \\\"mistral\\\" not found, try pulling it first\"}");
            HttpResponse<String> oa = post(fake.baseUri().resolve("/v1/completions"), "{\"model\":\"mistral\",\"prompt\":\"x\"}");
            assertThat(JSON.readTree(oa.body()).path("error").path("message").asText()).contains("not found");
            assertThat(post(fake.generateUri(), "{not json").statusCode()).isEqualTo(400);
            assertThat(post(fake.generateUri(), "{\"prompt\":\"x\"}").body()).isEqualTo("{\"error\":\"model is required\"}");
            SimulatedEngine.Stats s = fake.stats();
            assertThat(s.generateRequests()).isEqualTo(4);
            assertThat(s.modelNotFound()).isEqualTo(2);
            assertThat(s.badRequests()).isEqualTo(2);
        }
    }

    @Test
    void fullQueueAnswers503ServerBusyLikeOllama() throws Exception {
        SimulatedEngineConfig oneSlotNoQueue = SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(1500), Duration.ofMillis(1)).withTokensPerAnswer(2).withParallelism(1, 1);
        try (SimulatedEngine fake = SimulatedEngine.start(oneSlotNoQueue)) {
            String body = "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\"}";
            HttpRequest req = HttpRequest.newBuilder(fake.generateUri()).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            // Ordered by what the server has seen, not by sleeping: the first holds the slot, the second the queue.
            CompletableFuture<HttpResponse<String>> first = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
            awaitStats(fake, st -> st.peakActive() == 1);
            CompletableFuture<HttpResponse<String>> second = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
            awaitStats(fake, st -> st.peakQueued() == 1);
            HttpResponse<String> third = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.body()).isEqualTo("{\"error\":\"server busy, please try again. maximum pending requests exceeded\"}");
            assertThat(first.get().statusCode()).isEqualTo(200);
            assertThat(second.get().statusCode()).isEqualTo(200);
            SimulatedEngine.Stats s = fake.stats();
            assertThat(s.rejectedBusy()).isEqualTo(1);
            assertThat(s.completed()).isEqualTo(2);
            assertThat(s.peakActive()).isEqualTo(1);
            assertThat(s.peakQueued()).isEqualTo(1);
        }
    }

    @Test
    void resetFaultResetsTheConnectionMidStream() throws Exception {
        SimulatedEngineConfig resets = FAST.withFaults(new SimulatedEngineConfig.Faults(0, 1, 0, 0, 0));
        try (SimulatedEngine fake = SimulatedEngine.start(resets)) {
            assertThatThrownBy(() -> post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\"}"))
                    .isInstanceOf(IOException.class)
                    .hasRootCauseMessage("Connection reset");
            assertThat(fake.stats().resets()).isEqualTo(1);
        }
    }

    @Test
    void cutFaultEndsTheStreamWithoutDoneAndGarbageAddsANonJsonLine() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST.withFaults(new SimulatedEngineConfig.Faults(0, 0, 0, 0, 1)))) {
            String body = post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\"}").body();
            assertThat(body.split("\n")).hasSize(3);
            assertThat(body).doesNotContain("\"done\":true");
        }
        try (SimulatedEngine fake = SimulatedEngine.start(FAST.withFaults(new SimulatedEngineConfig.Faults(0, 0, 0, 1, 0)))) {
            String body = post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\"}").body();
            assertThat(body.split("\n")[3]).isEqualTo("<html>502 Bad Gateway</html>");
            assertThat(body).contains("\"done\":true");
        }
    }

    @Test
    void servesKeepAliveRequestsOnOneConnectionAndCountsThem() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            for (int i = 0; i < 5; i++) {
                assertThat(post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\",\"stream\":false}").statusCode()).isEqualTo(200);
            }
            assertThat(fake.requestsServed()).isEqualTo(5);
            assertThat(fake.stats().peakConnections()).isEqualTo(1);
        }
    }

    @Test
    void logsTheSendTimesOfEveryStreamedAnswerOnItsOwnClock() throws Exception {
        java.io.StringWriter log = new java.io.StringWriter();
        SimulatedEngineConfig timed = FAST.withTiming(Duration.ofMillis(40), Duration.ofMillis(10)).withTokensPerAnswer(5);
        try (SimulatedEngine fake = SimulatedEngine.start(timed)) {
            fake.logTimes(log);
            post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\"}");
            post(fake.baseUri().resolve("/v1/completions"), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\",\"stream\":true}");
            post(fake.generateUri(), "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\",\"stream\":false}");
        }
        String[] lines = log.toString().split("\n");
        assertThat(lines).as("one line per streamed answer, none for the unstreamed one").hasSize(2);
        for (String line : lines) {
            long[] f = java.util.Arrays.stream(line.split(" ")).mapToLong(Long::parseLong).toArray();
            assertThat(f).hasSize(4);
            assertThat(f[1] - f[0]).as("first token sent after the 40 ms time to first token").isGreaterThanOrEqualTo(40_000);
            assertThat(f[2] - f[0]).as("4 more tokens, each due 10 ms after the one before").isGreaterThanOrEqualTo(80_000);
            assertThat(f[2]).isGreaterThanOrEqualTo(f[1]);
            assertThat(f[3]).isEqualTo(5);
        }
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> SimulatedEngineConfig.defaults().withParallelism(0, 1))
                .hasMessage("parallel must be at least 1, got 0");
        assertThatThrownBy(() -> new SimulatedEngineConfig.Faults(0.6, 0.6, 0, 0, 0))
                .hasMessage("fault fractions add up to more than 1 (100%)");
        assertThatThrownBy(() -> SimulatedEngineConfig.defaults().withModels(List.of()))
                .hasMessage("models must name at least one model, got []");
    }

    /** Polls the server's counters (bounded at 10 s) instead of guessing with a sleep. */
    private static void awaitStats(SimulatedEngine fake, java.util.function.Predicate<SimulatedEngine.Stats> condition)
            throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> assertThat(condition.test(fake.stats()))
                        .as("server in the expected state: %s", fake.stats().summary()).isTrue());
    }
}
