package com.aiinference.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a load test: closed loop ({@code users} that each send the next request when the previous one ends) or
 * open loop (Poisson arrivals at {@code rate}, latency counted from each request's scheduled send time, so a slow
 * server cannot hide its queueing behind a slow client: no coordinated omission).
 *
 * <p>One shared JDK {@link HttpClient} over HTTP/1.1. Answers are read with non-blocking line subscribers on a
 * small executor, so thousands of concurrent streams need no thread each (Java 17 has no virtual threads). The
 * JDK client keeps no per-host connection limit for HTTP/1.1: each concurrent request gets its own connection,
 * kept alive for reuse by the next request.
 */
public final class LoadTestRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Below this many finished requests, {@code --max-error-rate} does not judge yet. */
    static final int MIN_REQUESTS_FOR_ERROR_RATE = 20;

    private LoadTestRunner() {}

    /** Runs {@code config} against {@code target} (the full URL requests are posted to); progress goes to {@code progress}. */
    public static LoadTestResult run(LoadTestConfig config, URI target, PrintWriter progress) {
        return run(config, target, progress, new StopSignal());
    }

    /** The same, stoppable from another thread (e.g. a Ctrl-C hook) through {@code signal}. */
    public static LoadTestResult run(LoadTestConfig config, URI target, PrintWriter progress, StopSignal signal) {
        return measure(config, target, progress, signal).toResult(config, target);
    }

    /**
     * Runs the load and returns what was measured in mergeable form: a worker of a distributed run sends this to
     * the coordinator, which merges every worker's and makes the one result ({@link Measurements#merge}).
     */
    public static Measurements measure(LoadTestConfig config, URI target, PrintWriter progress, StopSignal signal) {
        Run run = new Run(config, target, progress, signal);
        try {
            return run.execute();
        } finally {
            run.shutdown();
        }
    }

    /**
     * Ends a run early from another thread: no new requests, those in flight count as {@code aborted}, and the
     * result says why ({@link LoadTestResult#abortReason()}).
     */
    public static final class StopSignal {
        private volatile String reason;

        public void stop(String why) {
            if (reason == null) {
                reason = why;
            }
        }

        String reason() {
            return reason;
        }
    }

    /** The JSON body of a request for this API and prompt. */
    static byte[] requestBody(LoadTestConfig c, String prompt) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", c.model());
        switch (c.api()) {
            case OLLAMA -> {
                body.put("prompt", prompt);
                body.put("stream", c.stream());
                if (c.maxTokens() > 0) {
                    body.putObject("options").put("num_predict", c.maxTokens());
                }
            }
            case OPENAI_COMPLETIONS, OPENAI_CHAT -> {
                if (c.api() == Api.OPENAI_CHAT) {
                    ObjectNode m = body.putArray("messages").addObject();
                    m.put("role", "user");
                    m.put("content", prompt);
                } else {
                    body.put("prompt", prompt);
                }
                if (c.maxTokens() > 0) {
                    body.put("max_tokens", c.maxTokens());
                }
                body.put("stream", c.stream());
                if (c.stream()) {
                    // Ask for the server's token count in the last event, so tokens/s needs no tokenizer.
                    body.putObject("stream_options").put("include_usage", true);
                }
            }
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether stdout is an interactive terminal. JDK 22+ returns a Console even when redirected; ask it. */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: a Console exists only on a terminal
        }
    }

    private static final class Run {
        final LoadTestConfig config;
        final StopSignal signal;
        final URI target;
        final PrintWriter progress;
        final ThreadPoolExecutor callbacks;
        final ScheduledThreadPoolExecutor timers;
        final HttpClient client;
        final byte[][] bodies;
        final long startNanos;
        final long measureFromNanos;
        final long endNanos;
        final Instant startedAt = Instant.now();
        final Metrics metrics;
        final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
        final AtomicLong sequence = new AtomicLong();
        final AtomicLong measuredSent = new AtomicLong();
        /** Requests between "may start" and "in flight": the run cannot end while one is on its way. */
        final AtomicInteger sendingNow = new AtomicInteger();
        volatile boolean stopping;
        volatile String abortReason;
        final boolean live;
        long lastTickNanos;

        Run(LoadTestConfig config, URI target, PrintWriter progress, StopSignal signal) {
            this.signal = signal;
            this.config = config;
            this.target = target;
            this.progress = progress;
            int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
            // Threads for the client's response handling and our line parsing: one per core is enough, nothing blocks.
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemon("loadtest-http"));
            pool.allowCoreThreadTimeOut(true);
            this.callbacks = pool;
            this.timers = new ScheduledThreadPoolExecutor(1, daemon("loadtest-timer"));
            timers.setRemoveOnCancelPolicy(true);
            this.client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(min(config.timeout(), Duration.ofSeconds(10)))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(callbacks)
                    .build();
            this.bodies = config.prompts().stream().map(p -> requestBody(config, p)).toArray(byte[][]::new);
            this.live = switch (config.progress()) {
                case LIVE -> true;
                case AUTO -> isTerminal();
                default -> false;
            };
            this.startNanos = System.nanoTime();
            this.lastTickNanos = startNanos;
            this.measureFromNanos = startNanos + config.warmup().toNanos();
            this.endNanos = measureFromNanos + config.duration().toNanos();
            this.metrics = new Metrics(startNanos, measureFromNanos);
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) < 0 ? a : b;
        }

        private static ThreadFactory daemon(String name) {
            AtomicInteger n = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
        }

        Measurements execute() {
            long tickMillis = live ? 1000 : 10_000;
            ScheduledFuture<?> ticker = config.progress() == LoadTestConfig.Progress.QUIET ? null
                    : timers.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
            Thread arrivals = null;
            if (config.openLoop()) {
                arrivals = new Thread(this::arrivals, "loadtest-arrivals");
                arrivals.setDaemon(true);
                arrivals.start();
            } else {
                long rampNanos = config.rampUp().toNanos();
                for (int u = 0; u < config.users(); u++) {
                    long delay = config.users() == 1 ? 0 : rampNanos * u / config.users();
                    timers.schedule(this::userTurn, delay, TimeUnit.NANOSECONDS);
                }
            }
            // Hard bound: the last request may start just before the end and then runs into its timeout.
            long hardEnd = endNanos + config.timeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                long now = System.nanoTime();
                boolean noMoreSends = stopping || now >= endNanos;
                if (noMoreSends && sendingNow.get() == 0 && inFlight.isEmpty()) {
                    break;
                }
                String stopReason = signal.reason();
                if (stopReason != null && !stopping) {
                    stop(stopReason);
                }
                if (now > hardEnd) {
                    stop("run exceeded " + Durations.format(config.maxRunTime()) + " (bug?)");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            stopping = true;
            if (arrivals != null) {
                try {
                    arrivals.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (ticker != null) {
                ticker.cancel(false);
                tick();
                if (live) {
                    progress.println();
                    progress.flush();
                }
            }
            List<String> warnings = new ArrayList<>();
            return metrics.measurements(startedAt, abortReason, warnings);
        }

        /** Stops sending, and ends every request still in flight as aborted. */
        void stop(String reason) {
            if (abortReason == null) {
                abortReason = reason;
            }
            stopping = true;
            for (Exchange e : inFlight) {
                e.finish(ErrorKind.ABORTED.key(), System.nanoTime());
            }
        }

        void shutdown() {
            stopping = true;
            timers.shutdownNow();
            // JDK 21+ HttpClient is AutoCloseable (closes idle connections); on 17 they close when the client is collected.
            if (client instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // nothing in flight any more; best effort
                }
            }
        }

        /** May a request that would start now be sent? Reserves it against {@code --max-requests}. */
        boolean mayStart(long origin) {
            sendingNow.incrementAndGet();
            if (stopping || origin >= endNanos) {
                sendingNow.decrementAndGet();
                return false;
            }
            if (origin >= measureFromNanos && config.maxRequests() > 0
                    && measuredSent.incrementAndGet() > config.maxRequests()) {
                stopping = true;
                sendingNow.decrementAndGet();
                return false;
            }
            return true;
        }

        /** Closed loop: one user's next request, sent when the previous one ended. */
        void userTurn() {
            long now = System.nanoTime();
            if (!mayStart(now)) {
                return;
            }
            send(now, this::userTurn);
        }

        /** Open loop: Poisson arrivals; each request's latency counts from its scheduled time, however late it is sent. */
        void arrivals() {
            Random random = new Random(config.seed());
            double meanGapNanos = 1e9 / config.rate();
            long next = startNanos;
            while (true) {
                next += (long) (-Math.log(1.0 - random.nextDouble()) * meanGapNanos);
                long wait;
                while ((wait = next - System.nanoTime()) > 0 && !stopping) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                }
                if (!mayStart(next)) {
                    return;
                }
                send(next, null);
            }
        }

        /** Sends one request; the caller got {@code true} from {@link #mayStart}. */
        void send(long origin, Runnable then) {
            try {
                sendNow(origin, then);
            } finally {
                sendingNow.decrementAndGet();
            }
        }

        private void sendNow(long origin, Runnable then) {
            Exchange ex = new Exchange(origin, then);
            ex.measured = metrics.started(origin);
            inFlight.add(ex);
            if (abortReason != null) {
                // stop() ran while this request was on its way: it ends like the others in flight.
                ex.finish(ErrorKind.ABORTED.key(), System.nanoTime());
                return;
            }
            HttpRequest request;
            try {
                request = buildRequest();
            } catch (RuntimeException e) {
                clientError(ex, e);
                return;
            }
            ex.deadline = timers.schedule(ex::timedOut, origin + config.timeout().toNanos() - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
            try {
                ex.response = client.sendAsync(request, ex::handler);
                // Completes on a client thread; no extra hand-off (each one costs context switches per request).
                ex.response.whenComplete(ex::responded);
            } catch (RuntimeException e) {
                clientError(ex, e);
            }
        }

        private HttpRequest buildRequest() {
            byte[] body = bodies[(int) (sequence.getAndIncrement() % bodies.length)];
            HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("Accept", config.stream() ? (config.api() == Api.OLLAMA ? "application/x-ndjson" : "text/event-stream")
                            : "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (LoadTestConfig.Header h : config.headers()) {
                rb.header(h.name(), h.value());
            }
            return rb.build();
        }

        /**
         * The client refused the request before sending it (e.g. the JDK's IllegalArgumentException "restricted header
         * name"). It is counted as {@code client_error} and the run stops: every request is built alike, so all would
         * fail the same way, and retrying at once from inside {@code finish} would recurse without end.
         */
        private void clientError(Exchange ex, RuntimeException e) {
            String why = "a request could not be sent: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
            stopping = true;
            if (abortReason == null) {
                abortReason = why;
            }
            ex.finish(ErrorKind.CLIENT_ERROR.key(), System.nanoTime());
            stop(why);
        }

        void tick() {
            long now = System.nanoTime();
            double interval = (now - lastTickNanos) / 1e9;
            lastTickNanos = now;
            Metrics.Snapshot s = metrics.tick(interval, live ? 10 : 1);
            // A tick that lands on the end of the warm-up still reports it as warm-up.
            boolean warm = now < measureFromNanos + TimeUnit.MILLISECONDS.toNanos(100);
            long elapsed = warm ? now - startNanos : now - measureFromNanos;
            String clock = warm
                    ? String.format(Locale.ROOT, "warm-up %s/%s", secs(Math.min(elapsed, config.warmup().toNanos())),
                            secs(config.warmup().toNanos()))
                    : String.format(Locale.ROOT, "%s/%s%s", secs(Math.min(elapsed, config.duration().toNanos())),
                            secs(config.duration().toNanos()), abortReason != null ? ", stopping"
                                    : stopping || now >= endNanos ? ", finishing" : "");
            String line = String.format(Locale.ROOT, "[%s] in-flight %d | done %d | errors %d | p50 %s p95 %s | %.0f tok/s",
                    clock, s.inFlight(), s.measuredFinished(), s.failed(), Durations.formatMillis(s.p50Ms()),
                    Durations.formatMillis(s.p95Ms()), s.tokensPerSecond());
            synchronized (progress) {
                if (live) {
                    progress.print("\r" + line + "   ");
                } else {
                    progress.println(line);
                }
                progress.flush();
            }
            checkErrorRate();
        }

        private static String secs(long nanos) {
            return (nanos / 1_000_000_000L) + "s";
        }

        void checkErrorRate() {
            Double max = config.maxErrorRate();
            if (max == null || stopping) {
                return;
            }
            long[] o = metrics.measuredOutcomes();
            if (o[0] >= MIN_REQUESTS_FOR_ERROR_RATE && (double) o[1] / o[0] > max) {
                stop(String.format(Locale.ROOT, "error rate %s (%d of %d) exceeded --max-error-rate %s",
                        Reports.percent((double) o[1] / o[0]), o[1], o[0], Reports.percent(max)));
            }
        }

        /**
         * One request: its answer parser, deadline and the single place where it ends. For a streamed 200 answer it
         * is also the body subscriber: it splits the raw bytes into lines itself and hands each line's bytes to the
         * parser with the time they arrived (no String or line-subscriber machinery per token).
         */
        final class Exchange implements HttpResponse.BodySubscriber<String> {
            /** A line longer than this without a line break is not an NDJSON/SSE answer. */
            static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
            final long origin;
            final Runnable then;
            final AnswerParser parser = new AnswerParser(config.api());
            final AtomicBoolean finished = new AtomicBoolean();
            final CompletableFuture<String> body = new CompletableFuture<>();
            boolean measured;
            volatile boolean timedOut;
            volatile boolean headersReceived;
            volatile Flow.Subscription subscription;
            volatile ScheduledFuture<?> deadline;
            volatile CompletableFuture<HttpResponse<String>> response;
            byte[] pending = new byte[2048];
            int pendingLength;

            Exchange(long origin, Runnable then) {
                this.origin = origin;
                this.then = then;
            }

            HttpResponse.BodySubscriber<String> handler(HttpResponse.ResponseInfo info) {
                headersReceived = true;
                if (info.statusCode() == 200 && config.stream()) {
                    return this;
                }
                return HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
            }

            @Override
            public CompletionStage<String> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                if (finished.get()) {
                    s.cancel();
                } else {
                    s.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                long now = System.nanoTime();
                if (finished.get()) {
                    return;
                }
                for (ByteBuffer b : items) {
                    int n = b.remaining();
                    if (pendingLength + n > pending.length) {
                        if (pendingLength + n > MAX_LINE_BYTES) {
                            finish(ErrorKind.MALFORMED_BODY.key(), now);
                            return;
                        }
                        pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
                    }
                    b.get(pending, pendingLength, n);
                    pendingLength += n;
                }
                int start = 0;
                for (int i = 0; i < pendingLength; i++) {
                    if (pending[i] == '\n') {
                        if (!parser.line(pending, start, i - start, now)) {
                            // Unusable answer: stop reading (closes the connection) and count it now.
                            finish(parser.failure.key(), now);
                            return;
                        }
                        start = i + 1;
                    }
                }
                if (start > 0) {
                    System.arraycopy(pending, start, pending, 0, pendingLength - start);
                    pendingLength -= start;
                }
            }

            @Override
            public void onError(Throwable t) {
                body.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                if (pendingLength > 0 && !parser.line(pending, 0, pendingLength, System.nanoTime())) {
                    pendingLength = 0;
                }
                body.complete("");
            }

            void responded(HttpResponse<String> resp, Throwable err) {
                long now = System.nanoTime();
                if (finished.get()) {
                    return;
                }
                if (err != null) {
                    finish(classify(err, this), now);
                    return;
                }
                int status = resp.statusCode();
                if (status != 200) {
                    finish(classifyStatus(status, resp.body()), now);
                    return;
                }
                if (!config.stream()) {
                    parser.body(resp.body(), now);
                }
                if (parser.failure != null) {
                    finish(parser.failure.key(), now);
                } else if (!parser.complete()) {
                    finish(ErrorKind.STREAM_CUT.key(), now);
                } else {
                    finish(null, parser.doneNanos > 0 ? parser.doneNanos : now);
                }
            }

            void timedOut() {
                timedOut = true;
                finish(ErrorKind.TIMEOUT.key(), System.nanoTime());
            }

            /** Ends this request exactly once: records it, frees its connection if still open, starts the next turn. */
            void finish(String errorKey, long endNanos) {
                if (!finished.compareAndSet(false, true)) {
                    return;
                }
                ScheduledFuture<?> d = deadline;
                if (d != null) {
                    d.cancel(false);
                }
                if (errorKey != null) {
                    Flow.Subscription s = subscription;
                    if (s != null) {
                        s.cancel();
                    }
                    CompletableFuture<?> r = response;
                    if (r != null) {
                        r.cancel(true);
                    }
                }
                boolean ok = errorKey == null;
                metrics.finished(new RequestRecord(measured, origin, ok ? parser.firstTokenNanos : 0, endNanos, errorKey,
                        parser.itl, ok ? parser.itlCount : 0, ok ? parser.outputTokens() : 0,
                        parser.tokensFromServer(), parser.evalCount, parser.evalDurationNanos));
                inFlight.remove(this);
                if (config.maxErrorRate() != null && !ok) {
                    checkErrorRate();
                }
                if (then != null) {
                    // The user's next request starts right here (sendAsync does not block).
                    then.run();
                }
            }
        }

        ErrorKind kindOf(Throwable err, Exchange ex) {
            Throwable t = err;
            while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
                t = t.getCause();
            }
            if (ex.timedOut || t instanceof HttpTimeoutException) {
                return ErrorKind.TIMEOUT;
            }
            if (t instanceof CancellationException) {
                return ErrorKind.ABORTED;
            }
            if (t instanceof ConnectException) {
                return ErrorKind.CONNECTION_REFUSED;
            }
            // The JDK client wraps the socket's own exception: "chunked transfer encoding, state: READING_LENGTH"
            // caused by "Connection reset", "fixed content-length: N, bytes received: M" caused by EOFException,
            // "HTTP/1.1 header parser received no bytes" when the peer closed before the status line.
            boolean reset = false;
            boolean eof = false;
            for (Throwable c = t; c != null; c = c.getCause()) {
                String msg = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                if (msg.contains("connection reset") || msg.contains("broken pipe")) {
                    reset = true;
                }
                if (c instanceof java.io.EOFException || msg.contains("eof reached") || msg.contains("fixed content-length")
                        || msg.contains("chunked transfer encoding") || msg.contains("no bytes") || msg.contains("closed")) {
                    eof = true;
                }
            }
            if (reset) {
                return ErrorKind.CONNECTION_RESET;
            }
            if (eof) {
                // Peer closed: inside an answer that had started it is a cut stream, before it a dropped connection.
                return ex.subscription != null || ex.headersReceived ? ErrorKind.STREAM_CUT : ErrorKind.CONNECTION_RESET;
            }
            return ErrorKind.CONNECTION_ERROR;
        }

        String classify(Throwable err, Exchange ex) {
            return kindOf(err, ex).key();
        }
    }

    /** The error key of a non-200 answer. */
    static String classifyStatus(int status, String body) {
        String b = body == null ? "" : body.toLowerCase(Locale.ROOT);
        if (status == 503 && b.contains("server busy")) {
            return ErrorKind.SERVER_BUSY.key();
        }
        if (status == 404 && b.contains("model")) {
            return ErrorKind.MODEL_NOT_FOUND.key();
        }
        return ErrorKind.httpStatusKey(status);
    }
}
