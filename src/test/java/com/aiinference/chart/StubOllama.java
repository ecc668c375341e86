package com.aiinference.chart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Stands in for Ollama: records what reaches it, streams /api/generate in two NDJSON lines. */
final class StubOllama implements AutoCloseable {
    record Seen(String method, String path, String body, String authorization, String contentLength) {
    }

    final Queue<Seen> requests = new ConcurrentLinkedQueue<>();
    /** Streamed answers end at once unless a test holds the next one back. */
    private volatile Streaming streaming = Streaming.released();
    volatile int generateStatus = 200;
    /** While set, GET /api/tags answers only once it is counted down (requests held in flight). */
    volatile CountDownLatch holdTags;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);

    StubOllama() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The next streamed /api/generate answer holds its last line back until {@link Streaming#release()}. */
    Streaming holdStream() {
        Streaming next = new Streaming();
        streaming = next;
        return next;
    }

    static final class Streaming {
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile boolean releasedByClient;

        static Streaming released() {
            Streaming s = new Streaming();
            s.release();
            return s;
        }

        void release() {
            release.countDown();
        }

        /** Whether the client released the answer's end (it had the first line while the stub was still answering). */
        boolean releasedByClient() {
            return releasedByClient;
        }
    }

    Seen last() {
        return requests.stream().reduce((a, b) -> b).orElseThrow();
    }

    List<String> paths() {
        return requests.stream().map(s -> s.method() + " " + s.path()).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Seen(exchange.getRequestMethod(), path, body,
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Content-Length")));
        CountDownLatch hold = holdTags;
        if (hold != null && path.equals("/api/tags")) {
            try {
                hold.await(NginxGateway.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (path.equals("/api/generate") && body.contains("\"stream\":false")) {
                byte[] answer = (generateStatus == 200
                        ? "{\"model\":\"llama3.1:8b\",\"response\":\"OK\",\"done\":true,\"eval_count\":2}"
                        : "{\"error\":\"model 'llama3.1:8b' not found\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(generateStatus, answer.length);
                out.write(answer);
            } else if (path.equals("/api/generate")) {
                exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                exchange.sendResponseHeaders(200, 0); // chunked
                out.write("{\"response\":\"Hel\",\"done\":false}\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Streaming held = streaming;
                streaming = Streaming.released();
                try {
                    held.releasedByClient = held.release.await(NginxGateway.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write("{\"response\":\"lo\",\"done\":true,\"eval_count\":2}\n".getBytes(StandardCharsets.UTF_8));
            } else {
                byte[] answer = ("{\"stub\":\"" + path + "\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                out.write(answer);
            }
        }
    }

    @Override
    public void close() {
        streaming.release();
        server.stop(0);
        executor.shutdownNow();
    }
}
