package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's per-client limits and timeouts in a real nginx: one address cannot hold more requests or start them
 * faster than gateway.limits says (429 with a JSON body), exempt sources are not limited, and a client that drips
 * its header or body is cut off after the timeout instead of holding a connection.
 */
class GatewayLimitsIT {
    @TempDir
    Path work;

    private StubOllama upstream;
    private NginxGateway gateway;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(NginxGateway.TIMEOUT).build();

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new StubOllama();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (upstream.holdTags != null) {
                upstream.holdTags.countDown();
            }
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            upstream.close();
        }
    }

    private void start(Map<String, Object> limits) throws Exception {
        gateway = NginxGateway.start(ChartScenarios.render(ChartScenarios.with("default",
                Map.of("gateway", Map.of("limits", limits)))), upstream.port(), work);
    }

    @Test
    void oneAddressGetsAtMostItsConcurrentRequests() throws Exception {
        start(Map.of("connectionsPerClient", 3));
        CountDownLatch hold = new CountDownLatch(1);
        upstream.holdTags = hold;
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(client.sendAsync(get("/api/tags"), HttpResponse.BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(NginxGateway.TIMEOUT).until(() -> upstream.paths().size() == 3);
        HttpResponse<String> fourth = client.send(get("/api/tags"), HttpResponse.BodyHandlers.ofString());
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(fourth.body()).isEqualTo("{\"error\":\"too many requests from this client address: see gateway.limits\"}\n");
        assertThat(fourth.headers().firstValue("content-type")).hasValue("application/json");
        hold.countDown();
        for (var f : held) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
        assertThat(upstream.paths()).hasSize(3);
    }

    @Test
    void exemptSourcesAreNeverThrottled() throws Exception {
        start(Map.of("connectionsPerClient", 1, "requestsPerSecondPerClient", 1, "burst", 1,
                "exemptSources", List.of("127.0.0.0/8")));
        CountDownLatch hold = new CountDownLatch(1);
        upstream.holdTags = hold;
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            held.add(client.sendAsync(get("/api/tags"), HttpResponse.BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(NginxGateway.TIMEOUT).until(() -> upstream.paths().size() == 12);
        hold.countDown();
        for (var f : held) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void requestsAboveTheRateAndBurstGet429() throws Exception {
        start(Map.of("requestsPerSecondPerClient", 1, "burst", 2));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(client.send(get("/api/version"), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        // One at the rate plus two of burst pass at once; the rest of a quick run is refused.
        assertThat(statuses.subList(0, 3)).containsOnly(200);
        assertThat(statuses).contains(429);
        assertThat(upstream.paths().size()).isLessThan(6);
    }

    @Test
    void halfOpenConnectionsFromOneClientDoNotStarveALegitimateRequest() throws Exception {
        // The review's attack: 4,200 connections that never send a byte, from one address, then a real request.
        start(Map.of());
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 4200; i++) {
                idle.add(new Socket(InetAddress.getLoopbackAddress(), gateway.httpPort));
            }
            HttpResponse<String> legit = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(NginxGateway.TIMEOUT).build().send(get("/api/tags"), HttpResponse.BodyHandlers.ofString());
            assertThat(legit.statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void aDrippedHeaderOrBodyIsCutOffAfterTheTimeout() throws Exception {
        start(Map.of("clientHeaderTimeoutSeconds", 1, "clientBodyTimeoutSeconds", 1));
        try (Socket header = new Socket(InetAddress.getLoopbackAddress(), gateway.httpPort);
             Socket body = new Socket(InetAddress.getLoopbackAddress(), gateway.httpPort)) {
            header.setSoTimeout(8_000);
            body.setSoTimeout(8_000);
            header.getOutputStream().write("GET /api/tags HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = body.getOutputStream();
            out.write(("POST /api/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            // reset_timedout_connection: nginx resets (not just closes) what timed out, freeing the socket at once.
            assertThat(cutOff(header.getInputStream())).as("a dripped header is cut off").isTrue();
            assertThat(cutOff(body.getInputStream())).as("a dripped body is cut off").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        }
        assertThat(upstream.paths()).isEmpty();
    }

    /** Whether the server ended the connection (closed or reset) before the socket's read timeout. */
    private static boolean cutOff(InputStream in) throws Exception {
        try {
            in.readAllBytes();
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort + path))
                .timeout(NginxGateway.TIMEOUT).GET().build();
    }
}
