package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The quick start with {@code apiKeys} set: the gateway (here the simulator's front) answers 401 without the key, and
 * {@code verify} takes the key from the stack's secret {@code apiKey} output, reaches VERIFIED, and never prints it.
 */
@Timeout(90)
class ApiKeyQuickStartTest {
    private static final String KEY = "k3y-for-the-quick-start-0123456789";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void verifyCarriesTheStacksKeyToVerifiedAndWithoutItEveryRequestIsRefused() throws Exception {
        Path outputs = dir.resolve("sim.json");
        Path keyFile = dir.resolve("key.txt");
        Files.writeString(keyFile, KEY + "\n");
        CommandLine cl = Main.commandLine();
        StringWriter simOut = new StringWriter();
        cl.setOut(new PrintWriter(simOut, true));
        SimulateClusterCommand sim = (SimulateClusterCommand) cl.getSubcommands().get("simulate").getSubcommands()
                .get("cluster").getCommand();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> cl.execute("simulate", "cluster",
                "--outputs", outputs.toString(), "--replicas", "2", "--tokens", "8", "--ttft", "5ms", "--itl", "2ms",
                "--api-key-file", keyFile.toString(), "--max-duration", "80s"));
        try {
            assertThat(sim.started.await(30, TimeUnit.SECONDS)).as(simOut.toString()).isTrue();
            JsonNode o = new ObjectMapper().readTree(outputs.toFile());
            assertThat(o.path("apiKey").asText()).as("the secret output, as --show-secrets prints it").isEqualTo(KEY);

            // The quick start's verify, nothing about the key on its command line.
            Path md = dir.resolve("verify.md");
            Path json = dir.resolve("verify.json");
            Run verified = run("verify", "--outputs", outputs.toString(), "--users", "4", "--duration", "1s", "--quiet",
                    "--report-md", md.toString(), "--report-json", json.toString());
            assertThat(verified.exit()).as(verified.err()).isZero();
            assertThat(verified.out()).contains("**VERIFIED**");
            assertThat(verified.out() + verified.err() + Files.readString(md) + Files.readString(json)).doesNotContain(KEY);

            // The same key from a file given explicitly (loadtest against the endpoint).
            Run loadtest = run("loadtest", "--url", o.path("endpoint").asText(), "--api-key-file", keyFile.toString(),
                    "--users", "2", "--duration", "1s", "--quiet");
            assertThat(loadtest.exit()).as(loadtest.err()).isZero();
            assertThat(loadtest.out() + loadtest.err()).doesNotContain(KEY);

            // Without the key (outputs of a stack that does not export it) the pre-flight request gets the gateway's 401.
            ObjectNode without = (ObjectNode) o.deepCopy();
            without.remove("apiKey");
            Path noKey = dir.resolve("no-key.json");
            Files.writeString(noKey, without.toString());
            Run refused = run("loadtest", "--outputs", noKey.toString(), "--users", "2", "--duration", "1s", "--quiet");
            assertThat(refused.exit()).isEqualTo(2);
            assertThat(refused.err()).contains("401");

            Run badEnv = run("loadtest", "--outputs", noKey.toString(), "--api-key-env", "AI_INFERENCE_TEST_UNSET_KEY_VAR",
                    "--users", "2", "--duration", "1s", "--quiet");
            assertThat(badEnv.exit()).isEqualTo(2);
            assertThat(badEnv.err()).contains("--api-key-env AI_INFERENCE_TEST_UNSET_KEY_VAR: the environment variable is not set");
        } finally {
            sim.stop.countDown();
        }
        assertThat(running.get(20, TimeUnit.SECONDS)).isZero();
    }
}
