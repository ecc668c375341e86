package com.aiinference.loadtest.engine;

import com.aiinference.io.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.NoopAddressResolverGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The load test's HTTP/1.1 client: a few Netty event loops (one per core), each with its own pool of keep-alive
 * connections to the one target. A request is handed a connection of its loop (the most recently freed one, or a
 * new one) and every byte of it, out and in, is handled on that loop. A fixed prompt list is encoded once, before
 * the run, into off-heap buffers: sending one writes a duplicate of a shared buffer (kept by the connection for its
 * next request), with no copy; traffic options (lengths, conversations, prefixes) build each request as it is sent.
 */
final class LoadClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final Loop[] loops;
    private final InetSocketAddress address;
    private final ByteBuf[] requests;
    /** The off-heap buffers behind {@link #requests}, released when the client closes. */
    private final ByteBuf[] owned;
    private final AtomicInteger nextLoop = new AtomicInteger();

    /**
     * @param target         the URL requests are posted to (http or https)
     * @param encoded        whole requests ({@link #encode}), sent in turn
     * @param threads        event loops
     * @param connectTimeout TCP connect limit
     * @param trust          the certificates an https target may present
     */
    LoadClient(URI target, byte[][] encoded, int threads, Duration connectTimeout, TlsTrust trust) {
        boolean tls = "https".equalsIgnoreCase(target.getScheme());
        int port = port(target);
        // Resolved once: the event loops never block on a name lookup.
        this.address = new InetSocketAddress(target.getHost(), port);
        this.requests = new ByteBuf[encoded.length];
        this.owned = new ByteBuf[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            // Off-heap, so a socket write sends it from where it is (a heap buffer is copied off-heap on every write).
            // Sends write duplicates of it; nothing writes into it; close() frees it.
            owned[i] = Unpooled.directBuffer(encoded[i].length).writeBytes(encoded[i]);
            requests[i] = Unpooled.unreleasableBuffer(owned[i]);
        }
        SslContext ssl = tls ? trust.clientContext() : null;
        NettyTransport transport = NettyTransport.current();
        this.group = transport.group(threads, "loadtest-io");
        this.loops = new Loop[threads];
        int i = 0;
        for (io.netty.util.concurrent.EventExecutor e : group) {
            loops[i++] = new Loop((EventLoop) e, transport, ssl, target.getHost(), port, connectTimeout);
        }
    }

    static int port(URI target) {
        return target.getPort() > 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
    }

    /**
     * One whole request: request line, headers, body.
     *
     * @throws IllegalArgumentException a header the client refuses to send (the JDK client's rules: it sets Host,
     *                                  Content-Length, Connection itself; a value with a line break)
     */
    static byte[] encode(URI target, byte[] body, String accept, List<LoadTestConfig.Header> headers) {
        int port = port(target);
        boolean tls = "https".equalsIgnoreCase(target.getScheme());
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        if (target.getRawQuery() != null) {
            path += "?" + target.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target.getHost()).append(defaultPort ? "" : ":" + port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Accept: ").append(accept).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        for (LoadTestConfig.Header h : headers) {
            String lower = h.name().toLowerCase(java.util.Locale.ROOT);
            if (LoadTestConfig.Header.RESTRICTED.contains(lower) || lower.equals("content-type")) {
                throw new IllegalArgumentException("restricted header name: \"" + h.name() + "\"");
            }
            if (!h.name().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("invalid header name: \"" + h.name() + "\"");
            }
            if (h.value().chars().anyMatch(c -> (c < 0x20 && c != '\t') || c >= 0x7f)) {
                throw new IllegalArgumentException("invalid header value for: \"" + h.name() + "\"");
            }
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /**
     * The bytes of request number {@code n} (prompts in turn): a shared buffer that is never released and never
     * written into; a connection writes a duplicate of it ({@link HttpConnection#send}).
     */
    ByteBuf request(long n) {
        return requests[(int) (n % requests.length)];
    }

    int loopCount() {
        return loops.length;
    }

    Loop loop(int i) {
        return loops[i];
    }

    /** The next loop, round robin (open-loop arrivals). */
    Loop nextLoop() {
        return loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    }

    /**
     * Opens {@code perLoop[i]} connections on loop i and waits (up to {@code limit}) until all are open or failed,
     * so a closed loop's users find them ready when the clock starts. Returns how many opened.
     */
    /**
     * Keeps the client's connections within {@code total} (the descriptors the process may still open; negative: no
     * limit), shared evenly by the loops: past it a new connection is the client's fault, not the server's.
     */
    void limitConnections(long total) {
        if (total < 0) {
            return;
        }
        for (Loop l : loops) {
            l.budget = (int) Math.max(1, Math.min(Integer.MAX_VALUE, total / loops.length));
        }
    }

    int preconnect(int[] perLoop, Duration limit) {
        int total = 0;
        for (int n : perLoop) {
            total += n;
        }
        CountDownLatch done = new CountDownLatch(total);
        AtomicInteger opened = new AtomicInteger();
        for (int i = 0; i < loops.length; i++) {
            Loop l = loops[i];
            int n = perLoop[i];
            l.executor.execute(() -> {
                for (int k = 0; k < n; k++) {
                    l.connect((c, err) -> {
                        if (c != null) {
                            opened.incrementAndGet();
                            l.release(c);
                        }
                        done.countDown();
                    });
                }
            });
        }
        try {
            done.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return opened.get();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (!group.isTerminated()) {
            return; // a loop may still be writing one: the buffers stay (a few hundred bytes) rather than freed under it
        }
        for (ByteBuf b : owned) {
            if (b.refCnt() > 0) {
                b.release();
            }
        }
    }

    /** One event loop and its idle connections; everything here runs on that loop. */
    final class Loop implements HttpConnection.Pool {
        final EventLoop executor;
        private final Bootstrap bootstrap;
        private final ArrayDeque<HttpConnection> idle = new ArrayDeque<>();
        /** Connections opened or opening on this loop; touched on the loop's thread only. */
        private int open;
        /** The most connections this loop may hold: its share of the descriptors the process may open. */
        private int budget = Integer.MAX_VALUE;

        Loop(EventLoop executor, NettyTransport transport, SslContext ssl, String host, int port, Duration connectTimeout) {
            this.executor = executor;
            this.bootstrap = new Bootstrap().group(executor).channel(transport.socketChannel())
                    .resolver(NoopAddressResolverGroup.INSTANCE)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (ssl != null) {
                                ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
                            }
                            ch.pipeline().addLast(new HttpConnection(Loop.this));
                        }
                    });
        }

        /** An open idle connection of this loop, or null. */
        HttpConnection idle() {
            HttpConnection c;
            while ((c = idle.pollLast()) != null) {
                if (c.isOpen()) {
                    return c;
                }
            }
            return null;
        }

        /** Whether this loop may open one more connection without taking the process past its descriptor limit. */
        boolean mayOpen() {
            return open < budget;
        }

        /** Opens a new connection; {@code then} gets it, or the failure. */
        void connect(BiConsumer<HttpConnection, Throwable> then) {
            open++;
            ChannelFuture f = bootstrap.connect(address);
            f.addListener(done -> {
                if (done.isSuccess()) {
                    then.accept(f.channel().pipeline().get(HttpConnection.class), null);
                } else {
                    open--;
                    then.accept(null, done.cause());
                }
            });
        }

        @Override
        public void release(HttpConnection c) {
            idle.addLast(c);
        }

        @Override
        public void closed(HttpConnection c) {
            open--;
            idle.remove(c);
        }
    }
}
