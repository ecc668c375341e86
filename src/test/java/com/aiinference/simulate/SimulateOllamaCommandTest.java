package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Tag("timing")
@Timeout(30)
class SimulateOllamaCommandTest {

    @Test
    void servesInTheForegroundAndStopsByItselfAfterMaxDuration() throws Exception {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        long t0 = System.nanoTime();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("simulate", "ollama", "--port", "0",
                "--max-duration", "1500ms", "--tokens", "3", "--ttft", "10ms", "--itl", "1ms"));
        URI base = null;
        for (int i = 0; i < 200 && base == null; i++) {
            Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(out.toString());
            if (m.find()) {
                base = URI.create(m.group(1));
            } else {
                Thread.sleep(10);
            }
        }
        assertThat(base).as(out.toString()).isNotNull();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.1:8b\",\"prompt\":\"x\",\"stream\":false}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).contains("\"eval_count\":3");
        assertThat(exit.get()).isZero();
        assertThat(System.nanoTime() - t0).isBetween(1_400_000_000L, 10_000_000_000L);
        assertThat(out.toString()).contains(
                "fake Ollama listening on " + base + " (models llama3.1:8b; 3 tokens, ttft 10ms, itl 1ms, parallel 8, queue 512)",
                "endpoint: " + base + "/api/generate", "stops after 1.5s or on Ctrl-C",
                "stopped: 1 generate requests: 1 completed, 0 busy (503)");
    }

    @Test
    void badSettingsAreUsageErrors() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("simulate", "ollama", "--port", "0", "--busy-rate", "60%", "--reset-rate", "50%")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("ollama: fault fractions add up to more than 1 (100%)");
    }
}
