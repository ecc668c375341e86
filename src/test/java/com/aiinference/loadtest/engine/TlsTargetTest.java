package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load engine over https (Netty's SslHandler in each connection's pipeline), against a JDK https server on
 * 127.0.0.1 with the self-signed test certificates in src/test/resources/tls: the certificate is checked, chain and
 * name, unless --insecure says otherwise; --cacert trusts a self-signed one.
 */
@Timeout(60)
class TlsTargetTest {
    private static final Path TLS = Path.of(System.getProperty("project.basedir", "."), "src/test/resources/tls");

    @TempDir
    Path work;

    private static LoadTestConfig.Builder config() {
        return LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).users(1).maxTokens(0);
    }

    @Test
    void aSelfSignedCertificateIsTrustedThroughCacertAndRunsMeasureOverTls() throws Exception {
        try (Server server = new Server("localhost")) {
            TlsTrust trust = TlsTrust.caFile(TLS.resolve("localhost.crt"));
            for (String host : new String[] {"localhost", "127.0.0.1"}) {
                Preflight.Answer a = Preflight.check(config().tls(trust).build(), server.uri(host));
                assertThat(a.outputTokens()).isEqualTo(2);
            }
            LoadTestResult result = LoadTestRunner.run(config().tls(trust).users(4).duration(Duration.ofSeconds(2))
                    .build(), server.uri("127.0.0.1"), new PrintWriter(new StringWriter()));
            assertThat(result.errors()).isEmpty();
            assertThat(result.requests().succeeded()).isPositive().isEqualTo(result.requests().total());
        }
    }

    @Test
    void theJdksAuthoritiesDoNotTrustASelfSignedCertificate() throws Exception {
        try (Server server = new Server("localhost")) {
            URI target = server.uri("localhost");
            assertThatThrownBy(() -> Preflight.check(config().build(), target))
                    .isInstanceOf(Preflight.PreflightException.class)
                    .hasMessageContaining("pre-flight request to " + target + " failed");
            assertThat(server.answered.get()).as("no request got through").isZero();
        }
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefusedUnlessInsecure() throws Exception {
        try (Server server = new Server("other")) {
            URI target = server.uri("127.0.0.1");
            assertThatThrownBy(() -> Preflight.check(config().tls(TlsTrust.caFile(TLS.resolve("other.crt"))).build(), target))
                    .isInstanceOf(Preflight.PreflightException.class);
            assertThat(server.answered.get()).isZero();
            assertThat(Preflight.check(config().tls(TlsTrust.anyCertificate()).build(), target).outputTokens()).isEqualTo(2);
        }
    }

    @Test
    void aCacertThatIsNoCertificateIsOneLine() throws Exception {
        Path notPem = Files.writeString(work.resolve("key.txt"), "not a certificate\n");
        assertThatThrownBy(() -> TlsTrust.caFile(notPem)).isInstanceOf(TargetException.class)
                .hasMessageStartingWith("--cacert " + notPem + ": ");
        assertThatThrownBy(() -> TlsTrust.caFile(work.resolve("absent.pem")))
                .hasMessage("--cacert file not found: " + work.resolve("absent.pem"));
        assertThatThrownBy(() -> TlsTrust.caFile(work)).hasMessage("--cacert file " + work + " is not a regular file (a directory)");
    }

    /** A JDK https server answering /api/generate with one NDJSON line, with the named test certificate. */
    private static final class Server implements AutoCloseable {
        final AtomicInteger answered = new AtomicInteger();
        private final HttpsServer server;
        private final ExecutorService executor = Executors.newFixedThreadPool(4);

        Server(String certificate) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(TLS.resolve(certificate + ".p12"))) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "changeit".toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), null, null);
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.setExecutor(executor);
            server.createContext("/api/generate", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] body = "{\"response\":\"ok\",\"done\":true,\"eval_count\":2,\"eval_duration\":1000000}\n"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                answered.incrementAndGet();
            });
            server.start();
        }

        URI uri(String host) {
            return URI.create("https://" + host + ":" + server.getAddress().getPort() + "/api/generate");
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
