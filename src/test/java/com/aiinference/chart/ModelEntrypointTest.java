package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ollama container's entrypoint and readiness probe, taken from the rendered scripts ConfigMap and run by
 * /bin/sh against a fake `ollama` command that keeps its state in files: the pull-before-ready sequence, retries,
 * a visible failure when the model cannot be pulled, and SIGTERM handling.
 */
class ModelEntrypointTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String MODEL = "llama3.1:8b";

    /** A fake Ollama CLI: serve, list, pull, run, ps, show; FAKE_PULL = ok | fail | flaky. */
    private static final String FAKE_OLLAMA = """
            #!/bin/sh
            state="$FAKE_STATE"
            case "$1" in
              serve)
                [ "${FAKE_SERVE:-ok}" = crash ] && { echo "Error: listen tcp: address already in use" >&2; exit 1; }
                trap 'echo stopped > "$state/serve"; exit 0' TERM
                echo running > "$state/serve"
                while :; do sleep 0.1; done ;;
              list)
                [ -f "$state/serve" ] && grep -q running "$state/serve" ;;
              pull)
                echo "pull $2" >> "$state/calls"
                case "${FAKE_PULL:-ok}" in
                  fail) echo "Error: pull model manifest: file does not exist" >&2; exit 1 ;;
                  flaky) if [ ! -f "$state/failed-once" ]; then touch "$state/failed-once"; echo "Error: connection reset" >&2; exit 1; fi ;;
                esac
                echo "$2" > "$state/pulled" ;;
              run)
                [ -f "$state/pulled" ] || { echo "Error: model not found" >&2; exit 1; }
                echo "$2" > "$state/loaded" ;;
              ps)
                echo "NAME           ID              SIZE      PROCESSOR    UNTIL"
                [ -f "$state/loaded" ] && echo "$(cat "$state/loaded")    46e0c10c039e    6.9 GB    100% GPU     Forever" ;;
              show)
                [ -f "$state/pulled" ] && [ "$(cat "$state/pulled")" = "$2" ] ;;
              *) exit 2 ;;
            esac
            """;

    @TempDir
    Path work;

    private Path scripts;
    private Path state;
    private Path fakeOllama;
    private Path terminationLog;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void writeScripts() throws IOException {
        var data = ChartScenarios.configMap(ChartScenarios.render("default"), "scripts").getData();
        scripts = Files.createDirectories(work.resolve("scripts"));
        Files.writeString(scripts.resolve("entrypoint.sh"), data.get("entrypoint.sh"));
        Files.writeString(scripts.resolve("model-ready.sh"), data.get("model-ready.sh"));
        state = Files.createDirectories(work.resolve("state"));
        fakeOllama = work.resolve("ollama");
        Files.writeString(fakeOllama, FAKE_OLLAMA);
        Files.setPosixFilePermissions(fakeOllama, PosixFilePermissions.fromString("rwxr-xr-x"));
        terminationLog = work.resolve("termination-log");
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : started) {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void pullsAndLoadsTheModelBeforeReadyThenStopsOnSigterm() throws Exception {
        Process entrypoint = entrypoint(Map.of());
        awaitReady(entrypoint);
        assertThat(Files.readString(state.resolve("calls"))).isEqualTo("pull " + MODEL + "\n");
        assertThat(Files.readString(state.resolve("loaded")).strip()).isEqualTo(MODEL);

        entrypoint.destroy(); // SIGTERM, as the kubelet sends it
        assertThat(entrypoint.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(entrypoint.exitValue()).isZero();
        assertThat(Files.readString(state.resolve("serve")).strip()).as("ollama serve got the signal").isEqualTo("stopped");
        assertThat(output(entrypoint)).contains("ai-inference: model llama3.1:8b pulled and loaded; serving");
    }

    @Test
    void aModelUnloadedWhileServingIsLoadedAgainAndReadinessRecovers() throws Exception {
        Process entrypoint = entrypoint(Map.of("AI_INFERENCE_WATCH_SECONDS", "1"));
        awaitReady(entrypoint);
        assertThat(probe(List.of(), Map.of())).isZero();

        Files.delete(state.resolve("loaded")); // what {"keep_alive": 0} or a crashed runner leaves behind
        assertThat(probe(List.of(), Map.of())).as("readiness judges: not loaded").isEqualTo(1);
        awaitReady(entrypoint);
        assertThat(probe(List.of(), Map.of())).isZero();
        assertThat(output(entrypoint)).contains("ai-inference: model llama3.1:8b is no longer loaded; loading it again")
                .contains("ai-inference: model llama3.1:8b loaded again");
        assertThat(Files.readString(state.resolve("serve")).strip()).isEqualTo("running");
    }

    @Test
    void withAFiniteKeepAliveAnIdleUnloadIsLeftToOllama() throws Exception {
        Process entrypoint = entrypoint(Map.of("AI_INFERENCE_WATCH_SECONDS", "1", "AI_INFERENCE_REQUIRE_LOADED", "false"));
        awaitReady(entrypoint);
        Files.delete(state.resolve("loaded"));
        // Two watch periods pass without a reload: Ollama loads the model again on the next request.
        Awaitility.await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(state.resolve("loaded")));
        assertThat(probe(List.of(), Map.of("AI_INFERENCE_REQUIRE_LOADED", "false"))).as("ready: on disk").isZero();
        assertThat(output(entrypoint)).doesNotContain("loading it again");
    }

    @Test
    void aModelThatCannotBePulledEndsTheContainerWithTheReason() throws Exception {
        Process entrypoint = entrypoint(Map.of("FAKE_PULL", "fail", "AI_INFERENCE_PULL_ATTEMPTS", "2"));
        assertThat(entrypoint.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(entrypoint.exitValue()).isEqualTo(1);
        String reason = "pulling model llama3.1:8b failed after 2 attempts; check model.name and the node's egress to registry.ollama.ai";
        assertThat(Files.readString(terminationLog).strip()).isEqualTo(reason);
        assertThat(output(entrypoint))
                .contains("Error: pull model manifest: file does not exist")
                .contains("pulling model llama3.1:8b failed (attempt 1 of 2); retrying")
                .contains(reason);
        assertThat(Files.readAllLines(state.resolve("calls"))).hasSize(2);
        assertThat(Files.readString(state.resolve("serve")).strip()).as("the server is stopped too").isEqualTo("stopped");
        assertThat(probe(List.of("--loaded"), Map.of())).isEqualTo(1);
    }

    @Test
    void aFailedPullIsRetried() throws Exception {
        Process entrypoint = entrypoint(Map.of("FAKE_PULL", "flaky"));
        awaitReady(entrypoint);
        assertThat(Files.readAllLines(state.resolve("calls"))).hasSize(2);
        assertThat(output(entrypoint)).contains("(attempt 1 of 3); retrying in 0s");
    }

    @Test
    void aServerThatCrashesIsReported() throws Exception {
        Process entrypoint = entrypoint(Map.of("FAKE_SERVE", "crash"));
        assertThat(entrypoint.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(entrypoint.exitValue()).isEqualTo(1);
        assertThat(Files.readString(terminationLog).strip())
                .isEqualTo("ollama serve exited before it answered; see the log above");
    }

    @Test
    void readinessWithAFiniteKeepAliveNeedsTheModelOnDiskOnly() throws Exception {
        Files.writeString(state.resolve("pulled"), MODEL + "\n");
        assertThat(probe(List.of(), Map.of("AI_INFERENCE_REQUIRE_LOADED", "false"))).isZero();
        assertThat(probe(List.of(), Map.of("AI_INFERENCE_REQUIRE_LOADED", "true"))).isEqualTo(1);
        assertThat(probe(List.of("--loaded"), Map.of("AI_INFERENCE_REQUIRE_LOADED", "false"))).isEqualTo(1);
        assertThat(probe(List.of(), Map.of("AI_INFERENCE_REQUIRE_LOADED", "false", "AI_INFERENCE_MODEL", "other:7b")))
                .as("another model on disk is not this model").isEqualTo(1);
        Files.writeString(state.resolve("loaded"), "llama3.1:8b-instruct\n");
        assertThat(probe(List.of("--loaded"), Map.of())).as("a prefix is not a match").isEqualTo(1);
        Files.writeString(state.resolve("loaded"), MODEL + "\n");
        assertThat(probe(List.of("--loaded"), Map.of())).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------

    private Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("FAKE_STATE", state.toString());
        env.put("AI_INFERENCE_OLLAMA_BIN", fakeOllama.toString());
        env.put("AI_INFERENCE_MODEL", MODEL);
        env.put("AI_INFERENCE_PULL_RETRY_SECONDS", "0");
        env.put("AI_INFERENCE_SERVER_START_SECONDS", "10");
        env.put("AI_INFERENCE_TERMINATION_LOG", terminationLog.toString());
        env.putAll(overrides);
        return env;
    }

    private Process entrypoint(Map<String, String> overrides) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", scripts.resolve("entrypoint.sh").toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("entrypoint.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(env(overrides));
        Process p = builder.start();
        started.add(p);
        return p;
    }

    private int probe(List<String> args, Map<String, String> overrides) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/sh", scripts.resolve("model-ready.sh").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env(overrides));
        Process p = builder.start();
        assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** Polls the startup probe the way the kubelet would, failing if the entrypoint dies first. */
    private void awaitReady(Process entrypoint) throws Exception {
        await("ready").atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(entrypoint.isAlive()).as("entrypoint exited: %s", output(entrypoint)).isTrue();
            return probe(List.of("--loaded"), Map.of()) == 0;
        });
    }

    private String output(Process entrypoint) throws IOException {
        return Files.readString(work.resolve("entrypoint.log"), StandardCharsets.UTF_8);
    }
}
