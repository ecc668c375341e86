package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.aiinference.Main;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.loadtest.traffic.Dialogue;
import com.aiinference.loadtest.traffic.Message;
import com.aiinference.loadtest.traffic.Turn;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Traffic that looks like users, end to end: {@code loadtest} with lengths in tokens, conversations and a shared
 * prefix against the simulator, whose prefill time grows with the prompt and whose vLLM mode caches prefixes.
 */
@Timeout(90)
class TrafficCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fast answers whose time to first token is mostly prefill: 0.2 ms per prompt token. */
    private static final SimulatedEngineConfig FAST = SimulatedEngineConfig.defaults()
            .withTiming(Duration.ofMillis(2), Duration.ofMillis(1)).withTokensPerAnswer(64)
            .withPrefill(Duration.ofNanos(200_000));

    @TempDir
    Path dir;

    private record Run(int code, String out, String err, JsonNode load) {}

    private Run loadtest(String... args) throws Exception {
        Path report = dir.resolve("r" + System.nanoTime() + ".json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("loadtest"));
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("sweep")) {
            all.add(rest.remove(0));
        }
        all.addAll(List.of("--quiet", "--report-json", report.toString()));
        all.addAll(rest);
        int code = cl.execute(all.toArray(String[]::new));
        JsonNode load = Files.exists(report) ? JSON.readTree(report.toFile()).path("load") : null;
        return new Run(code, out.toString(), err.toString(), load);
    }

    @Test
    void lengthsInTokensAreCalibratedOnThePreflightAndReportedBesideTheServersCounts() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST)) {
            Run r = loadtest("--url", fake.baseUri().toString(), "--users", "4", "--duration", "600ms",
                    "--input-tokens", "uniform:100:300", "--output-tokens", "uniform:8:16");
            assertThat(r.code()).as(r.err()).isZero();
            // The simulator counts a token per 4 characters (rounded up): the ratio the pre-flight's count gives.
            assertThat(r.err()).containsPattern("loadtest: (3\\.9\\d|4\\.00) characters per token, from the server's count of"
                    + " the pre-flight prompt \\([\\d,]+ tokens for [\\d,]+ characters\\)");
            JsonNode t = r.load().path("traffic");
            assertThat(t.path("workload").asText()).contains("input uniform:100:300 tokens", "output uniform:8:16 tokens");
            assertThat(t.path("input_asked").path("count").asLong()).isEqualTo(r.load().path("requests").path("succeeded").asLong());
            assertThat(t.path("input_asked").path("mean").asDouble()).isBetween(150.0, 250.0);
            assertThat(t.path("input_server").path("mean").asDouble())
                    .isCloseTo(t.path("input_asked").path("mean").asDouble(), within(3.0));
            assertThat(t.path("input_server").path("p95").asDouble()).isLessThanOrEqualTo(302);
            assertThat(t.path("output_server").path("mean").asDouble())
                    .isCloseTo(t.path("output_asked").path("mean").asDouble(), within(0.01));
            assertThat(t.path("output_server").path("p95").asDouble()).isBetween(8.0, 16.0);
            assertThat(t.has("cached_tokens")).as("Ollama gives no cached-token count").isTrue();
            assertThat(t.path("cached_tokens").isNull()).isTrue();
            assertThat(r.out()).contains("### Traffic: 1 prompt (sequential), input uniform:100:300 tokens",
                    "| input tokens, server count |");
        }
    }

    @Test
    void conversationsGrowTurnByTurnAndTheirTtftGrowsWithTheContext() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST.withTokensPerAnswer(8))) {
            Path html = dir.resolve("turns.html");
            Run r = loadtest("--url", fake.baseUri().toString(), "--api", "ollama-chat", "--users", "3", "--duration", "1500ms",
                    "--turns", "3", "--think-time", "10ms", "--input-tokens", "150", "--output-tokens", "8",
                    "--report-html", html.toString());
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode turns = r.load().path("traffic").path("turns");
            assertThat(turns).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(turns.get(i).path("turn").asInt()).isEqualTo(i + 1);
                assertThat(turns.get(i).path("count").asLong()).isPositive();
            }
            double in1 = turns.get(0).path("input_tokens_mean").asDouble();
            double in3 = turns.get(2).path("input_tokens_mean").asDouble();
            assertThat(in1).isCloseTo(150, within(5.0));
            assertThat(turns.get(1).path("input_tokens_mean").asDouble()).isGreaterThan(in1 + 150);
            assertThat(in3).isGreaterThan(turns.get(1).path("input_tokens_mean").asDouble() + 150);
            // 0.2 ms of prefill per prompt token: turn 3's TTFT is longer by about 0.2 ms per token of context it adds.
            double grew = turns.get(2).path("ttft_p50_ms").asDouble() - turns.get(0).path("ttft_p50_ms").asDouble();
            assertThat(grew).isGreaterThan(0.5 * 0.2 * (in3 - in1));
            assertThat(r.out()).contains("### Conversations: per turn", "| turn | requests | TTFT p50 | TTFT p95 |");
            assertThat(Files.readString(html)).contains("<h2>Conversations: per turn</h2>", "<h2>Traffic: 1 prompt (sequential)");
        }
    }

    @Test
    void inputLengthMovesTtftAndNotTheDecode() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(FAST.withTokensPerAnswer(8))) {
            Run shortPrompts = loadtest("--url", fake.baseUri().toString(), "--users", "2", "--duration", "600ms",
                    "--input-tokens", "50");
            Run longPrompts = loadtest("--url", fake.baseUri().toString(), "--users", "2", "--duration", "600ms",
                    "--input-tokens", "800");
            assertThat(shortPrompts.code()).as(shortPrompts.err()).isZero();
            assertThat(longPrompts.code()).as(longPrompts.err()).isZero();
            double ttftGrew = longPrompts.load().path("ttft_ms").path("p50").asDouble()
                    - shortPrompts.load().path("ttft_ms").path("p50").asDouble();
            assertThat(ttftGrew).as("750 more tokens at 0.2 ms each").isBetween(120.0, 200.0);
            assertThat(longPrompts.load().path("tpot_ms").path("p50").asDouble())
                    .isCloseTo(shortPrompts.load().path("tpot_ms").path("p50").asDouble(), within(3.0));
        }
    }

    @Test
    void aSharedPrefixComesFromVllmsPrefixCacheAndCutsTtft() throws Exception {
        SimulatedEngineConfig small = FAST.withTokensPerAnswer(4);
        try (SimulatedEngine vllm = SimulatedEngine.start(small.withEngine(SimulatedEngineConfig.Engine.VLLM));
             SimulatedEngine ollama = SimulatedEngine.start(small)) {
            String[] args = {"--api", "openai-chat", "--users", "2", "--duration", "600ms", "--shared-prefix-tokens", "400",
                    "--input-tokens", "40"};
            Path requests = dir.resolve("requests.jsonl");
            Run cached = loadtest(concat(args, "--url", vllm.baseUri().toString(), "--save-requests", requests.toString()));
            Run uncached = loadtest(concat(args, "--url", ollama.baseUri().toString()));
            assertThat(cached.code()).as(cached.err()).isZero();
            assertThat(uncached.code()).as(uncached.err()).isZero();
            JsonNode t = cached.load().path("traffic");
            assertThat(t.path("cached_tokens").asLong()).isPositive();
            assertThat(t.path("cached_share").asDouble()).as("the 400-token prefix of ~440").isGreaterThan(0.75);
            assertThat(uncached.load().path("traffic").path("cached_tokens").isNull()).isTrue();
            assertThat(cached.out()).contains("| input tokens from the prefix cache |", "| share of input tokens from the prefix cache |");
            assertThat(t.path("cached").path("p50").asDouble()).isGreaterThan(300);
            JsonNode line = JSON.readTree(Files.readAllLines(requests).get(0));
            assertThat(line.path("turn").asInt()).isEqualTo(1);
            assertThat(line.path("cached_tokens").asLong()).isPositive();
            double saved = uncached.load().path("ttft_ms").path("p50").asDouble()
                    - cached.load().path("ttft_ms").path("p50").asDouble();
            assertThat(saved).as("about 380 cached tokens at 0.2 ms").isGreaterThan(50);
        }
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void replaysConversationFilesOnEveryApi() throws Exception {
        Path conv = dir.resolve("conv.jsonl");
        Files.writeString(conv, "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\","
                + " \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}, {\"role\": \"user\", \"content\":"
                + " \"Name a colour.\"}]}\n");
        try (SimulatedEngine fake = SimulatedEngine.start(FAST.withTokensPerAnswer(4))) {
            for (String api : List.of("ollama", "ollama-chat", "openai-chat", "openai-completions")) {
                Run r = loadtest("--url", fake.baseUri().toString(), "--api", api, "--users", "1", "--duration", "300ms",
                        "--prompts", conv.toString());
                assertThat(r.code()).as(api + ": " + r.err()).isZero();
                assertThat(r.load().path("traffic").path("input_server").path("mean").asDouble()).as(api).isPositive();
            }
        }
        Turn turn = new Turn(1, new Dialogue(List.of(new Message("system", "Be brief."), Message.user("Hi"))).messages(), 7, 3);
        LoadTestConfig generate = LoadTestConfig.builder().api(Api.OLLAMA).build();
        assertThat(new String(LoadTestRunner.requestBody(generate, turn))).isEqualTo("{\"model\":\"llama3.1:8b\",\"prompt\":"
                + "\"System: Be brief.\\n\\nUser: Hi\\n\\nAssistant:\",\"stream\":true,\"options\":{\"num_predict\":7}}");
        LoadTestConfig chat = LoadTestConfig.builder().api(Api.OLLAMA_CHAT).build();
        assertThat(new String(LoadTestRunner.requestBody(chat, turn))).isEqualTo("{\"model\":\"llama3.1:8b\",\"messages\":"
                + "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,"
                + "\"options\":{\"num_predict\":7}}");
    }

    @Test
    void badTrafficOptionsAreOneLineUsageErrors() throws Exception {
        String url = "http://127.0.0.1:9";
        Run rate = loadtest("--url", url, "--rate", "5", "--turns", "3");
        assertThat(rate.code()).isEqualTo(2);
        assertThat(rate.err().strip()).isEqualTo("loadtest: --turns holds conversations, which need users (--users), not --rate");
        Run zero = loadtest("--url", url, "--input-tokens", "uniform:0:5");
        assertThat(zero.err().strip()).isEqualTo("loadtest: --input-tokens uniform:0:5 can draw less than 1 token");
        Run order = loadtest("--url", url, "--prompt-order", "shuffled");
        assertThat(order.code()).isEqualTo(2);
        // A value picocli refuses is its one line, then the project's usage hint (as for --api).
        assertThat(order.err().lines().toList()).containsExactly(
                "loadtest: Invalid value for option '--prompt-order': 'shuffled' must be sequential or random",
                "Try 'ai-inference loadtest --help' for more information.");
        Run workers = loadtest("--url", url, "--workers", "2", "--turns", "2");
        assertThat(workers.code()).isEqualTo(2);
        assertThat(workers.err().strip()).startsWith("loadtest: --prompt-order, --input-tokens,").endsWith("cannot be"
                + " combined with --workers or --in-cluster");
        Run sweep = loadtest("sweep", "--url", url, "--rates", "1,2", "--turns", "2");
        assertThat(sweep.code()).isEqualTo(2);
        assertThat(sweep.err().strip()).isEqualTo("loadtest sweep: --turns holds conversations, which need users (--users), not --rate");
        Path share = dir.resolve("sharegpt.json");
        Files.writeString(share, "[{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}]}, {\"conversations\": 3}]");
        Run bad = loadtest("--url", url, "--prompts", share.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("loadtest: --prompts " + share + " entry 2 has no \"conversations\" array")
                .doesNotContain("\n");
    }
}
