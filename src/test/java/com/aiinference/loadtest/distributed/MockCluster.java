package com.aiinference.loadtest.distributed;

import com.aiinference.simulate.SimulatedJobs;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;

/**
 * fabric8's Kubernetes mock API server in CRUD mode with the simulator's Job controller ({@link SimulatedJobs}), which
 * runs each worker pod's share of the load against {@code service} and serves what it printed as the pod's log.
 */
final class MockCluster implements AutoCloseable {
    /** Held so the level sticks: the mock server logs every request at INFO. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final SimulatedJobs jobs;

    MockCluster(URI service, Map<Integer, SimulatedJobs.Fault> faults) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        SimulatedJobs[] holder = new SimulatedJobs[1];
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses) {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Optional<Optional<String>> log = "GET".equals(request.getMethod()) && holder[0] != null
                        ? holder[0].log(request.getPath()) : Optional.empty();
                if (log.isPresent()) {
                    return log.get().map(text -> new MockResponse().setResponseCode(200).setBody(text))
                            .orElseGet(() -> new MockResponse().setResponseCode(404));
                }
                return super.dispatch(request);
            }
        }, false);
        server.start(InetAddress.getLoopbackAddress(), 0);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig())).build();
        jobs = new SimulatedJobs(client, service, faults);
        holder[0] = jobs;
    }

    KubernetesClient client() {
        return client;
    }

    List<io.fabric8.kubernetes.api.model.batch.v1.Job> created() {
        return jobs.created();
    }

    /** A kubeconfig for the mock API server, as the stack's {@code kubeconfig} output would be. */
    String kubeconfig() {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: http://127.0.0.1:%d
                contexts:
                - name: mock
                  context: {cluster: mock, user: mock}
                current-context: mock
                users:
                - name: mock
                  user: {token: t}
                """.formatted(server.getPort());
    }

    /**
     * The stack outputs a deployed stack would give, written to {@code dir/outputs.json}: an endpoint this machine
     * cannot reach, the kubeconfig, the release's names and the worker image repository.
     */
    static Path outputs(Path dir, String kubeconfig) throws java.io.IOException {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("endpoint", "http://203.0.113.10:8000/api/generate");
        o.put("kubeconfig", kubeconfig);
        o.put("namespace", "ai-inference");
        o.put("serviceName", "ai-inference");
        o.put("releaseName", "ai-inference");
        o.put("model", "llama3.1:8b");
        o.put("workerImageRepository", "us-central1-docker.pkg.dev/p/ai-inference");
        Path file = dir.resolve("outputs.json");
        Files.writeString(file, o.toString());
        return file;
    }

    @Override
    public void close() {
        jobs.close();
        client.close();
        server.shutdown();
    }
}
