package com.aiinference.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * GET through the API server's pod proxy ({@code /api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH}) with the client's
 * credentials: how verify, status and the signal sampler read what a pod serves without a port-forward.
 */
public final class PodProxy {
    private PodProxy() {}

    /** An answer, or why there is none ({@code code} -1 then). */
    public record Answer(int code, String body, String error) {
        public String describe() {
            return error != null ? error : "HTTP " + code;
        }
    }

    /** Never fails: a transport error or a timeout completes the future with an {@link Answer} that says so. */
    public static CompletableFuture<Answer> get(KubernetesClient client, String namespace, String pod, int port,
                                                String path, Duration timeout) {
        String url = client.getMasterUrl().toString().replaceAll("/+$", "")
                + "/api/v1/namespaces/" + namespace + "/pods/" + pod + ":" + port + "/proxy/" + path;
        HttpClient http = client.getHttpClient();
        CompletableFuture<Answer> answer;
        try {
            answer = http.sendAsync(http.newHttpRequestBuilder().uri(url).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .build(), String.class).thenApply(r -> new Answer(r.code(), r.body(), null));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Answer(-1, null, KubeAccess.firstLine(e)));
        }
        return answer.completeOnTimeout(new Answer(-1, null, "no answer within " + timeout.toMillis() / 1000.0 + "s"),
                        timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .exceptionally(e -> new Answer(-1, null, KubeAccess.firstLine(
                        e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e)));
    }
}
