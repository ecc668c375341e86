package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aiinference.testing.MainProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official JavaScript clients from npm ({@code ollama}'s {@code chat()}, {@code openai}'s
 * {@code chat.completions.create}), streamed and not, against {@code simulate ollama} in its own JVM on 127.0.0.1:
 * the simulator's chat routes must be what those clients read from the real servers. The scripts and the pinned
 * packages are in src/test/js ({@code npm ci} there, as .ci/install does); without node or the packages this skips.
 */
@Timeout(120)
class OfficialClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JS = Path.of(System.getProperty("project.basedir", "."), "src", "test", "js");
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
    private static final String MODEL = "llama3.1:8b";

    @TempDir
    Path dir;

    @BeforeEach
    void needsNodeAndThePackages() {
        assumeTrue(runs("node", "--version"), "node is not on the PATH: the official-client checks are skipped");
        for (String pkg : List.of("ollama", "openai")) {
            assumeTrue(Files.isRegularFile(JS.resolve("node_modules").resolve(pkg).resolve("package.json")),
                    "npm package '" + pkg + "' is not installed in " + JS + " (run `npm ci` there):"
                            + " the official-client checks are skipped");
        }
    }

    @Test
    void ollamaClientsChatStreamedAndWholeAgainstSimulateOllama() throws Exception {
        try (MainProcess sim = simulate("ollama")) {
            String base = baseUrl(sim);
            JsonNode got = node(sim, "ollama-chat.mjs", base);
            JsonNode whole = got.path("whole");
            assertThat(whole.path("role").asText()).isEqualTo("assistant");
            assertThat(whole.path("content").asText()).isEqualTo(" The cluster holds fifty users");
            assertThat(whole.path("done").asBoolean()).isTrue();
            assertThat(whole.path("doneReason").asText()).isEqualTo("length");
            assertThat(whole.path("evalCount").asInt()).isEqualTo(5);
            assertThat(whole.path("promptEvalCount").asInt()).isPositive();
            JsonNode stream = got.path("stream");
            assertThat(stream.path("parts").asInt()).as("8 token lines and the done line").isEqualTo(9);
            assertThat(stream.path("content").asText()).isEqualTo(" The cluster holds fifty users on ten replicas");
            assertThat(stream.path("done").asBoolean()).isTrue();
            assertThat(stream.path("doneReason").asText()).isEqualTo("stop");
            assertThat(stream.path("evalCount").asInt()).isEqualTo(8);

            assertOpenAiChat(node(sim, "openai-chat.mjs", base + "/v1"));
        }
    }

    @Test
    void openAiClientsChatStreamedAndWholeAgainstSimulatedVllm() throws Exception {
        try (MainProcess sim = simulate("vllm")) {
            assertOpenAiChat(node(sim, "openai-chat.mjs", baseUrl(sim) + "/v1"));
        }
    }

    private static void assertOpenAiChat(JsonNode got) {
        JsonNode whole = got.path("whole");
        assertThat(whole.path("object").asText()).isEqualTo("chat.completion");
        assertThat(whole.path("role").asText()).isEqualTo("assistant");
        assertThat(whole.path("content").asText()).isEqualTo(" The cluster holds fifty users");
        assertThat(whole.path("finishReason").asText()).isEqualTo("length");
        assertThat(whole.path("completionTokens").asInt()).isEqualTo(5);
        JsonNode stream = got.path("stream");
        assertThat(stream.path("deltas").asInt()).isEqualTo(8);
        assertThat(stream.path("content").asText()).isEqualTo(" The cluster holds fifty users on ten replicas");
        assertThat(stream.path("finishReason").asText()).isEqualTo("stop");
        assertThat(stream.path("completionTokens").asInt()).isEqualTo(8);
        assertThat(stream.path("promptTokens").asInt()).isPositive();
    }

    private MainProcess simulate(String engine) throws IOException {
        return MainProcess.start(dir, "simulate", "ollama", "--engine", engine, "--port", "0", "--model", MODEL,
                "--tokens", "8", "--ttft", "5ms", "--itl", "1ms", "--max-duration", "90s");
    }

    private static String baseUrl(MainProcess sim) throws InterruptedException {
        sim.awaitWhileAlive(() -> LISTENING.matcher(sim.out()).find(), 60, "'listening on' line");
        Matcher m = LISTENING.matcher(sim.out());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** Runs one script with node (bounded) and returns the JSON line it printed; fails with its stderr otherwise. */
    private JsonNode node(MainProcess sim, String script, String url) throws Exception {
        Path out = dir.resolve(script + ".out");
        Path err = dir.resolve(script + ".err");
        Process p = new ProcessBuilder("node", script, url, MODEL).directory(JS.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(ended).as("node %s ended within 60 s; stderr:%n%s", script, stderr).isTrue();
            assertThat(p.exitValue()).as("node %s exit code; stderr:%n%s%nsimulator:%n%s", script, stderr, sim.err())
                    .isZero();
            return JSON.readTree(Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
