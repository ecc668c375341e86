package com.aiinference.loadtest;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * One request before the run, as vLLM's {@code bench serve} sends a test prompt first: a wrong path, API or model,
 * or a server that answers nothing usable, is one line and exit 2 instead of thousands of identical failures
 * reported as a load test. The request is the run's first (same body, headers and timeout) and is in no figure.
 */
public final class Preflight {
    private Preflight() {}

    /** What the pre-flight request saw: its latency and time to first token (ms, NaN when not streamed). */
    public record Answer(double latencyMs, double ttftMs, long outputTokens) {}

    /** The pre-flight request failed; the message says how, in one line. */
    public static final class PreflightException extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        PreflightException(String message) {
            super(message);
        }
    }

    /** Sends the run's first request to {@code target}; throws {@link PreflightException} when it does not succeed. */
    public static Answer check(LoadTestConfig config, URI target) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? config.timeout() : Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        try {
            return send(client, config, target);
        } finally {
            if (client instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // best effort: the request is over
                }
            }
        }
    }

    private static Answer send(HttpClient client, LoadTestConfig config, URI target) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(LoadTestRunner.requestBody(config, config.prompts().get(0))));
        for (LoadTestConfig.Header h : config.headers()) {
            rb.header(h.name(), h.value());
        }
        HttpRequest request;
        try {
            request = rb.build();
        } catch (IllegalArgumentException e) {
            throw new PreflightException("pre-flight request could not be built: " + e.getMessage());
        }
        long start = System.nanoTime();
        AnswerParser parser = new AnswerParser(config.api());
        HttpResponse<java.util.stream.Stream<String>> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofLines());
        } catch (HttpTimeoutException e) {
            throw fail(target, "no answer within --timeout " + Format.duration(config.timeout()));
        } catch (ConnectException e) {
            throw fail(target, "connection refused");
        } catch (IOException e) {
            throw fail(target, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(target, "interrupted");
        }
        int status = response.statusCode();
        if (status != 200) {
            String body;
            try (var lines = response.body()) {
                body = String.join(" ", lines.limit(5).toList());
            }
            String kind = LoadTestRunner.classifyStatus(status, body);
            throw fail(target, "HTTP " + status + " (" + kind + ")" + (body.isBlank() ? "" : ": " + snippet(body))
                    + hint(status));
        }
        StringBuilder whole = new StringBuilder();
        try (var lines = response.body()) {
            lines.forEach(line -> {
                if (config.stream()) {
                    parser.line(line, System.nanoTime());
                } else {
                    whole.append(line).append('\n');
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw fail(target, "the answer broke off: " + e.getCause().getMessage());
        }
        long end = System.nanoTime();
        if (!config.stream()) {
            parser.body(whole.toString(), end);
        }
        if (parser.failure != null) {
            throw fail(target, "the answer is not what --api " + config.api().cliName() + " promises (" + parser.failure.key() + ")");
        }
        if (!parser.complete()) {
            throw fail(target, "the answer ended without its final line (" + ErrorKind.STREAM_CUT.key() + ")");
        }
        return new Answer((end - start) / 1e6, parser.firstTokenNanos > 0 ? (parser.firstTokenNanos - start) / 1e6 : Double.NaN,
                parser.outputTokens());
    }

    private static String hint(int status) {
        return switch (status) {
            case 404, 405 -> "; check the URL path, --api and --model";
            case 401, 403 -> "; an API key? --header 'Authorization: Bearer ...'";
            default -> "";
        };
    }

    private static String snippet(String body) {
        String b = body.strip().replaceAll("\\s+", " ");
        return b.length() > 160 ? b.substring(0, 160) + "..." : b;
    }

    private static PreflightException fail(URI target, String why) {
        return new PreflightException(String.format(Locale.ROOT,
                "pre-flight request to %s failed: %s (nothing was measured; --no-preflight skips this check)", target, why));
    }
}
