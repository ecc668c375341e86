package com.aiinference.loadtest.engine;

import com.aiinference.core.Format;
import com.aiinference.loadtest.traffic.Message;
import com.aiinference.loadtest.traffic.Session;
import com.aiinference.loadtest.traffic.Turn;
import com.aiinference.loadtest.traffic.Workload;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a load test: closed loop ({@code users} that each send the next request when the previous one ends) or
 * open loop (Poisson arrivals at {@code rate}, latency counted from each request's scheduled send time, so a slow
 * server cannot hide its queueing behind a slow client: no coordinated omission).
 *
 * <p>The HTTP/1.1 client is {@link LoadClient}: one Netty event loop per core (or {@code --threads}), keep-alive
 * connections pooled per loop, answers parsed on the loop as their bytes arrive ({@link HttpConnection}), request
 * deadlines on the same loop (one sweep per loop over its requests in flight, oldest first: no timer per request).
 * A closed-loop user lives on one loop and sends its next request from the callback that ended the last one, on the
 * connection that just came free. Figures go into lock-free HdrHistogram recorders ({@link RunRecorder}).
 * Before the clock starts, the answer-reading code is run until compiled and a closed loop's connections are opened,
 * so the first second of a run is timed like the last.
 */
public final class LoadTestRunner {
    private static final JsonFactory JSON = new JsonFactory();
    /** Below this many finished requests, {@code --max-error-rate} does not judge yet. */
    static final int MIN_REQUESTS_FOR_ERROR_RATE = 20;

    private LoadTestRunner() {}

    /** Runs {@code config} against {@code target} (the full URL requests are posted to); progress goes to {@code progress}. */
    public static LoadTestResult run(LoadTestConfig config, URI target, PrintWriter progress) {
        return run(config, target, progress, new StopSignal());
    }

    /**
     * The same, stoppable from another thread (e.g. a Ctrl-C hook) through {@code signal}; a run with a workload
     * carries the summary of the traffic it sent ({@link LoadTestResult#traffic()}).
     */
    public static LoadTestResult run(LoadTestConfig config, URI target, PrintWriter progress, StopSignal signal) {
        ClientLimits.check(config.load(), 1);
        Run run = new Run(config, target, progress, signal);
        try {
            LoadTestResult result = run.execute().toResult(config, target);
            return run.traffic == null ? result : result.withTraffic(run.traffic.summary());
        } finally {
            run.shutdown();
        }
    }

    /**
     * Runs the load and returns everything it measured in mergeable form ({@link RunSnapshot}: the histograms, the
     * counts, the time line with each second's histograms). A worker of a distributed run sends this to the
     * coordinator, which merges every worker's into one result ({@link RunSnapshot#merge}); one process turns it
     * into its result the same way.
     */
    public static RunSnapshot measure(LoadTestConfig config, URI target, PrintWriter progress, StopSignal signal) {
        ClientLimits.check(config.load(), 1);
        Run run = new Run(config, target, progress, signal);
        try {
            return run.execute();
        } finally {
            run.shutdown();
        }
    }

