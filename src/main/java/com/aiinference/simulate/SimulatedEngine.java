package com.aiinference.simulate;

import com.aiinference.io.NettyTransport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for an Ollama server on 127.0.0.1: {@code POST /api/generate} and {@code /api/chat} (NDJSON
 * stream or one JSON), the OpenAI-compatible {@code POST /v1/completions} and {@code /v1/chat/completions} (SSE), and the probes
 * {@code GET /}, {@code /api/version}, {@code /api/tags}, {@code /api/ps}. Timing, parallelism, queue and
 * faults follow {@link SimulatedEngineConfig}. With {@link SimulatedEngineConfig.Engine#VLLM} it speaks vLLM's OpenAI server
 * instead: the two OpenAI routes, {@code GET /v1/models}, {@code /health} and {@code /metrics} (the Prometheus
 * gauges and counters {@code verify} and a dashboard read), and nothing of Ollama's API.
 *
 * <p>Served by one Netty event loop (one thread owns every connection, queue and timer of this server, so its state
 * needs no lock): any number of open streams cost a few MB and no thread each. Requests are decoded by Netty's HTTP
 * codec; answers are written as raw bytes, because fault injection needs to own them: a TCP reset mid-stream
 * (SO_LINGER 0 then close), a stream that ends without its last line, a stall, a non-JSON line, a body shorter than
 * its Content-Length. A chunked answer's head goes out with its first chunk, in one write, as Go's net/http does
 * for Ollama.
 */
public final class SimulatedEngine implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final String BUSY_MESSAGE = "server busy, please try again. maximum pending requests exceeded";
    private static final String[] WORDS = {
        " The", " cluster", " holds", " fifty", " users", " on", " ten", " replicas", " with", " one",
        " L4", " each", ",", " and", " the", " queue", " stays", " short", "."
    };

    private final SimulatedEngineConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel server;
    private final Random random;
    /** vLLM's prefix cache (null for Ollama, whose answers carry no cached-token count). */
    private final PrefixCache prefixCache;
    private final ArrayDeque<Generation> waiting = new ArrayDeque<>();
    private final Set<String> models;
    private long idSeq;
    private int active;
    /** When set, one line per finished answer with its server-side times ({@link #logTimes}). */
    private Writer timingLog;
    private final long clockZero = System.nanoTime();

    private final AtomicLong httpRequests = new AtomicLong();
    private final AtomicLong generateRequests = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong rejectedBusy = new AtomicLong();
    private final AtomicLong injectedBusy = new AtomicLong();
    private final AtomicLong modelNotFound = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final AtomicLong garbage = new AtomicLong();
    private final AtomicLong cuts = new AtomicLong();
    private final AtomicLong clientAborts = new AtomicLong();
    private final AtomicLong tokensSent = new AtomicLong();
    private final AtomicLong peakActive = new AtomicLong();
    private final AtomicLong peakQueued = new AtomicLong();
    private final AtomicLong openConnections = new AtomicLong();
    private final AtomicLong peakConnections = new AtomicLong();
    private final AtomicLong promptTokensTotal = new AtomicLong();
    private final AtomicLong cachedTokensTotal = new AtomicLong();
    private final java.util.Map<String, AtomicLong> finishedByReason = new java.util.concurrent.ConcurrentSkipListMap<>();

    private SimulatedEngine(SimulatedEngineConfig config) {
        this.config = config;
        this.models = new HashSet<>(config.models());
        this.random = new Random(config.seed());
        // 64k blocks of 16 tokens: a million prompt tokens, a few GB of KV cache on a real GPU.
        this.prefixCache = config.engine() == SimulatedEngineConfig.Engine.VLLM ? new PrefixCache(4, 65_536) : null;
        NettyTransport transport = NettyTransport.current();
        this.group = transport.group(1, "fake-ollama");
        this.loop = group.next();
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                // A deep accept backlog: load tests open thousands of connections in the same millisecond.
                .option(ChannelOption.SO_BACKLOG, 16_384)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpRequestDecoder(4096, MAX_HEADER_BYTES, 64 * 1024),
                                new HttpObjectAggregator(MAX_BODY_BYTES), new Connection());
                    }
                });
        ChannelFuture bound = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            Throwable t = bound.cause();
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + config.port() + ": " + t.getMessage(),
                    t instanceof IOException io ? io : new IOException(t));
        }
        this.server = bound.channel();
    }

    /** Starts a server on 127.0.0.1 with this behaviour; close it when done. */
    public static SimulatedEngine start(SimulatedEngineConfig config) {
        return new SimulatedEngine(config);
    }

    /**
     * From now on, writes one line per answer that ended in full to {@code log}: {@code received_us first_token_us
     * last_token_us tokens}, microseconds on this server's clock (since it started), the times the bytes were handed
     * to the socket. A benchmark compares a client's TTFT and ITL with these.
     */
    public void logTimes(Writer log) {
        loop.execute(() -> timingLog = log);
    }

    public SimulatedEngineConfig config() {
        return config;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** {@code http://127.0.0.1:PORT/api/generate}, the URL shape of the stack's {@code endpoint} output. */
    public URI generateUri() {
        return baseUri().resolve("/api/generate");
    }

    /** Generate requests (all three APIs) received, whatever their outcome: this replica's share of traffic. */
    public long requestsServed() {
        return generateRequests.get();
    }

    /** A consistent-enough snapshot of the counters (each counter is exact; they are read one after another). */
    public Stats stats() {
        return new Stats(httpRequests.get(), generateRequests.get(), completed.get(), rejectedBusy.get(),
                injectedBusy.get(), modelNotFound.get(), badRequests.get(), resets.get(), stalls.get(), garbage.get(),
                cuts.get(), clientAborts.get(), tokensSent.get(), peakActive.get(), peakQueued.get(),
                peakConnections.get());
    }

    /**
     * What this server did.
     *
     * @param httpRequests     every HTTP request parsed (probes included)
     * @param generateRequests POSTs to /api/generate, /v1/completions, /v1/chat/completions
     * @param completed        answers sent in full (final done line / [DONE])
     * @param rejectedBusy     503 because the queue was full (OLLAMA_MAX_QUEUE reached)
     * @param injectedBusy     503 injected by the busy fault
     * @param modelNotFound    404 unknown model
     * @param badRequests      400 (invalid JSON, no model, ...)
     * @param resets           connections reset mid-answer on purpose
     * @param stalls           answers stalled on purpose
     * @param garbage          answers with a non-JSON line (they still complete)
     * @param cuts             answers ended early without their final line
     * @param clientAborts     answers the client hung up on before they ended (e.g. client timeout)
     * @param tokensSent       tokens written
     * @param peakActive       most answers generating at once
     * @param peakQueued       most requests waiting for a slot at once
     * @param peakConnections  most TCP connections open at once
     */
    public record Stats(long httpRequests, long generateRequests, long completed, long rejectedBusy,
                        long injectedBusy, long modelNotFound, long badRequests, long resets, long stalls,
                        long garbage, long cuts, long clientAborts, long tokensSent, long peakActive,
                        long peakQueued, long peakConnections) {
        /** 503s of either cause. */
        public long busy() {
            return rejectedBusy + injectedBusy;
        }

        /** One line for logs and the simulate command. */
        public String summary() {
            return String.format(Locale.ROOT,
                    "%d generate requests: %d completed, %d busy (503), %d model not found (404), %d bad (400), "
                            + "%d reset, %d stalled, %d garbage, %d cut, %d abandoned by client; "
                            + "peak %d generating, %d queued, %d connections",
                    generateRequests, completed, busy(), modelNotFound, badRequests, resets, stalls, garbage, cuts,
                    clientAborts, peakActive, peakQueued, peakConnections);
        }
    }

    /** Stops listening, drops every connection and waits (bounded) for the I/O thread to end. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        Writer log = timingLog;
        if (log != null) {
            try {
                log.flush();
            } catch (IOException ignored) {
                // the log is the caller's; best effort
            }
        }
    }

    private void schedule(long deadlineNanos, Runnable action) {
        loop.schedule(action, deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- HTTP/1.1 connection (on the event loop)

    private final class Connection extends ChannelInboundHandlerAdapter {
        Channel ch;
        /** Requests that arrived while an answer was going out (pipelining): served in order. */
        final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
        boolean responding;
        boolean closeAfterResponse;
        boolean closed;
        Generation generation;
        /** Head of a chunked response, sent with its first chunk (as Go's net/http does for Ollama). */
        byte[] pendingHead;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ch = ctx.channel();
            peakConnections.accumulateAndGet(openConnections.incrementAndGet(), Math::max);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest req)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (closed) {
                req.release();
                return;
            }
            queued.add(req);
            serveNext();
        }

        void serveNext() {
            FullHttpRequest req;
            while (!responding && !closed && (req = queued.poll()) != null) {
                try {
                    serve(req);
                } finally {
                    req.release();
                }
            }
        }

        private void serve(FullHttpRequest req) {
            responding = true;
            if (req.decoderResult().isFailure()) {
                Throwable cause = req.decoderResult().cause();
                if (cause instanceof TooLongFrameException) {
                    respond(431, "text/plain", "request header too large", true);
                } else {
                    respond(400, "text/plain", "malformed request", true);
                }
                return;
            }
            closeAfterResponse = !HttpUtil.isKeepAlive(req);
            httpRequests.incrementAndGet();
            byte[] body = new byte[req.content().readableBytes()];
            req.content().getBytes(req.content().readerIndex(), body);
            route(this, req.method().name(), req.uri(), body);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                responding = true;
                respond(413, "text/plain", "request body too large", true);
            } else {
                closeQuietly();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed) {
                // The client hung up. If it was waiting for an answer, that answer is abandoned.
                if (generation != null && !generation.finished) {
                    clientAborts.incrementAndGet();
                }
                markClosed();
            }
        }

        void respond(int status, String contentType, String body, boolean close) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            closeAfterResponse |= close;
            String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Length: " + bytes.length + "\r\n"
                    + (closeAfterResponse ? "Connection: close\r\n" : "")
                    + "\r\n";
            responding = true;
            // One buffer, one write: small separate writes cost a syscall (and a TCP segment) each.
            byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = Arrays.copyOf(h, h.length + bytes.length);
            System.arraycopy(bytes, 0, all, h.length, bytes.length);
            write(all);
            finishResponse();
        }

        void startChunked(String contentType) {
            pendingHead = ("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + (closeAfterResponse ? "Connection: close\r\n" : "")
                    + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        /** One chunk (with the response head before it, if not sent yet) in a single write. */
        void chunk(String text) {
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            byte[] head = pendingHead == null ? EMPTY : pendingHead;
            pendingHead = null;
            byte[] all = new byte[head.length + size.length + data.length + 2];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(size, 0, all, head.length, size.length);
            System.arraycopy(data, 0, all, head.length + size.length, data.length);
            all[all.length - 2] = '\r';
            all[all.length - 1] = '\n';
            write(all);
        }

        void endChunked() {
            if (pendingHead != null) {
                write(pendingHead);
                pendingHead = null;
            }
            write(LAST_CHUNK);
            finishResponse();
        }

        void finishResponse() {
            generation = null;
            if (closeAfterResponse) {
                closeAfterWrites();
                return;
            }
            responding = false;
            // Requests that arrived while this one was answered (pipelining) are served now, in order.
            if (!queued.isEmpty()) {
                loop.execute(this::serveNext);
            }
        }

        void write(byte[] bytes) {
            if (closed) {
                return;
            }
            ch.writeAndFlush(Unpooled.wrappedBuffer(bytes), ch.voidPromise());
        }

        /** RST instead of FIN: with SO_LINGER 0 the kernel discards unsent data and resets the connection. */
        void reset() {
            if (closed) {
                return;
            }
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            closeQuietly();
        }

        /** Closes once what was written is out (a body cut short must still reach the client). */
        void closeAfterWrites() {
            if (closed) {
                return;
            }
            markClosed();
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        void closeQuietly() {
            if (closed) {
                return;
            }
            markClosed();
            ch.close();
        }

        private void markClosed() {
            closed = true;
            openConnections.decrementAndGet();
            queued.forEach(FullHttpRequest::release);
            queued.clear();
            if (generation != null && !generation.finished) {
                generation.abandon();
            }
        }
    }

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 411 -> "Length Required";
            case 413 -> "Payload Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    // ---------------------------------------------------------------- routes

    private enum Api {
        OLLAMA, OLLAMA_CHAT, COMPLETIONS, CHAT;

        /** Ollama's own API: NDJSON lines, errors as {@code {"error": "..."}}, streaming unless told otherwise. */
        boolean ollama() {
            return this == OLLAMA || this == OLLAMA_CHAT;
        }
    }

    private enum Fault { NONE, RESET, STALL, GARBAGE, CUT }

    private void route(Connection c, String method, String target, byte[] body) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        boolean get = "GET".equals(method) || "HEAD".equals(method);
        if (config.engine() == SimulatedEngineConfig.Engine.VLLM) {
            routeVllm(c, method, path, get, body);
            return;
        }
        switch (path) {
            case "/" -> {
                if (get) {
                    c.respond(200, "text/plain; charset=utf-8", "Ollama is running", false);
                } else {
                    c.respond(405, "text/plain", "405 method not allowed", false);
                }
            }
            case "/api/version" -> getOnly(c, get, () -> "{\"version\":" + quote(config.version()) + "}");
            case "/api/tags" -> getOnly(c, get, this::tagsJson);
            case "/api/ps" -> getOnly(c, get, this::psJson);
            case "/api/generate" -> postOnly(c, method, Api.OLLAMA, body);
            case "/api/chat" -> postOnly(c, method, Api.OLLAMA_CHAT, body);
            case "/v1/completions" -> postOnly(c, method, Api.COMPLETIONS, body);
            case "/v1/chat/completions" -> postOnly(c, method, Api.CHAT, body);
            default -> c.respond(404, "text/plain", "404 page not found", false);
        }
    }

    /** vLLM's OpenAI server: its routes only (FastAPI answers 404 {"detail":"Not Found"} to any other). */
    private void routeVllm(Connection c, String method, String path, boolean get, byte[] body) {
        switch (path) {
            case "/health" -> {
                if (get) {
                    c.respond(200, "application/json", "", false);
                } else {
                    c.respond(405, "application/json", "{\"detail\":\"Method Not Allowed\"}", false);
                }
            }
            case "/v1/models" -> getOnly(c, get, this::modelsJson);
            case "/metrics" -> {
                if (get) {
                    c.respond(200, "text/plain; version=0.0.4; charset=utf-8", metricsText(), false);
                } else {
                    c.respond(405, "application/json", "{\"detail\":\"Method Not Allowed\"}", false);
                }
            }
            case "/v1/completions" -> postOnly(c, method, Api.COMPLETIONS, body);
            case "/v1/chat/completions" -> postOnly(c, method, Api.CHAT, body);
            default -> c.respond(404, "application/json", "{\"detail\":\"Not Found\"}", false);
        }
    }

    /** {@code GET /v1/models} as vLLM answers it: the served model names, owned by vllm. */
    private String modelsJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode list = root.putArray("data");
        for (String m : config.models()) {
            ObjectNode o = list.addObject();
            o.put("id", m);
            o.put("object", "model");
            o.put("created", 1_767_225_600L);
            o.put("owned_by", "vllm");
            o.put("root", m);
            o.putNull("parent");
            o.put("max_model_len", 8192);
        }
        return root.toString();
    }

    /**
     * {@code GET /metrics}: vLLM's scheduler gauges and request counters in the Prometheus text format (names as vLLM
     * V1 exports them). KV-cache use is modelled as the share of the {@code --max-num-seqs} slots in use: each running
     * sequence holds one slot's share of the cache.
     */
    private String metricsText() {
        StringBuilder sb = new StringBuilder(2048);
        String label = "{model_name=" + quote(config.models().get(0)) + "}";
        gauge(sb, "vllm:num_requests_running", "Number of requests in model execution batches.", label, active);
        gauge(sb, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", label, waiting.size());
        gauge(sb, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", label,
                (double) active / config.numParallel());
        sb.append("# HELP vllm:request_success_total Count of successfully processed requests.\n")
                .append("# TYPE vllm:request_success_total counter\n");
        for (var e : finishedByReason.entrySet()) {
            sb.append("vllm:request_success_total{finished_reason=\"").append(e.getKey()).append("\",model_name=")
                    .append(quote(config.models().get(0))).append("} ").append(e.getValue().get()).append(".0\n");
        }
        counter(sb, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", label, promptTokensTotal.get());
        // Every prompt token is looked up in the prefix cache ({@link PrefixCache}), and no sequence is ever preempted
        // (its KV cache is the slots, which never overflow).
        counter(sb, "vllm:prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.", label,
                promptTokensTotal.get());
        counter(sb, "vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.", label,
                cachedTokensTotal.get());
        counter(sb, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", label, 0);
        counter(sb, "vllm:generation_tokens_total", "Number of generation tokens processed.", label, tokensSent.get());
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help, String label, double value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n').append("# TYPE ").append(name)
                .append(" gauge\n").append(name).append(label).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder sb, String name, String help, String label, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n').append("# TYPE ").append(name)
                .append(" counter\n").append(name).append(label).append(' ').append(value).append(".0\n");
    }

    private void getOnly(Connection c, boolean get, java.util.function.Supplier<String> json) {
        if (get) {
            c.respond(200, "application/json; charset=utf-8", json.get(), false);
        } else {
            c.respond(405, "text/plain", "405 method not allowed", false);
        }
    }

    private void postOnly(Connection c, String method, Api api, byte[] body) {
        if (!"POST".equals(method)) {
            c.respond(405, "text/plain", "405 method not allowed", false);
            return;
        }
        generateRequests.incrementAndGet();
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            badRequests.incrementAndGet();
            error(c, api, 400, "invalid JSON in request body");
            return;
        }
        if (req == null || !req.isObject()) {
            badRequests.incrementAndGet();
            error(c, api, 400, "request body must be a JSON object");
            return;
        }
        String model = req.path("model").asText("");
        if (model.isBlank()) {
            badRequests.incrementAndGet();
            error(c, api, 400, "model is required");
            return;
        }
        if (!models.contains(model)) {
            modelNotFound.incrementAndGet();
            error(c, api, 404, "model \"" + model + "\" not found, try pulling it first");
            return;
        }
        if (api == Api.OLLAMA_CHAT && !validMessages(req.path("messages"))) {
            badRequests.incrementAndGet();
            error(c, api, 400, "messages must be an array of {\"role\": string, \"content\": string} objects");
            return;
        }
        if (api == Api.OLLAMA_CHAT && req.path("messages").isEmpty()) {
            // Ollama's documented "load a model" call: no messages, the model is loaded, one done line answers.
            c.respond(200, "application/json; charset=utf-8", "{\"model\":" + quote(model) + ",\"created_at\":\""
                    + Instant.now() + "\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                    + "\"done_reason\":\"load\",\"done\":true}", false);
            return;
        }
        // What a tokenizer would see: the prompt, or each message's role and text (the cache key), and the text alone
        // for the count (characters / 4, English text in the Llama 3 and GPT tokenizers).
        String prompt;
        long promptChars;
        if (api == Api.CHAT || api == Api.OLLAMA_CHAT) {
            StringBuilder sb = new StringBuilder();
            long chars = 0;
            for (JsonNode m : req.path("messages")) {
                String content = m.path("content").asText("");
                sb.append(m.path("role").asText("")).append(": ").append(content).append('\n');
                chars += content.length();
            }
            prompt = sb.toString();
            promptChars = chars;
        } else {
            prompt = req.path("prompt").asText("");
            promptChars = prompt.length();
        }
        int limit = switch (api) {
            case OLLAMA, OLLAMA_CHAT -> req.path("options").path("num_predict").asInt(-1);
            default -> req.path("max_tokens").asInt(req.path("max_completion_tokens").asInt(-1));
        };
        // Ollama streams unless told otherwise; the OpenAI API answers in one piece unless told to stream.
        boolean stream = api.ollama() ? req.path("stream").asBoolean(true) : req.path("stream").asBoolean(false);
        boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);

        double r = random.nextDouble();
        SimulatedEngineConfig.Faults f = config.faults();
        Fault fault = Fault.NONE;
        if (r < f.busy()) {
            injectedBusy.incrementAndGet();
            error(c, api, 503, BUSY_MESSAGE);
            return;
        } else if (r < f.busy() + f.reset()) {
            fault = Fault.RESET;
        } else if (r < f.busy() + f.reset() + f.stall()) {
            fault = Fault.STALL;
        } else if (r < f.busy() + f.reset() + f.stall() + f.garbage()) {
            fault = Fault.GARBAGE;
        } else if (r < f.busy() + f.reset() + f.stall() + f.garbage() + f.cut()) {
            fault = Fault.CUT;
        }
        int tokens = limit > 0 ? Math.min(limit, config.tokensPerAnswer()) : config.tokensPerAnswer();
        String doneReason = limit > 0 && limit < config.tokensPerAnswer() ? "length" : "stop";
        Generation g = new Generation(c, api, model, stream, includeUsage, tokens, doneReason,
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, (promptChars + 3) / 4)), fault);
        g.prompt = prompt;
        c.generation = g;
        if (active < config.numParallel()) {
            g.begin();
        } else if (config.engine() == SimulatedEngineConfig.Engine.VLLM || waiting.size() < config.maxQueue()) {
            waiting.add(g);
            peakQueued.accumulateAndGet(waiting.size(), Math::max);
        } else {
            c.generation = null;
            rejectedBusy.incrementAndGet();
            error(c, api, 503, BUSY_MESSAGE);
        }
    }

    /** Absent, or an array of messages each with a string role and (when present) string content, as Ollama decodes them. */
    private static boolean validMessages(JsonNode messages) {
        if (messages.isMissingNode() || messages.isNull()) {
            return true;
        }
        if (!messages.isArray()) {
            return false;
        }
        for (JsonNode m : messages) {
            if (!m.isObject() || !m.path("role").isTextual()
                    || !(m.path("content").isMissingNode() || m.path("content").isTextual())) {
                return false;
            }
        }
        return true;
    }

    private void error(Connection c, Api api, int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        if (api.ollama()) {
            body.put("error", message);
        } else {
            ObjectNode err = body.putObject("error");
            err.put("message", message);
            err.put("type", status == 503 ? "server_error" : "invalid_request_error");
            err.putNull("param");
            err.putNull("code");
        }
        c.respond(status, "application/json; charset=utf-8", body.toString(), false);
    }

    private String tagsJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("models");
        for (String m : config.models()) {
            ObjectNode o = list.addObject();
            o.put("name", m);
            o.put("model", m);
            o.put("modified_at", "2026-01-01T00:00:00Z");
            o.put("size", 4_920_753_328L);
            o.put("digest", digest(m));
            ObjectNode d = o.putObject("details");
            d.put("format", "gguf");
            d.put("family", "llama");
            d.put("parameter_size", "8.0B");
            d.put("quantization_level", "Q4_K_M");
        }
        return root.toString();
    }

    private String psJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("models");
        for (String m : config.models()) {
            ObjectNode o = list.addObject();
            o.put("name", m);
            o.put("model", m);
            o.put("size", 6_654_289_920L);
            o.put("digest", digest(m));
            o.put("expires_at", "2318-01-01T00:00:00Z");
            o.put("size_vram", 6_654_289_920L);
        }
        return root.toString();
    }

    private static String digest(String model) {
        return String.format(Locale.ROOT, "%064x", (long) model.hashCode() & 0xffffffffL);
    }

    private static String quote(String s) {
        return JSON.getNodeFactory().textNode(s).toString();
    }

    // ---------------------------------------------------------------- one answer

    private final class Generation {
        final Connection c;
        final Api api;
        final String modelJson;
        final boolean stream;
        final boolean includeUsage;
        final int tokens;
        final String doneReason;
        final int promptTokens;
        /** The prompt as the prefix cache keys it; dropped once looked up. */
        String prompt;
        /** Prompt tokens taken from the prefix cache (vLLM), looked up when the answer takes its slot. */
        int cachedTokens;
        long prefillNanos;
        final Fault fault;
        final long received = System.nanoTime();
        final String id = "cmpl-" + (++idSeq);
        final long created = Instant.now().getEpochSecond();
        final StringBuilder text = new StringBuilder();
        long began;
        /** When the next token is due: on the server's own clock, so a late token does not delay the ones after it. */
        long due;
        /** The modelled decode time, reported as eval_duration: one delay per token at the load it was made under. */
        long decodeNanos = config.interTokenDelay().toNanos();
        /** Ollama's OpenAI layer names itself in every chunk; vLLM sends no fingerprint. */
        final String fingerprint = config.engine() == SimulatedEngineConfig.Engine.VLLM ? ""
                : "\"system_fingerprint\":\"fp_ollama\",";
        long firstSent;
        long lastSent;
        int emitted;
        boolean started;
        boolean finished;

        Generation(Connection c, Api api, String model, boolean stream, boolean includeUsage, int tokens,
                   String doneReason, int promptTokens, Fault fault) {
            this.c = c;
            this.api = api;
            this.modelJson = quote(model);
            this.stream = stream;
            this.includeUsage = includeUsage;
            this.tokens = tokens;
            this.doneReason = doneReason;
            this.promptTokens = promptTokens;
            this.fault = fault;
        }

        /** Takes a slot and schedules the first token. */
        void begin() {
            started = true;
            active++;
            peakActive.accumulateAndGet(active, Math::max);
            began = System.nanoTime();
            if (prefixCache != null && prompt != null) {
                cachedTokens = prefixCache.lookupAndAdd(prompt, promptTokens);
            }
            prompt = null;
            prefillNanos = config.prefill(promptTokens, cachedTokens).toNanos();
            due = began + config.timeToFirstToken().toNanos() + prefillNanos;
            schedule(due, this::nextToken);
        }

        int faultAt() {
            return tokens / 2;
        }

        void nextToken() {
            if (finished) {
                return;
            }
            if (fault != Fault.NONE && emitted == faultAt()) {
                injectFault();
                if (finished || fault == Fault.STALL) {
                    return;
                }
            }
            String word = WORDS[emitted % WORDS.length];
            emitted++;
            tokensSent.incrementAndGet();
            text.append(word);
            if (stream) {
                if (emitted == 1) {
                    c.startChunked(api.ollama() ? "application/x-ndjson" : "text/event-stream");
                }
                c.chunk(tokenEvent(word));
                lastSent = System.nanoTime();
                if (emitted == 1) {
                    firstSent = lastSent;
                }
            }
            if (emitted < tokens) {
                long delay = config.interTokenDelay(active).toNanos();
                decodeNanos += delay;
                due += delay;
                schedule(due, this::nextToken);
            } else {
                complete();
            }
        }

        void injectFault() {
            switch (fault) {
                case RESET -> {
                    resets.incrementAndGet();
                    release();
                    c.reset();
                }
                case STALL -> {
                    // Keeps its slot and the connection, says nothing more: only the client's timeout ends it.
                    stalls.incrementAndGet();
                    if (stream && emitted == 0) {
                        c.startChunked(api.ollama() ? "application/x-ndjson" : "text/event-stream");
                    }
                }
                case GARBAGE -> {
                    garbage.incrementAndGet();
                    if (stream) {
                        c.chunk(api.ollama() ? "<html>502 Bad Gateway</html>\n" : "data: {\"choices\": [\n\n");
                    } else {
                        release();
                        c.respond(200, "application/json; charset=utf-8", "<html>502 Bad Gateway</html>", false);
                    }
                }
                case CUT -> {
                    cuts.incrementAndGet();
                    release();
                    if (stream) {
                        c.endChunked();
                    } else {
                        // Headers promise a body that never fully arrives: the connection closes early.
                        byte[] promised = ("{\"model\":" + modelJson + ",\"response\":\"" + text).getBytes(
                                StandardCharsets.UTF_8);
                        c.closeAfterResponse = true;
                        c.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                                + "Content-Length: " + (promised.length * 2) + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                        c.write(promised);
                        c.closeAfterWrites();
                    }
                }
                default -> throw new IllegalStateException(fault.name());
            }
        }

        String tokenEvent(String word) {
            return switch (api) {
                case OLLAMA -> "{\"model\":" + modelJson + ",\"created_at\":\"" + Instant.now()
                        + "\",\"response\":\"" + word + "\",\"done\":false}\n";
                case OLLAMA_CHAT -> "{\"model\":" + modelJson + ",\"created_at\":\"" + Instant.now()
                        + "\",\"message\":{\"role\":\"assistant\",\"content\":\"" + word + "\"},\"done\":false}\n";
                case COMPLETIONS -> "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":"
                        + created + ",\"model\":" + modelJson + "," + fingerprint
                        + "\"choices\":[{\"text\":\"" + word + "\",\"index\":0,\"finish_reason\":null}]}\n\n";
                case CHAT -> "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                        + created + ",\"model\":" + modelJson + "," + fingerprint
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + word
                        + "\"},\"finish_reason\":null}]}\n\n";
            };
        }

        void complete() {
            long now = System.nanoTime();
            long evalNs = decodeNanos;
            long promptNs = config.timeToFirstToken().toNanos() + prefillNanos;
            // vLLM says how much of the prompt came from its prefix cache (with --enable-prompt-tokens-details).
            String details = prefixCache == null ? "" : ",\"prompt_tokens_details\":{\"cached_tokens\":" + cachedTokens + "}";
            String usage = "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + tokens
                    + ",\"total_tokens\":" + (promptTokens + tokens) + details + "}";
            release();
            completed.incrementAndGet();
            promptTokensTotal.addAndGet(promptTokens);
            cachedTokensTotal.addAndGet(cachedTokens);
            finishedByReason.computeIfAbsent(doneReason, k -> new AtomicLong()).incrementAndGet();
            if (timingLog != null && stream) {
                logTimes();
            }
            switch (api) {
                case OLLAMA, OLLAMA_CHAT -> {
                    String said = stream ? "\"\"" : quote(text.toString());
                    String answer = api == Api.OLLAMA ? "\"response\":" + said
                            : "\"message\":{\"role\":\"assistant\",\"content\":" + said + "}";
                    String done = "{\"model\":" + modelJson + ",\"created_at\":\"" + Instant.now() + "\","
                            + answer + ",\"done\":true,\"done_reason\":\""
                            + doneReason + "\",\"total_duration\":" + (now - received) + ",\"load_duration\":0"
                            + ",\"prompt_eval_count\":" + promptTokens + ",\"prompt_eval_duration\":" + promptNs
                            + ",\"eval_count\":" + tokens + ",\"eval_duration\":" + evalNs + "}";
                    if (stream) {
                        c.chunk(done + "\n");
                        c.endChunked();
                    } else {
                        c.respond(200, "application/json; charset=utf-8", done, false);
                    }
                }
                case COMPLETIONS, CHAT -> {
                    if (stream) {
                        String finish = api == Api.CHAT
                                ? "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                                        + "\"finish_reason\":\"" + doneReason + "\"}]"
                                : "\"choices\":[{\"text\":\"\",\"index\":0,\"finish_reason\":\"" + doneReason + "\"}]";
                        String object = api == Api.CHAT ? "chat.completion.chunk" : "text_completion";
                        String head = "data: {\"id\":\"" + id + "\",\"object\":\"" + object + "\",\"created\":"
                                + created + ",\"model\":" + modelJson + "," + fingerprint;
                        c.chunk(head + finish + "}\n\n");
                        if (includeUsage) {
                            c.chunk(head + "\"choices\":[],\"usage\":" + usage + "}\n\n");
                        }
                        c.chunk("data: [DONE]\n\n");
                        c.endChunked();
                    } else {
                        String choice = api == Api.CHAT
                                ? "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(text.toString())
                                        + "},\"finish_reason\":\"" + doneReason + "\"}"
                                : "{\"text\":" + quote(text.toString()) + ",\"index\":0,\"finish_reason\":\""
                                        + doneReason + "\"}";
                        String object = api == Api.CHAT ? "chat.completion" : "text_completion";
                        c.respond(200, "application/json; charset=utf-8", "{\"id\":\"" + id + "\",\"object\":\""
                                + object + "\",\"created\":" + created + ",\"model\":" + modelJson
                                + "," + fingerprint + "\"choices\":[" + choice + "],\"usage\":"
                                + usage + "}", false);
                    }
                }
            }
        }

        void logTimes() {
            try {
                timingLog.write((received - clockZero) / 1000 + " " + (firstSent - clockZero) / 1000 + " "
                        + (lastSent - clockZero) / 1000 + " " + emitted + "\n");
            } catch (IOException e) {
                timingLog = null; // the log went away; serving goes on
            }
        }

        /** The client went away before the answer ended: free the slot (or the queue place). */
        void abandon() {
            if (finished) {
                return;
            }
            if (started) {
                release();
            } else {
                finished = true;
                waiting.remove(this);
            }
        }

        /** Frees the slot and starts the next waiting request, if any. */
        void release() {
            if (finished) {
                return;
            }
            finished = true;
            if (started) {
                active--;
            }
            Generation next;
            while (active < config.numParallel() && (next = waiting.poll()) != null) {
                if (!next.finished && !next.c.closed) {
                    next.begin();
                }
            }
        }
    }
}
