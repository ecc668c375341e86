package com.aiinference.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class KubeAccessTest {

    private static String kubeconfig(String server, String user) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: gke
                  cluster: {server: "%s"}
                contexts:
                - name: gke
                  context: {cluster: gke, user: gke}
                current-context: gke
                users:
                - name: gke
                  user:
                %s
                """.formatted(server, user);
    }

    @Test
    void refusedCredentialsNameTheExecPluginThatSuppliesThem() throws Exception {
        // An API server that refuses every request, as GKE does when the token is missing.
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", ex -> {
            byte[] body = "{\"kind\":\"Status\",\"code\":401,\"message\":\"Unauthorized\"}".getBytes();
            ex.sendResponseHeaders(401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        api.start();
        try {
            String server = "http://127.0.0.1:" + api.getAddress().getPort();
            KubeAccess access = KubeAccess.fromText(kubeconfig(server, """
                      exec:
                        apiVersion: client.authentication.k8s.io/v1beta1
                        command: gke-gcloud-auth-plugin-not-installed
                        provideClusterInfo: true
                """), "output 'kubeconfig' of dev", null);
            try (var client = access.connect()) {
                assertThatThrownBy(() -> access.ensureReachable(client))
                        .isInstanceOf(KubeAccessException.class)
                        .hasMessage("cannot reach the Kubernetes API at " + server + "/ (kubeconfig from output 'kubeconfig' of dev):"
                                + " credentials refused (HTTP 401); the token comes from 'gke-gcloud-auth-plugin-not-installed':"
                                + " is it installed and logged in?");
            }
        } finally {
            api.stop(0);
        }
    }

    @Test
    void emptyKubeconfigIsAUsageError() {
        assertThatThrownBy(() -> KubeAccess.fromText("  ", "output 'kubeconfig' of dev", null))
                .hasMessage("the kubeconfig from output 'kubeconfig' of dev is empty");
        assertThat(KubeAccess.firstLine(new RuntimeException("An error has occurred.", new java.net.ConnectException("x"))))
                .isEqualTo("connection refused");
    }

    /** An "API server" whose every answer is {@code chunks} x {@code chunk} with this content type and status 200. */
    private static HttpServer serving(String contentType, String chunk, int chunks) throws Exception {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(200, 0);
            try (var out = ex.getResponseBody()) {
                byte[] bytes = chunk.getBytes();
                for (int i = 0; i < chunks; i++) {
                    out.write(bytes);
                }
            } catch (java.io.IOException cut) {
                // the client hung up: what the bound is for
            }
        });
        api.start();
        return api;
    }

    @Test
    void aSignInPageInFrontOfTheApiIsNamedAsNotJson() throws Exception {
        HttpServer api = serving("text/html", "<html><body>Sign in</body></html>", 1);
        try {
            String server = "http://127.0.0.1:" + api.getAddress().getPort();
            KubeAccess access = KubeAccess.fromText(kubeconfig(server, "    token: t"), "test", null);
            try (var client = access.connect()) {
                assertThatThrownBy(() -> access.ensureReachable(client)).isInstanceOf(KubeAccessException.class)
                        .hasMessageEndingWith(": the answer is not the JSON of a Kubernetes API (an HTML page from a"
                                + " proxy or sign-in page in front of the API?)");
            }
        } finally {
            api.stop(0);
        }
    }

    @Test
    void anAnswerWithoutEndIsCutAtItsBound() throws Exception {
        // 64 KiB pieces without end (bounded here at 4,096 of them, 256 MiB); the client's bound is 1 MiB.
        HttpServer api = serving("application/json", "{\"major\":\"" + "9".repeat(65_000), 4096);
        try {
            String server = "http://127.0.0.1:" + api.getAddress().getPort();
            KubeAccess access = KubeAccess.fromText(kubeconfig(server, "    token: t"), "test", null);
            try (var client = access.connect(1024 * 1024)) {
                assertThatThrownBy(() -> access.ensureReachable(client)).isInstanceOf(KubeAccessException.class)
                        .hasMessageEndingWith(": the Kubernetes API's answer was larger than 1 MiB (is this a Kubernetes"
                                + " API server?)");
            }
        } finally {
            api.stop(0);
        }
    }
}