    /**
     * Ends a run early from another thread (the user's Ctrl-C): no new requests, those in flight are cut and counted
     * apart as {@link ErrorKind#STOPPED_BY_USER}, and the result says the run was stopped ({@link LoadTestResult#run()}).
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

        /**
         * Test seam (null otherwise): runs on the event loop between a request's "may start" and its sending, given
         * whether the run has been stopped, so a test can put a stop in that gap, which a real Ctrl-C hits rarely.
         */
        java.util.function.Consumer<java.util.function.BooleanSupplier> beforeSend;
    }

    /** The Accept header of the run's requests: the API's streamed type, or JSON. */
    public static String accept(LoadTestConfig c) {
        return c.stream() ? (c.api().ndjson() ? "application/x-ndjson" : "text/event-stream") : "application/json";
    }

    /** The JSON body of a request for this API and prompt (written with jackson-core's generator). */
    public static byte[] requestBody(LoadTestConfig c, String prompt) {
        return body(c, prompt, List.of(Message.user(prompt)), c.maxTokens());
    }

    /**
     * The JSON body of one turn of a conversation: the chat APIs get its messages, the prompt APIs the conversation
     * flattened into one prompt ({@link Message#flatten}); its answer length, else the run's.
     */
    public static byte[] requestBody(LoadTestConfig c, Turn turn) {
        boolean chat = c.api() == Api.OLLAMA_CHAT || c.api() == Api.OPENAI_CHAT;
        return body(c, chat ? null : Message.flatten(turn.messages()), turn.messages(),
                turn.maxTokens() > 0 ? turn.maxTokens() : c.maxTokens());
    }

    /** The body of the run's first request: what the pre-flight sends (with a workload, its calibration turn). */
    public static byte[] firstRequestBody(LoadTestConfig c) {
        return c.workload() == null ? requestBody(c, c.prompts().get(0)) : requestBody(c, c.workload().calibrationTurn());
    }

    private static byte[] body(LoadTestConfig c, String prompt, List<Message> messages, int maxTokens) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model", c.model());
            switch (c.api()) {
                case OLLAMA, OLLAMA_CHAT -> {
                    if (c.api() == Api.OLLAMA_CHAT) {
                        messages(g, messages);
                    } else {
                        g.writeStringField("prompt", prompt);
                    }
                    g.writeBooleanField("stream", c.stream());
                    if (maxTokens > 0) {
                        g.writeObjectFieldStart("options");
                        g.writeNumberField("num_predict", maxTokens);
                        g.writeEndObject();
                    }
                }
                case OPENAI_COMPLETIONS, OPENAI_CHAT -> {
                    if (c.api() == Api.OPENAI_CHAT) {
                        messages(g, messages);
                    } else {
                        g.writeStringField("prompt", prompt);
                    }
                    if (maxTokens > 0) {
                        g.writeNumberField("max_tokens", maxTokens);
                    }
                    g.writeBooleanField("stream", c.stream());
                    if (c.stream()) {
                        // Ask for the server's token count in the last event, so tokens/s needs no tokenizer.
                        g.writeObjectFieldStart("stream_options");
                        g.writeBooleanField("include_usage", true);
                        g.writeEndObject();
                    }
                }
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** {@code "messages": [{"role": "user", "content": prompt}, ...]}: the one shape both chat APIs take. */
    private static void messages(JsonGenerator g, List<Message> messages) throws java.io.IOException {
        g.writeArrayFieldStart("messages");
        for (Message m : messages) {
            g.writeStartObject();
            g.writeStringField("role", m.role());
            g.writeStringField("content", m.content());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static final class Run {
        final LoadTestConfig config;
        final StopSignal signal;
        final URI target;
        final PrintWriter progress;
        /** Progress ticks only; request deadlines run on the event loops. */
        final ScheduledThreadPoolExecutor timers;
        final LoadClient client;
        /** Set when the client refuses the request itself (a header it will not send): the first request fails. */
        final RuntimeException refused;
        /** Each loop's requests in flight, oldest first (touched only on that loop). */
        final List<InFlight> inFlight = new ArrayList<>();
        final Instant startedAt = Instant.now();
        long startNanos;
        long measureFromNanos;
        long endNanos;
        RunRecorder metrics;
        final AtomicLong measuredSent = new AtomicLong();
        /** Requests between "may start" and "in flight": the run cannot end while one is on its way. */
        final AtomicInteger sendingNow = new AtomicInteger();
        volatile boolean stopping;
        volatile RunStop stop;
        final FailureStreak failureStreak = new FailureStreak();
        RequestLog requestLog;
        /** The run's conversations and lengths, when it has a workload (null: the prompts in turn). */
        final Workload.Sessions sessions;
        final TrafficRecorder traffic;
        final String accept;
        final boolean live;
        long lastTickNanos;

        Run(LoadTestConfig config, URI target, PrintWriter progress, StopSignal signal) {
            this.signal = signal;
            this.config = config;
            this.target = target;
            this.progress = progress;
            this.timers = new ScheduledThreadPoolExecutor(1, daemon("loadtest-timer"));
            timers.setRemoveOnCancelPolicy(true);
            String accept = accept(config);
            this.accept = accept;
            this.sessions = config.workload() == null ? null : new Workload.Sessions(config.workload());
            this.traffic = config.workload() == null ? null : new TrafficRecorder(config.workload());
            byte[][] encoded;
            RuntimeException refusal = null;
            try {
                encoded = config.prompts().stream()
                        .map(p -> LoadClient.encode(target, requestBody(config, p), accept, config.headers()))
                        .toArray(byte[][]::new);
            } catch (IllegalArgumentException e) {
                refusal = e;
                encoded = new byte[][] {new byte[0]};
            }
            this.refused = refusal;
            int threads = config.eventLoops();
            this.client = new LoadClient(target, encoded, threads, config.connectTimeout(), config.tls());
            client.limitConnections(ClientLimits.freeDescriptors());
            for (int i = 0; i < threads; i++) {
                inFlight.add(new InFlight());
            }
            this.live = switch (config.progress()) {
                case LIVE -> true;
                case AUTO -> com.aiinference.io.Terminal.stderrIsInteractive();
                default -> false;
            };
        }

        private static ThreadFactory daemon(String name) {
            AtomicInteger n = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
        }

        /**
         * Everything that would make the first second slower than the last happens before the clock starts: the
         * code that reads answers runs until compiled ({@link EngineWarmup}), and a closed loop's connections are
         * open (wrk opens its connections before it counts, too).
         */
        void prepare() {
            EngineWarmup.run(config, () -> signal.reason() != null);
            if (config.load() instanceof LoadShape.ClosedLoop closed && refused == null && signal.reason() == null) {
                int[] perLoop = new int[client.loopCount()];
                for (int u = 0; u < closed.users(); u++) {
                    perLoop[u % perLoop.length]++;
                }
                client.preconnect(perLoop, config.connectTimeout());
            }
        }

        RunSnapshot execute() {
            prepare();
            this.startNanos = System.nanoTime();
            this.lastTickNanos = startNanos;
            this.measureFromNanos = startNanos + config.warmup().toNanos();
            this.endNanos = measureFromNanos + config.duration().toNanos();
            this.metrics = new RunRecorder(startNanos, measureFromNanos, endNanos, client.loopCount(), config.load());
            this.requestLog = RequestLog.open(config.saveRequests(), startNanos);
            long sweepNanos = sweepPeriodNanos(config.timeout());
            for (int i = 0; i < client.loopCount(); i++) {
                InFlight open = inFlight.get(i);
                client.loop(i).executor.scheduleAtFixedRate(() -> open.expire(System.nanoTime()), sweepNanos, sweepNanos,
                        TimeUnit.NANOSECONDS);
            }
            long tickMillis = live ? 1000 : 10_000;
            ScheduledFuture<?> ticker = config.progress() == LoadTestConfig.Progress.QUIET ? null
                    : timers.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
            Thread arrivals = null;
            if (refused != null) {
                // Every request would be refused alike: one is sent (counted as client_error) and the run stops.
                long now = System.nanoTime();
                if (mayStart(now)) {
                    client.loop(0).executor.execute(() -> send(client.loop(0), 0, now, null));
                }
            } else if (config.load() instanceof LoadShape.OpenLoop open) {
                arrivals = new Thread(() -> arrivals(open.rate()), "loadtest-arrivals");
                arrivals.setDaemon(true);
                arrivals.start();
            } else if (config.load() instanceof LoadShape.ClosedLoop closed) {
                long rampNanos = closed.rampUp().toNanos();
                int users = closed.users();
                for (int u = 0; u < users; u++) {
                    long delay = users == 1 ? 0 : rampNanos * u / users;
                    User user = new User(client.loop(u % client.loopCount()), u % client.loopCount(),
                            sessions == null ? null : sessions.forUser(u));
                    user.loop.executor.schedule(user::turn, delay, TimeUnit.NANOSECONDS);
                }
            }
            // Hard bound: the last request may start just before the end and then runs into its timeout.
            long hardEnd = endNanos + config.timeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                long now = System.nanoTime();
                boolean noMoreSends = stopping || now >= endNanos;
                if (noMoreSends && sendingNow.get() == 0 && metrics.inFlight() == 0) {
                    break;
                }
                String stopReason = signal.reason();
                if (stopReason != null && stop == null) {
                    stop(RunStop.byUser(stopReason));
                }
                if (now > hardEnd) {
                    stop(new RunStop(RunStop.Kind.TIME_LIMIT, "run exceeded " + Format.duration(config.maxRunTime()) + " (bug?)"));
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
            if (requestLog != null) {
                requestLog.close();
            }
            List<String> warnings = new ArrayList<>();
            return metrics.measurements(startedAt, stop, warnings);
        }

        /**
         * One loop's requests in flight, oldest first, as a list threaded through the requests themselves: adding and
         * removing allocate nothing, and the loop's deadline sweep ({@link #expire}) looks only at the oldest ones.
         * Every request's deadline is its origin plus the same timeout, and a loop adds its requests in origin order
         * (a closed loop's users send at "now" on the loop; open-loop arrivals reach the loop in schedule order), so
         * the oldest request is always the first to time out. Touched only on its loop.
         */
        final class InFlight {
            private Exchange oldest;
            private Exchange newest;
            /** Requests the loop has put on a connection: the prompts are taken in turn per loop. */
            long sent;

            void add(Exchange e) {
                e.older = newest;
                e.newer = null;
                if (newest != null) {
                    newest.newer = e;
                } else {
                    oldest = e;
                }
                newest = e;
            }

            void remove(Exchange e) {
                if (e.older != null) {
                    e.older.newer = e.newer;
                } else if (oldest == e) {
                    oldest = e.newer;
                } else {
                    return; // not in the list
                }
                if (e.newer != null) {
                    e.newer.older = e.older;
                } else {
                    newest = e.older;
                }
                e.older = null;
                e.newer = null;
            }

            Exchange oldest() {
                return oldest;
            }

            /** Ends, as timed out, every request whose deadline (origin + timeout) is not after {@code now}. */
            void expire(long now) {
                long timeout = config.timeout().toNanos();
                Exchange e;
                while ((e = oldest) != null && now - e.origin >= timeout) {
                    e.finish(ErrorKind.TIMEOUT.key(), now);
                }
            }
        }

        /** Records why the run stopped (the first reason wins) and closes the send window. */
        private synchronized RunStop stopWith(RunStop why) {
            if (stop == null) {
                stop = why;
                metrics.sendingStopped(System.nanoTime());
            }
            stopping = true;
            return stop;
        }

        /**
         * Stops sending, and ends every request still in flight as the stop says (aborted, or cut by the user), each
         * on its own event loop.
         */
        void stop(RunStop why) {
            String outcome = stopWith(why).inFlightOutcome().key();
            for (int i = 0; i < client.loopCount(); i++) {
                InFlight open = inFlight.get(i);
                client.loop(i).executor.execute(() -> {
                    Exchange e;
                    while ((e = open.oldest()) != null) {
                        e.finish(outcome, System.nanoTime());
                    }
                });
            }
        }

        void shutdown() {
            stopping = true;
            timers.shutdownNow();
            client.close();
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
                if (!stopping) {
                    metrics.sendingStopped(System.nanoTime());
                }
                stopping = true;
                sendingNow.decrementAndGet();
                return false;
            }
            return true;
        }

        /** Closed loop: one user, on one event loop; it sends its next request when the previous one ended. */
        final class User {
            final LoadClient.Loop loop;
            final int index;
            /** This user's conversations (null without a workload). */
            final Session session;

            User(LoadClient.Loop loop, int index, Session session) {
                this.loop = loop;
                this.index = index;
                this.session = session;
            }

            void turn() {
                long now = System.nanoTime();
                if (!mayStart(now)) {
                    return;
                }
                if (session == null) {
                    send(loop, index, now, this::turn);
                } else {
                    send(loop, index, now, this::answered, session.next(), session);
                }
            }

            /** The last turn ended: the user thinks before the next turn of the same conversation, not before a new one. */
            void answered() {
                long think = session.continues() ? session.thinkMillis() : 0;
                if (think > 0) {
                    loop.executor.schedule(this::turn, think, TimeUnit.MILLISECONDS);
                } else {
                    turn();
                }
            }
        }

        /**
         * Open loop: Poisson arrivals; each request's latency counts from its scheduled time, however late it is
         * sent. This thread keeps the schedule (parking to the arrival, finer than a selector's millisecond) and hands
         * each arrival to the next event loop.
         */
        void arrivals(double rate) {
            Random random = new Random(config.seed());
            double meanGapNanos = 1e9 / rate;
            long next = startNanos;
            int loops = client.loopCount();
            int turn = 0;
            Session drawn = sessions == null ? null : sessions.forUser(0);
            while (true) {
                next += (long) (-Math.log(1.0 - random.nextDouble()) * meanGapNanos);
                long wait;
                while ((wait = next - System.nanoTime()) > 0 && !stopping) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                }
                if (!mayStart(next)) {
                    return;
                }
                long origin = next;
                int index = turn++ % loops;
                LoadClient.Loop loop = client.loop(index);
                Turn t = drawn == null ? null : drawn.next();
                loop.executor.execute(() -> send(loop, index, origin, null, t, null));
            }
        }

        /** Sends one request on {@code loop} (called on it); the caller got {@code true} from {@link #mayStart}. */
        void send(LoadClient.Loop loop, int index, long origin, Runnable then) {
            send(loop, index, origin, then, null, null);
        }

        /** The same for one turn of a workload ({@code turn} null: the run's prompts in turn). */
        void send(LoadClient.Loop loop, int index, long origin, Runnable then, Turn turn, Session session) {
            try {
                if (signal.beforeSend != null) {
                    signal.beforeSend.accept(() -> stop != null);
                }
                sendNow(loop, index, origin, then, turn, session);
            } finally {
                sendingNow.decrementAndGet();
            }
        }

        private void sendNow(LoadClient.Loop loop, int index, long origin, Runnable then, Turn turn, Session session) {
            if (stop != null) {
                // stop() ran while this request was on its way (after mayStart, from another thread): it is not sent,
                // so it is not counted either; counting it as cut would count a request the server never saw. Past
                // this check the stop's cut of this loop's requests runs after this task, and finds this one.
                return;
            }
            Exchange ex = new Exchange(loop, index, origin, then, turn, session);
            ex.measured = metrics.started(origin);
            inFlight.get(index).add(ex);
            if (refused != null) {
                clientError(ex, refused);
                return;
            }
            HttpConnection c = loop.idle();
            if (c != null) {
                ex.start(c);
                return;
            }
            if (!loop.mayOpen()) {
                clientFault(ex, ClientLimits.outOfDescriptors());
                return;
            }
            loop.connect((opened, err) -> {
                if (ex.finished) {
                    if (opened != null) {
                        loop.release(opened);
                    }
                } else if (opened == null) {
                    String fault = ClientLimits.fault(err);
                    if (fault != null) {
                        clientFault(ex, fault);
                    } else {
                        ex.finish(HttpConnection.classify(err, false).key(), System.nanoTime());
                    }
                } else {
                    ex.start(opened);
                }
            });
        }

        /** The client itself cannot go on (out of descriptors or memory): not the server's connection error. */
        private void clientFault(Exchange ex, String why) {
            RunStop clientStop = stopWith(new RunStop(RunStop.Kind.CLIENT_ERROR, why));
            ex.finish(ErrorKind.CLIENT_ERROR.key(), System.nanoTime());
            stop(clientStop);
        }

        /**
         * The client refused the request before sending it (a header it will not send). It is counted as
         * {@code client_error} and the run stops: every request is built alike, so all would fail the same way.
         */
        private void clientError(Exchange ex, RuntimeException e) {
            String why = "a request could not be sent: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
            RunStop clientStop = stopWith(new RunStop(RunStop.Kind.CLIENT_ERROR, why));
            ex.finish(ErrorKind.CLIENT_ERROR.key(), System.nanoTime());
            stop(clientStop);
        }

        void tick() {
            long now = System.nanoTime();
            double interval = (now - lastTickNanos) / 1e9;
            lastTickNanos = now;
            RunRecorder.Tick s = metrics.tick(interval, live ? 10 : 1);
            // A tick that lands on the end of the warm-up still reports it as warm-up.
            boolean warm = now < measureFromNanos + TimeUnit.MILLISECONDS.toNanos(100);
            long elapsed = warm ? now - startNanos : now - measureFromNanos;
            String clock = warm
                    ? String.format(Locale.ROOT, "warm-up %s/%s", secs(Math.min(elapsed, config.warmup().toNanos())),
                            secs(config.warmup().toNanos()))
                    : String.format(Locale.ROOT, "%s/%s%s", secs(Math.min(elapsed, config.duration().toNanos())),
                            secs(config.duration().toNanos()), stop != null ? ", stopping"
                                    : stopping || now >= endNanos ? ", finishing" : "");
            String line = String.format(Locale.ROOT, "[%s] in-flight %d | done %d | errors %d | p50 %s p95 %s | %.0f tok/s",
                    clock, s.inFlight(), s.measuredFinished(), s.failed(), Format.millis(s.p50Ms()),
                    Format.millis(s.p95Ms()), s.tokensPerSecond());
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

        /**
         * How often each loop looks for requests past their deadline: a twentieth of the timeout, between 1 ms and
         * 20 ms, so a timeout is counted at most that late and the sweep costs nothing beside the requests.
         */
        static long sweepPeriodNanos(Duration timeout) {
            return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(20), timeout.toNanos() / 20));
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
                stop(new RunStop(RunStop.Kind.MAX_ERROR_RATE, String.format(Locale.ROOT,
                        "error rate %s (%d of %d) exceeded --max-error-rate %s",
                        Format.share((double) o[1] / o[0]), o[1], o[0], Format.share(max))));
            }
        }

        /**
         * One request: its answer parser, deadline and the single place where it ends. Lives on one event loop; the
         * connection that carries it reports the answer's end, a deadline or a stop ends it early.
         */
        final class Exchange extends HttpConnection.Request {
            final LoadClient.Loop loop;
            final int loopIndex;
            final long origin;
            final Runnable then;
            boolean measured;
            boolean finished;
            /** Its bytes were handed to a connection (false while its connection is still opening). */
            boolean written;
            /** Neighbours in its loop's {@link InFlight} list. */
            Exchange older;
            Exchange newer;
            HttpConnection connection;

            /** A workload's turn (null: the run's prompts in turn), and the conversation it belongs to (null: none). */
            final Turn turn;
            final Session session;

            Exchange(LoadClient.Loop loop, int loopIndex, long origin, Runnable then, Turn turn, Session session) {
                super(config.stream(), new AnswerParser(config.api(), session != null && config.workload().conversations()));
                this.loop = loop;
                this.loopIndex = loopIndex;
                this.origin = origin;
                this.then = then;
                this.turn = turn;
                this.session = session;
            }

            void start(HttpConnection c) {
                connection = c;
                written = true;
                c.send(this, turn == null ? client.request(inFlight.get(loopIndex).sent++) : encode(turn));
            }

            /** This turn's request, encoded now: its body is its own (a length drawn, a conversation grown). */
            private ByteBuf encode(Turn t) {
                return Unpooled.wrappedBuffer(LoadClient.encode(target, requestBody(config, t), accept, config.headers()));
            }

            @Override
            void ended(String errorKey, long endNanos) {
                connection = null;
                finish(errorKey, endNanos);
            }


            /** Ends this request exactly once: records it, drops its connection if still busy, starts the next turn. */
            void finish(String errorKey, long endNanos) {
                if (finished) {
                    return;
                }
                finished = true;
                inFlight.get(loopIndex).remove(this); // first: the deadline sweep and a stop walk this list
                if (connection != null) {
                    connection.abandon(this);
                    connection = null;
                }
                if (!written && ErrorKind.STOPPED_BY_USER.key().equals(errorKey)) {
                    // Cut by Ctrl-C while its connection was opening: the server never saw it, so it is not counted.
                    metrics.withdrawn(measured);
                    if (then != null) {
                        loop.executor.execute(then); // the user's turn sees the stop and ends
                    }
                    return;
                }
                boolean ok = errorKey == null;
                RequestRecord record = RequestRecord.of(measured, origin, endNanos, errorKey, parser());
                metrics.finished(record, loopIndex); // always on its loop: the loop's shard
                if (turn != null) {
                    traffic.ended(turn, record, turn.maxTokens() > 0 ? turn.maxTokens() : config.maxTokens(),
                            parser().cachedTokens);
                    if (session != null && ok) {
                        session.answered(parser().answerText == null ? "" : parser().answerText.toString());
                    } else if (session != null) {
                        session.failed();
                    }
                }
                if (requestLog != null) {
                    requestLog.ended(record, turn == null ? 0 : turn.number(), parser().cachedTokens);
                }
                if (!stopping && !record.stoppedByUser()) {
                    String allFailing = failureStreak.ended(errorKey, endNanos);
                    if (allFailing != null) {
                        stop(new RunStop(RunStop.Kind.ALL_FAILING, allFailing));
                    }
                }
                if (config.maxErrorRate() != null && !ok) {
                    checkErrorRate();
                }
                if (then != null) {
                    if (ok) {
                        then.run(); // the user's next request starts right here, on its connection's loop
                    } else {
                        // After a failure, through the loop's queue: a failure that comes back at once (nothing
                        // listens) must not recurse.
                        loop.executor.execute(then);
                    }
                }
            }
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
