package com.aiinference.simulate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
        /** One flag per answer being streamed; set, the copy loop stops at the next chunk. */
        private final Set<AtomicBoolean> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
            for (AtomicBoolean cut : streams) {
                if (cut.compareAndSet(false, true)) {
                    n++;
                }
            }
            return n;
        }

        /** Counts a request that reached this backend without the front (a stub_status scrape). */
        public long countDirect() {
            return requests.incrementAndGet();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final List<Backend> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile LongConsumer onRequest = n -> { };

    private RoundRobinFront(List<URI> upstreams, int port) throws IOException {
        this.backends = upstreams.stream().map(Backend::new).toList();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        // One thread per in-flight request: a streaming answer holds its thread for its whole duration.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "front");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Starts the front on 127.0.0.1 ({@code port} 0 picks a free one). */
    public static RoundRobinFront start(List<URI> upstreams, int port) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a front needs at least one backend");
        }
        try {
            RoundRobinFront f = new RoundRobinFront(upstreams, port);
            f.server.start();
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
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

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Backend b = pick();
            if (b == null) {
                byte[] msg = "no ready backend\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.sendResponseHeaders(503, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            b.forwarded.incrementAndGet();
            b.requests.incrementAndGet();
            b.inFlight.incrementAndGet();
            onRequest.accept(forwarded.incrementAndGet());
            try {
                forward(ex, b);
            } finally {
                b.inFlight.decrementAndGet();
            }
        }
    }

    private void forward(HttpExchange ex, Backend b) throws IOException {
        URI target = b.base().resolve(ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        byte[] body = ex.getRequestBody().readAllBytes();
        HttpRequest.Builder req = HttpRequest.newBuilder(target)
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                vs.forEach(v -> req.header(k, v));
            }
        });
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            // What a client of a real LB sees when the pod behind it dies: the connection goes away.
            byte[] msg = ("upstream " + b.base() + " failed: " + e.getMessage() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(502, msg.length);
            ex.getResponseBody().write(msg);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        resp.headers().map().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT)) && !k.startsWith(":")) {
                ex.getResponseHeaders().put(k, vs);
            }
        });
        AtomicBoolean cut = new AtomicBoolean();
        b.streams.add(cut);
        try (InputStream in = resp.body()) {
            ex.sendResponseHeaders(resp.statusCode(), 0); // chunked: the length of a stream is not known
            OutputStream out = ex.getResponseBody();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0 && !cut.get()) {
                out.write(buf, 0, n);
                out.flush();
            }
            // Cut (dropInFlight): the client's stream ends here, without its final line.
        } catch (IOException gone) {
            // The backend went away mid-answer: the same for the client.
        } finally {
            b.streams.remove(cut);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
