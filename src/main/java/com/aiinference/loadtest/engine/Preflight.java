package com.aiinference.loadtest.engine;

import com.aiinference.core.Format;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request before the run, as vLLM's {@code bench serve} sends a test prompt first: a wrong path, API or model,
 * or a server that answers nothing usable, is one line and exit 2 instead of thousands of identical failures
 * reported as a load test. The request is the run's first (same body, headers and timeout) and is in no figure.
 */
public final class Preflight {
    private Preflight() {}

    /**
     * What the pre-flight request saw: its latency and time to first token (ms, NaN when not streamed), and the
     * server's token counts (prompt tokens -1 when it gave none).
     */
    public record Answer(double latencyMs, double ttftMs, long outputTokens, long inputTokens) {}

    /** The pre-flight request failed; the message says how, in one line. */
    public static final class PreflightException extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        PreflightException(String message) {
            super(message);
        }
    }

    /**
     * {@link #check} with what the user sees on {@code log} as {@code who}: that the request is waiting (a server that
     * accepts and never answers holds it up to {@code --timeout}), then how fast it was answered.
     */
    public static Answer check(LoadTestConfig config, URI target, java.io.PrintWriter log, String who) {
        log.printf(java.util.Locale.ROOT, "%s: pre-flight request sent, waiting for its answer (up to %s, --timeout)%n",
                who, Format.duration(config.timeout()));
        log.flush();
        Answer answer = check(config, target);
        log.printf(java.util.Locale.ROOT, "%s: pre-flight request answered in %s%s%n", who,
                Format.millis(answer.latencyMs()),
                Double.isNaN(answer.ttftMs()) ? "" : " (first token " + Format.millis(answer.ttftMs()) + ")");
        log.flush();
        return answer;
    }

    /**
     * Sends the run's first request to {@code target} with the run's own client ({@link LoadClient}: same bytes, same
     * header rules, same answer parser); throws {@link PreflightException} when it does not succeed.
     */
    public static Answer check(LoadTestConfig config, URI target) {
        byte[] request;
        try {
            request = LoadClient.encode(target, LoadTestRunner.firstRequestBody(config),
                    LoadTestRunner.accept(config), config.headers());
        } catch (IllegalArgumentException e) {
            throw new PreflightException("pre-flight request could not be built: " + e.getMessage());
        }
        try (LoadClient client = new LoadClient(target, new byte[][] {request}, 1, config.connectTimeout(), config.tls())) {
            return send(client, config, target);
        }
    }

    /** How the pre-flight request ended: the engine's error key (null: success), when, and a non-200 answer. */
    private record Ending(String errorKey, long endNanos, int status, String body) {}

    private static Answer send(LoadClient client, LoadTestConfig config, URI target) {
        AnswerParser parser = new AnswerParser(config.api());
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        int[] status = {200};
        String[] body = {""};
        HttpConnection[] connection = {null};
        HttpConnection.Request request = new HttpConnection.Request(config.stream(), parser) {
            @Override
            void errorAnswer(int code, String text) {
                status[0] = code;
                body[0] = text;
            }

            @Override
            void ended(String errorKey, long endNanos) {
                ending.complete(new Ending(errorKey, endNanos, status[0], body[0]));
            }
        };
        LoadClient.Loop loop = client.loop(0);
        long start = System.nanoTime();
        loop.executor.execute(() -> loop.connect((c, err) -> {
            if (c == null) {
                ending.complete(new Ending(HttpConnection.classify(err, false).key(), System.nanoTime(), 0, ""));
            } else {
                connection[0] = c;
                c.send(request, client.request(0));
            }
        }));
        Ending end;
        try {
            end = ending.get(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            loop.executor.execute(() -> {
                if (connection[0] != null) {
                    connection[0].abandon(request);
                }
            });
            throw fail(target, "no answer within --timeout " + Format.duration(config.timeout()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(target, "interrupted");
        } catch (ExecutionException e) {
            throw fail(target, String.valueOf(e.getCause()));
        }
        if (end.errorKey() != null) {
            throw fail(target, why(end, config));
        }
        return new Answer((end.endNanos() - start) / 1e6,
                parser.firstTokenNanos > 0 ? (parser.firstTokenNanos - start) / 1e6 : Double.NaN, parser.outputTokens(),
                parser.inputTokens);
    }

    /** The failed request in words, from the engine's error key (and the answer of a non-200 status). */
    private static String why(Ending end, LoadTestConfig config) {
        if (end.status() != 200 && end.status() != 0) {
            String b = end.body();
            return "HTTP " + end.status() + " (" + end.errorKey() + ")" + (b.isBlank() ? "" : ": " + snippet(b)) + hint(end.status());
        }
        ErrorKind kind = ErrorKind.fromKey(end.errorKey());
        return switch (kind == null ? ErrorKind.CONNECTION_ERROR : kind) {
            case CONNECTION_REFUSED -> "connection refused";
            case TIMEOUT -> "no connection within " + Format.duration(config.connectTimeout());
            case MALFORMED_BODY, SERVER_ERROR_IN_STREAM ->
                    "the answer is not what --api " + config.api().cliName() + " promises (" + end.errorKey() + ")";
            case STREAM_CUT -> "the answer ended without its final line (" + end.errorKey() + ")";
            case CONNECTION_RESET -> "the server closed the connection without an answer (" + end.errorKey() + ")";
            case BAD_RESPONSE -> "the server answered with something that is not an HTTP/1.1 answer this client reads"
                    + " (" + end.errorKey() + ": a status other than 1.x NNN, 101 Switching Protocols, an oversized head"
                    + " or a bad chunk)";
            default -> "the connection failed (" + end.errorKey() + ")";
        };
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

    /**
     * One TCP connect before the run: an unreachable target is a usage error (exit 2), not a 100% failure report.
     * {@code verify} runs the same check before it touches the cluster.
     */
    public static void checkReachable(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), port), 5000);
        } catch (IOException e) {
            throw new TargetException("cannot reach the endpoint " + uri.getHost() + ":" + port + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
