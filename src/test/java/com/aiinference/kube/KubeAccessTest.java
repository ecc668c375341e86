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
}
