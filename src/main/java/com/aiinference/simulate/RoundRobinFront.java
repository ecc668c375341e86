package com.aiinference.simulate;

import com.aiinference.io.NettyTransport;
import io.netty.bootstrap.Bootstrap;
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
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A loopback stand-in for the LoadBalancer Service: one HTTP port that forwards each request, round-robin, to the
 * next <em>ready</em> backend and streams the answer back as it arrives (NDJSON/SSE chunks are flushed one by one,
 * so time to first token survives the hop). Each backend counts the requests it was given, the way the chart's
 * per-pod gateway does, so per-replica traffic in the simulation is measured, not assumed.
 *
 * <p>Unlike GKE's passthrough L4 load balancer, which balances connections, this balances requests; with many
 * users both spread evenly.
 */
public final class RoundRobinFront implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length");

    /** One upstream replica: its base URI, whether the "Service" routes to it, and its counters. */
    public static final class Backend {
        private final URI base;
        private final AtomicBoolean ready = new AtomicBoolean(true);
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong forwarded = new AtomicLong();
        private final AtomicLong inFlight = new AtomicLong();
        /** One cut per answer being relayed; running it ends that answer's stream for the client at once. */
        private final Set<Runnable> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Backend(URI base) {
            this.base = base;
        }

        public URI base() {
            return base;
        }

        public boolean ready() {
            return ready.get();
        }

        public void setReady(boolean r) {
            ready.set(r);
        }

        /**
         * Requests this backend has been given: by the front, and by {@link #countDirect()}; what its gateway's
         * stub_status reports (nginx counts the scrape itself too).
         */
        public long requests() {
            return requests.get();
        }

        /** Client requests the front forwarded here; over all backends these add up to {@link RoundRobinFront#forwarded()}. */
        public long forwarded() {
            return forwarded.get();
        }

        /** Requests that reached this backend without the front: {@link #requests()} minus {@link #forwarded()}. */
        public long direct() {
            return requests.get() - forwarded.get();
        }

        public long inFlight() {
            return inFlight.get();
        }

        /**
         * Cuts every answer this backend is streaming, as a container that dies does: clients see their streams end
         * without the final line. Returns how many were cut.
         */
        public int dropInFlight() {
            int n = 0;
            for (Runnable cut : streams) {
                if (streams.remove(cut)) {
                    cut.run();
                    n++;
                }
            }
            return n;
        }

        /** Counts a request that reached this backend without the front (a stub_status scrape). */
        public long countDirect() {
            return requests.incrementAndGet();
        }

        /** The last {@link #ACCESS_LOG_LINES} requests this backend's gateway finished, oldest first. */
        private final java.util.ArrayDeque<Access> accessLog = new java.util.ArrayDeque<>();

        void logged(Access a) {
            synchronized (accessLog) {
                if (accessLog.size() == ACCESS_LOG_LINES) {
                    accessLog.removeFirst();
                }
                accessLog.addLast(a);
            }
        }

        /** The requests finished after {@code since} (exclusive), as the gateway's access log has them. */
        public List<Access> accessLogAfter(java.time.Instant since) {
            synchronized (accessLog) {
                return accessLog.stream().filter(a -> a.end().isAfter(since)).toList();
            }
        }
    }

    /** Lines a backend's simulated access log keeps (nginx's goes to the container's stdout; the kubelet keeps more). */
    static final int ACCESS_LOG_LINES = 100_000;

    /**
     * One line of the gateway's access log, as the chart's {@code log_format inference} writes it: when the request
     * ended, its method and path, the status sent (499 when the client hung up first) and its duration.
     */
    public record Access(java.time.Instant end, String method, String uri, int status, double seconds) {
        /** The JSON line of the chart's log format. */
        public String json() {
            return String.format(java.util.Locale.ROOT, "{\"time\":\"%s\",\"client\":\"10.0.0.1\",\"method\":\"%s\","
                    + "\"uri\":\"%s\",\"status\":%d,\"bytes\":0,\"seconds\":%.3f,\"upstream_seconds\":\"%.3f\"}",
                    end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), method, uri, status, seconds, seconds);
        }
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel server;
    private final Bootstrap upstream;
    private final List<Backend> backends;
    /** Keep-alive connections to each backend, idle; on the front's one event loop. */
    private final Map<Backend, ArrayDeque<Channel>> idle = new HashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile LongConsumer onRequest = n -> { };
    /** Bearer keys the front admits, as the chart's gateway does with apiKeys set; empty admits every request. */
    private volatile Set<String> apiKeys = Set.of();

    private RoundRobinFront(List<URI> upstreams, int port) {
        this.backends = upstreams.stream().map(Backend::new).toList();
        backends.forEach(b -> idle.put(b, new ArrayDeque<>()));
        // One event loop carries every client and backend connection: the front's state needs no lock.
        NettyTransport transport = NettyTransport.current();
        this.group = transport.group(1, "front");
        this.loop = group.next();
        this.upstream = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Relay());
                    }
                });
        ChannelFuture bound = new ServerBootstrap().group(loop).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024 * 1024),
                                new Front());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new java.io.UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": "
                    + bound.cause().getMessage(), new java.io.IOException(bound.cause()));
        }
        this.server = bound.channel();
    }

    /** Starts the front on 127.0.0.1 ({@code port} 0 picks a free one). */
    public static RoundRobinFront start(List<URI> upstreams, int port) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a front needs at least one backend");
        }
        return new RoundRobinFront(upstreams, port);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public List<Backend> backends() {
        return backends;
    }

    /** Requests forwarded so far, over all backends. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Called with the running total after each request is routed (the simulation's fault triggers use it). */
    public void onRequest(LongConsumer listener) {
        this.onRequest = listener;
    }

    /** Answer 401 to requests without {@code Authorization: Bearer <one of keys>}, as the gateway does. */
    public void requireApiKeys(Set<String> keys) {
        this.apiKeys = Set.copyOf(keys);
    }

    private boolean admitted(FullHttpRequest req) {
        if (apiKeys.isEmpty()) {
            return true;
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return auth != null && auth.startsWith("Bearer ") && apiKeys.contains(auth.substring("Bearer ".length()).strip());
    }

    private Backend pick() {
        int n = backends.size();
        for (int i = 0; i < n; i++) {
            Backend b = backends.get(Math.floorMod(next.getAndIncrement(), n));
            if (b.ready()) {
                return b;
            }
        }
        return null;
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String text) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }

    /** A client connection of the front: one request at a time, relayed to the next ready backend. */
    private final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
        /** The exchange relaying the current answer, if any. */
        Exchange current;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!admitted(req)) {
                FullHttpResponse r = plain(HttpResponseStatus.UNAUTHORIZED, "missing or unknown API key\n");
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                ChannelFuture f = ctx.writeAndFlush(r);
                if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            Backend b = pick();
            if (b == null) {
                FullHttpResponse r = plain(HttpResponseStatus.SERVICE_UNAVAILABLE, "no ready backend\n");
                ChannelFuture f = ctx.writeAndFlush(r);
                if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            b.forwarded.incrementAndGet();
            b.requests.incrementAndGet();
            b.inFlight.incrementAndGet();
            onRequest.accept(forwarded.incrementAndGet());
            DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.uri(),
                    req.content().retain());
            req.headers().forEach(h -> {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            });
            out.headers().set(HttpHeaderNames.HOST, b.base().getHost() + ":" + b.base().getPort());
            HttpUtil.setContentLength(out, out.content().readableBytes());
            Exchange ex = new Exchange(ctx.channel(), b, keepAlive);
            ex.method = req.method().name();
            ex.uri = req.uri();
            current = ex;
            ex.forward(out);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (current != null) {
                current.clientGone();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** One request relayed: the client's channel, the backend, the backend connection once it has one. */
    private final class Exchange {
        final Channel client;
        final Backend backend;
        final boolean keepAlive;
        final Runnable cut = () -> loop.execute(this::cut);
        Channel up;
        boolean headSent;
        boolean done;

        final long startNanos = System.nanoTime();
        String method = "POST";
        String uri = "/";

        Exchange(Channel client, Backend backend, boolean keepAlive) {
            this.client = client;
            this.backend = backend;
            this.keepAlive = keepAlive;
        }

        /** The access-log line of this request, as the gateway writes it when the request ends. */
        private void log(int status) {
            backend.logged(new Access(java.time.Instant.now(), method, uri.split("\\?", 2)[0], status,
                    (System.nanoTime() - startNanos) / 1e9));
        }

        void forward(FullHttpRequest req) {
            backend.streams.add(cut);
            Channel c;
            ArrayDeque<Channel> pool = idle.get(backend);
            while ((c = pool.pollLast()) != null && !c.isActive()) {
                // closed while idle
            }
            if (c != null) {
                send(c, req);
                return;
            }
            upstream.connect(backend.base().getHost(), backend.base().getPort()).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    send(f.channel(), req);
                } else {
                    req.release();
                    failed(f.cause());
                }
            });
        }

        private void send(Channel c, FullHttpRequest req) {
            if (done) {
                req.release();
                idle.get(backend).addLast(c);
                return;
            }
            up = c;
            c.pipeline().get(Relay.class).exchange = this;
            c.writeAndFlush(req);
        }

        /** The backend's answer, piece by piece, as it arrives. */
        void relay(HttpObject msg) {
            if (done) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse r) {
                DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status());
                r.headers().forEach(h -> {
                    if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                        head.headers().add(h.getKey(), h.getValue());
                    }
                });
                // The length of a stream is not known: chunked, each piece flushed as it comes (TTFT survives the hop).
                HttpUtil.setTransferEncodingChunked(head, true);
                if (!keepAlive) {
                    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                headSent = true;
                lastResponse = r;
                client.write(head);
            }
            if (msg instanceof HttpContent content) {
                boolean last = msg instanceof LastHttpContent;
                if (last) {
                    boolean reusable = lastResponse != null && HttpUtil.isKeepAlive(lastResponse) && up.isActive();
                    Channel c = up;
                    end(content.retain());
                    if (reusable) {
                        c.pipeline().get(Relay.class).exchange = null;
                        idle.get(backend).addLast(c);
                    } else {
                        c.close();
                    }
                } else {
                    client.writeAndFlush(new DefaultHttpContent(content.content().retain()));
                }
            }
            ReferenceCountUtil.release(msg);
        }

        HttpResponse lastResponse;

        /** Ends the client's answer (the last chunk, or the connection when it asked to close). */
        private void end(HttpContent last) {
            done = true;
            log(lastResponse == null ? 502 : lastResponse.status().code());
            backend.streams.remove(cut);
            backend.inFlight.decrementAndGet();
            ChannelFuture f = client.writeAndFlush(last instanceof LastHttpContent ? last
                    : new DefaultLastHttpContent(last.content()));
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** The backend failed: before its answer a 502, inside it the client's stream just ends. */
        void failed(Throwable cause) {
            if (done) {
                return;
            }
            if (!headSent) {
                done = true;
                log(502);
                backend.streams.remove(cut);
                backend.inFlight.decrementAndGet();
                ChannelFuture f = client.writeAndFlush(plain(HttpResponseStatus.BAD_GATEWAY,
                        "upstream " + backend.base() + " failed: " + cause.getMessage() + "\n"));
                if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
                if (up != null) {
                    up.close();
                }
            } else {
                cut();
            }
        }

        /** The backend's container died (dropInFlight) or went away mid-answer: the stream ends without its final line. */
        void cut() {
            if (done) {
                return;
            }
            if (!headSent) {
                failed(new java.io.IOException("connection dropped"));
                return;
            }
            if (up != null) {
                up.pipeline().get(Relay.class).exchange = null;
                up.close();
            }
            end(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        /** The client hung up: the backend connection goes too (the backend sees the client abort). */
        void clientGone() {
            if (done) {
                return;
            }
            done = true;
            log(499);
            backend.streams.remove(cut);
            backend.inFlight.decrementAndGet();
            if (up != null) {
                up.close();
            }
        }
    }

    /** A backend connection's handler: hands each piece of the answer to the exchange it carries. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        Exchange exchange;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange ex = exchange;
            if (ex == null || !(msg instanceof HttpObject o)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ex.relay(o);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange ex = exchange;
            if (ex != null) {
                exchange = null;
                ex.failed(new java.io.IOException("backend closed the connection"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = exchange;
            exchange = null;
            ctx.close();
            if (ex != null) {
                ex.failed(cause);
            }
        }
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
