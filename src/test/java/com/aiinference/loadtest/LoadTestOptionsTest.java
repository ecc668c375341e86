package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.cli.CliException;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LoadTestOptionsTest {

    private static LoadTestOptions parse(String... args) {
        LoadTestOptions o = new LoadTestOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void defaultsAreTheSeedsRun() {
        LoadTestConfig c = parse().toConfig();
        assertThat(c.load()).isEqualTo(new LoadShape.ClosedLoop(50, Duration.ZERO));
        assertThat(c.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.api()).isEqualTo(Api.OLLAMA);
        assertThat(c.stream()).isTrue();
        assertThat(c.model()).isEqualTo("llama3.1:8b");
        assertThat(c.maxRunTime()).isEqualTo(Duration.ofSeconds(180));
        assertThat(parse().toConfig("qwen2.5:7b").model()).isEqualTo("qwen2.5:7b");
        assertThat(parse("--model", "m").toConfig("qwen2.5:7b").model()).isEqualTo("m");
    }

    @Test
    void promptsFileTakesLinesAndJsonl(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("prompts.txt");
        Files.writeString(f, "Why is the sky blue?\n\n{\"prompt\": \"Summarise \\\"Dune\\\".\"}\n{\"text\": \"Count to five.\"}\n");
        assertThat(parse("--prompts", f.toString()).toConfig().prompts())
                .containsExactly("Why is the sky blue?", "Summarise \"Dune\".", "Count to five.");
        Files.writeString(f, "{\"prompt\": 1\n");
        assertThatThrownBy(() -> parse("--prompts", f.toString()).toConfig()).isInstanceOf(CliException.class)
                .hasMessage("--prompts " + f + " line 1 starts with '{' but is not valid JSON");
        Files.writeString(f, "\n\n");
        assertThatThrownBy(() -> parse("--prompts", f.toString()).toConfig()).hasMessage("--prompts " + f + " has no prompts");
        assertThatThrownBy(() -> parse("--prompts", f.toString(), "--prompt", "x"))
                .isInstanceOf(CommandLine.MutuallyExclusiveArgsException.class)
                .hasMessage("Error: --prompt=TEXT, --prompts=FILE are mutually exclusive (specify only one)");
        assertThat(parse("--prompt", "a", "--prompt", "b").toConfig().prompts()).containsExactly("a", "b");
    }

    @Test
    void requestBodiesFollowEachApi() {
        LoadTestConfig ollama = parse("--max-tokens", "64").toConfig();
        assertThat(new String(LoadTestRunner.requestBody(ollama, "hi")))
                .isEqualTo("{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"stream\":true,\"options\":{\"num_predict\":64}}");
        LoadTestConfig chat = parse("--api", "openai-chat", "--max-tokens", "64").toConfig();
        assertThat(new String(LoadTestRunner.requestBody(chat, "hi"))).isEqualTo(
                "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":64,"
                        + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        LoadTestConfig completions = parse("--api", "openai-completions", "--no-stream", "--max-tokens", "0").toConfig();
        assertThat(new String(LoadTestRunner.requestBody(completions, "hi")))
                .isEqualTo("{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"stream\":false}");
    }

    @Test
    void rampUpLongerThanTheRunIsRefused() {
        assertThatThrownBy(() -> parse("--ramp-up", "2m", "--duration", "60").toConfig())
                .hasMessage("--ramp-up 2m is longer than the whole run (--warmup + --duration = 60s)");
    }

    @Test
    void targetPathFollowsTheApi() {
        assertThat(TargetResolver.forApi(java.net.URI.create("http://10.0.0.1:8000"), Api.OPENAI_CHAT, true, "--url"))
                .hasToString("http://10.0.0.1:8000/v1/chat/completions");
        assertThat(TargetResolver.forApi(java.net.URI.create("http://10.0.0.1:8000/api/generate"), Api.OPENAI_COMPLETIONS, false, "endpoint"))
                .hasToString("http://10.0.0.1:8000/v1/completions");
        assertThat(TargetResolver.forApi(java.net.URI.create("http://gw/ollama/api/generate"), Api.OLLAMA, true, "--url"))
                .hasToString("http://gw/ollama/api/generate");
        assertThat(TargetResolver.isLocal(java.net.URI.create("http://localhost:8000"))).isTrue();
        assertThat(TargetResolver.isLocal(java.net.URI.create("http://127.0.0.2:8000"))).isTrue();
        assertThat(TargetResolver.isLocal(java.net.URI.create("http://34.1.2.3:8000"))).isFalse();
    }
}
