package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pre-flight request goes through the run's own client: a good answer gives its latency and first token, and
 * each way a target can be wrong is one line naming it, against servers on 127.0.0.1 that answer exactly so.
 */
@Timeout(60)
class PreflightTest {
    private static LoadTestConfig.Builder config() {
        return LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).users(1).maxTokens(0);
    }

    @Test
    void aGoodStreamedAnswerGivesItsLatencyFirstTokenAndTokens() {
        SimulatedEngineConfig timed = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(40), Duration.ofMillis(5))
                .withTokensPerAnswer(6);
        try (SimulatedEngine fake = SimulatedEngine.start(timed)) {
            Preflight.Answer a = Preflight.check(config().build(), fake.generateUri());
            assertThat(a.ttftMs()).isGreaterThanOrEqualTo(38);
            // The fake's tokens are due on its own clock (40 ms, then every 5 ms to 65 ms): a first token written late
            // on a busy machine lets the others follow at once, so only the schedule's end bounds the latency.
            assertThat(a.latencyMs()).isGreaterThanOrEqualTo(Math.max(a.ttftMs(), 60));
            assertThat(a.outputTokens()).isEqualTo(6);
            assertThat(fake.requestsServed()).isEqualTo(1);
        }
    }

    @Test
    void aWholeAnswerHasNoFirstToken() {
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults())) {
            Preflight.Answer a = Preflight.check(config().stream(false).build(), fake.generateUri());
            assertThat(a.ttftMs()).isNaN();
            assertThat(a.latencyMs()).isPositive();
        }
    }

    @Test
    void nothingListeningIsConnectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI target = URI.create("http://127.0.0.1:" + port + "/api/generate");
        assertThatThrownBy(() -> Preflight.check(config().build(), target))
                .isInstanceOf(Preflight.PreflightException.class)
                .hasMessage("pre-flight request to " + target + " failed: connection refused (nothing was measured;"
                        + " --no-preflight skips this check)");
    }

    @Test
    void aServerThatNeverAnswersIsTheTimeout() throws Exception {
        try (RawServer server = new RawServer((in, out) -> sleep(5000))) {
            assertThatThrownBy(() -> Preflight.check(config().timeout(Duration.ofMillis(300)).build(), server.uri()))
                    .hasMessageContaining("failed: no answer within --timeout 300ms (nothing was measured");
        }
    }

    @Test
    void aServerThatClosesWithoutAnAnswerIsNamed() throws Exception {
        try (RawServer server = new RawServer((in, out) -> { })) {
            assertThatThrownBy(() -> Preflight.check(config().build(), server.uri()))
                    .hasMessageContaining("failed: the server closed the connection without an answer (connection_reset)");
        }
    }

    @Test
    void anAnswerThatIsNotTheApisJsonIsMalformed() throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>hi</html>";
        try (RawServer server = new RawServer((in, out) -> write(out, answer))) {
            assertThatThrownBy(() -> Preflight.check(config().stream(false).build(), server.uri()))
                    .hasMessageContaining("failed: the answer is not what --api ollama promises (malformed_body)");
        }
    }

    @Test
    void aStreamWithoutItsFinalLineIsCut() throws Exception {
        String line = "{\"response\":\"a\",\"done\":false}\n";
        String answer = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + line.length()
                + "\r\n\r\n" + line;
        try (RawServer server = new RawServer((in, out) -> write(out, answer))) {
            assertThatThrownBy(() -> Preflight.check(config().build(), server.uri()))
                    .hasMessageContaining("failed: the answer ended without its final line (stream_cut)");
        }
    }

    @Test
    void aHeaderTheClientWillNotSendIsRefusedBeforeAnythingIsSent() {
        LoadTestConfig c = config().headers(List.of(new LoadTestConfig.Header("Content-Length", "3"))).build();
        assertThatThrownBy(() -> Preflight.check(c, URI.create("http://127.0.0.1:9/api/generate")))
                .hasMessage("pre-flight request could not be built: restricted header name: \"Content-Length\"");
    }

    private static void write(OutputStream out, String s) {
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Accepts one connection on 127.0.0.1, reads the request head, lets {@code answer} reply, then closes. */
    private static final class RawServer implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread thread;

        RawServer(BiConsumer<InputStream, OutputStream> answer) throws IOException {
            socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[8192];
                    int n = in.read(buf); // the request: head and a small body, in one read on loopback
                    if (n > 0) {
                        answer.accept(in, s.getOutputStream());
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            }, "raw-server");
            thread.setDaemon(true);
            thread.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/api/generate");
        }

        @Override
        public void close() throws IOException {
            socket.close();
            thread.interrupt();
        }
    }
}
