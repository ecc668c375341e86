package com.aiinference.signals;

import com.aiinference.chart.ChartContract;
import com.aiinference.report.ServerSignals;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The platform a run measured, from the Kubernetes API: the inference pods' engine, image, model and parallel limit
 * (as the chart renders them: OLLAMA_NUM_PARALLEL, vLLM's {@code --max-num-seqs} and {@code --served-model-name}), and
 * their node's machine type, GPU and driver labels. What cannot be read (no pods yet, RBAC without nodes get) is null.
 */
public final class PlatformReader {
    /** Set by Kubernetes on every node: the cloud's machine type. */
    public static final String INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
    /** Set by GKE on GPU nodes: the accelerator type. */
    public static final String ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator";
    /** Set by GKE on GPU nodes whose driver GKE installs: the driver channel asked for (default or latest). */
    public static final String DRIVER_LABEL = "cloud.google.com/gke-gpu-driver-version";
    static final String NUM_PARALLEL_ENV = "OLLAMA_NUM_PARALLEL";

    private PlatformReader() {}

    static ServerSignals.Platform read(KubernetesClient client, String namespace, Map<String, String> selector,
                                       String stackModel) {
        List<Pod> pods;
        try {
            pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                    .filter(p -> ChartContract.INFERENCE_COMPONENT.equals(p.getMetadata().getLabels() == null ? null
                            : p.getMetadata().getLabels().get(ChartContract.COMPONENT_LABEL)))
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        } catch (KubernetesClientException e) {
            pods = List.of();
        }
        if (pods.isEmpty()) {
            return new ServerSignals.Platform(null, null, stackModel, null, null, null, null, null, 0);
        }
        Pod pod = pods.get(0);
        Optional<Container> vllm = container(pod, ChartContract.VLLM_CONTAINER);
        Optional<Container> ollama = container(pod, ChartContract.OLLAMA_CONTAINER);
        String engine = vllm.isPresent() ? ChartContract.ENGINE_VLLM : ollama.isPresent() ? ChartContract.ENGINE_OLLAMA : null;
        Container inference = vllm.or(() -> ollama).orElse(null);
        String image = inference == null ? null : inference.getImage();
        Integer parallel;
        String setting;
        String model = stackModel;
        if (vllm.isPresent()) {
            setting = "--max-num-seqs";
            parallel = flag(vllm.get(), "--max-num-seqs").map(PlatformReader::integer).orElse(null);
            model = flag(vllm.get(), "--served-model-name").orElse(stackModel);
        } else {
            setting = NUM_PARALLEL_ENV;
            parallel = inference == null || inference.getEnv() == null ? null : inference.getEnv().stream()
                    .filter(e -> NUM_PARALLEL_ENV.equals(e.getName())).map(EnvVar::getValue).map(PlatformReader::integer)
                    .findFirst().orElse(null);
        }
        Map<String, String> labels = nodeLabels(client, pod.getSpec().getNodeName());
        return new ServerSignals.Platform(engine, image, model, parallel, setting, labels.get(INSTANCE_TYPE_LABEL),
                labels.get(ACCELERATOR_LABEL), labels.get(DRIVER_LABEL), pods.size());
    }

    private static Optional<Container> container(Pod pod, String name) {
        return pod.getSpec().getContainers().stream().filter(c -> name.equals(c.getName())).findFirst();
    }

    /** {@code --name=value} or {@code --name value} among the container's command and args. */
    static Optional<String> flag(Container c, String name) {
        List<String> words = new java.util.ArrayList<>();
        if (c.getCommand() != null) {
            words.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            words.addAll(c.getArgs());
        }
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith(name + "=")) {
                return Optional.of(w.substring(name.length() + 1));
            }
            if (w.equals(name) && i + 1 < words.size()) {
                return Optional.of(words.get(i + 1));
            }
        }
        return Optional.empty();
    }

    private static Integer integer(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<String, String> nodeLabels(KubernetesClient client, String node) {
        if (node == null || node.isBlank()) {
            return Map.of();
        }
        try {
            Node n = client.nodes().withName(node).get();
            return n == null || n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
        } catch (KubernetesClientException e) {
            return Map.of();
        }
    }
}
