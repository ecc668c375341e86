package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's nginx.conf and njs policy, taken from the rendered ConfigMap, run by a real nginx in front of an
 * upstream on 127.0.0.1. Only what cannot work outside the pod is rewritten: listen ports, the upstream port and
 * file paths. Skips (not fails) the test where there is no nginx binary, or no njs module when the config loads it;
 * .ci/install installs Debian's nginx-light and libnginx-mod-http-js.
 */
final class NginxGateway implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final int httpPort;
    final int metricsPort;
    /** The HTTPS port when the config terminates TLS (then {@code work/tls/ca.crt} is the certificate to trust), else 0. */
    final int httpsPort;
    final Path work;
    private final Process nginx;
    private final Path log;

    private NginxGateway(Path work, int httpPort, int metricsPort, int httpsPort, Process nginx, Path log) {
        this.work = work;
        this.httpsPort = httpsPort;
        this.httpPort = httpPort;
        this.metricsPort = metricsPort;
        this.nginx = nginx;
        this.log = log;
    }

    /** Starts nginx on the chart's gateway config (the api-keys map, if any, must be in {@code work/keys}). */
    static NginxGateway start(RenderedChart chart, int upstreamPort, Path work) throws Exception {
        return start(chart, upstreamPort, work, Map.of(), false);
    }

    /**
     * Starts the gateway container's command, files/gateway.sh, which runs nginx and follows the key Secret;
     * {@code env} sets its AI_INFERENCE_KEYS_* variables (paths under {@code work}).
     */
    static NginxGateway startThroughScript(RenderedChart chart, int upstreamPort, Path work, Map<String, String> env)
            throws Exception {
        return start(chart, upstreamPort, work, env, true);
    }

    private static NginxGateway start(RenderedChart chart, int upstreamPort, Path work, Map<String, String> env,
            boolean throughScript) throws Exception {
        Optional<Path> binary = nginxBinary();
        assumeTrue(binary.isPresent(), "no nginx binary (install nginx-light, or set AI_INFERENCE_NGINX)");
        Map<String, String> files = ChartScenarios.configMap(chart, "gateway").getData();
        String conf = files.get("nginx.conf");
        if (conf.contains("load_module ")) {
            assumeTrue(Files.exists(Path.of("/usr/lib/nginx/modules/ngx_http_js_module.so")),
                    "no njs module (install libnginx-mod-http-js)");
        }
        int httpPort = freePort();
        int metricsPort = freePort();
        int httpsPort = conf.contains("listen 8443 ssl;") ? freePort() : 0;
        // nginx started as root runs its workers as nobody: they need to reach the temp directories and the files.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path gatewayDir = Files.createDirectories(work.resolve("gateway"));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(gatewayDir.resolve(file.getKey()), file.getValue());
        }
        Path confFile = work.resolve("nginx.conf");
        String local = localConfig(conf, work, httpPort, metricsPort, upstreamPort);
        if (httpsPort != 0) {
            selfSignedCertificate(Files.createDirectories(work.resolve("tls")));
            local = replaceExactly(local, "listen 8443 ssl;", "listen 127.0.0.1:" + httpsPort + " ssl;", 1);
        }
        Files.writeString(confFile, local);
        Path log = work.resolve("nginx.log");
        ProcessBuilder builder;
        if (throughScript) {
            // The script calls `nginx`; the wrapper adds the prefix a non-root test run needs.
            Path wrapper = work.resolve("nginx-wrapper");
            Files.writeString(wrapper, "#!/bin/sh\nexec " + binary.get() + " -p " + work + " \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
            builder = new ProcessBuilder("/bin/sh", gatewayDir.resolve("gateway.sh").toString());
            builder.environment().put("AI_INFERENCE_GATEWAY_CONF", confFile.toString());
            builder.environment().put("AI_INFERENCE_NGINX_BIN", wrapper.toString());
            builder.environment().putAll(env);
        } else {
            builder = new ProcessBuilder(binary.get().toString(), "-p", work.toString(), "-c", confFile.toString(),
                    "-e", "stderr", "-g", "daemon off;");
        }
        Process nginx = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NginxGateway gateway = new NginxGateway(work, httpPort, metricsPort, httpsPort, nginx, log);
        try {
            await("nginx listening").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!nginx.isAlive()) {
                    throw new AssertionError("nginx exited with " + nginx.exitValue() + ":\n" + Files.readString(log));
                }
                return listening(httpPort) && listening(metricsPort);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            gateway.close();
            throw new AssertionError("nginx did not listen within " + TIMEOUT + ":\n" + Files.readString(log), e);
        }
        return gateway;
    }

    /** The rendered config with only the pod-specific parts changed; each replacement must hit. */
    static String localConfig(String conf, Path work, int httpPort, int metricsPort, int upstreamPort) {
        assertThat(ChartScenariosCount.of(conf, "/tmp/")).as("paths under /tmp in nginx.conf").isEqualTo(6);
        String local = replaceExactly(conf, "listen 8080;", "listen 127.0.0.1:" + httpPort + ";", 1);
        local = replaceExactly(local, "listen 8081;", "listen 127.0.0.1:" + metricsPort + ";", 1);
        local = local.replaceFirst("server 127\\.0\\.0\\.1:(11434|8000);", "server 127.0.0.1:" + upstreamPort + ";");
        local = replaceExactly(local, "pid /tmp/", "pid " + work.resolve("tmp") + "/", 1);
        local = replaceExactly(local, "_temp_path /tmp/", "_temp_path " + work.resolve("tmp") + "/", 5);
        local = local.replace("/etc/ai-inference/api-keys/", work.resolve("keys") + "/");
        local = local.replace("/etc/ai-inference/gateway/", work.resolve("gateway") + "/");
        local = local.replace("/etc/ai-inference/tls/", work.resolve("tls") + "/");
        assertThat(local).doesNotContain(":11434").doesNotContain(":8000;").doesNotContain("/etc/");
        return local;
    }

    static String replaceExactly(String text, String from, String to, int times) {
        assertThat(ChartScenariosCount.of(text, from)).as("occurrences of '%s' in nginx.conf", from).isEqualTo(times);
        return text.replace(from, to);
    }

    /**
     * A self-signed certificate for localhost and 127.0.0.1 (tls.crt, tls.key, as a kubernetes.io/tls Secret holds
     * them; ca.crt is the same certificate, for clients to trust), made with the openssl command.
     */
    static void selfSignedCertificate(Path dir) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", dir.resolve("tls.key").toString(), "-out", dir.resolve("tls.crt").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Files.copy(dir.resolve("tls.crt"), dir.resolve("ca.crt"));
        // nginx's workers run as nobody when the test runs as root.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("tls.key"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> workers = new ArrayList<>(nginx.descendants().toList());
        nginx.destroy(); // SIGTERM: fast shutdown, the master stops its workers
        if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
            nginx.destroyForcibly();
            nginx.waitFor(5, TimeUnit.SECONDS);
        }
        workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static Optional<Path> nginxBinary() {
        String configured = System.getenv("AI_INFERENCE_NGINX");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "nginx"));
            }
        }
        candidates.add(Path.of("/usr/sbin/nginx"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
