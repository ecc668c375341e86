package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.aiinference.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Tag("timing")
@Timeout(30)
class SimulateEngineCommandTest {

    @Test
    void servesInTheForegroundAndStopsByItselfAfterMaxDuration() throws Exception {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        long t0 = System.nanoTime();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("simulate", "ollama", "--port", "0",
                "--max-duration", "4s", "--tokens", "3", "--ttft", "10ms", "--itl", "1ms"));
        Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> listening.matcher(out.toString()).find());
        Matcher m = listening.matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        URI base = URI.create(m.group(1));
        // A plain socket, not the JDK HttpClient: a cold client can take seconds to start on a loaded machine.
        String body = "{\"model\":\"llama3.1:8b\",\"prompt\":\"x\",\"stream\":false}";
        String answer;
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.getOutputStream().write(("POST /api/generate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("\"eval_count\":3");
        assertThat(exit.get()).isZero();
        assertThat(System.nanoTime() - t0).isBetween(3_900_000_000L, 20_000_000_000L);
        assertThat(out.toString()).contains(
                "fake Ollama listening on " + base + " (models llama3.1:8b; 3 tokens, ttft 10ms, itl 1ms, parallel 8, queue 512)",
                "endpoint: " + base + "/api/generate", "stops after 4s or on Ctrl-C",
                "stopped: 1 generate requests: 1 completed, 0 busy (503)");
    }

    @Test
    void badSettingsAreUsageErrors() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("simulate", "server", "--port", "0", "--busy-rate", "60%", "--reset-rate", "50%")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("simulate server: fault fractions add up to more than 1 (100%)");
    }
}
