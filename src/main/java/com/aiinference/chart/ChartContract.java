package com.aiinference.chart;

import java.util.Map;

/**
 * The names of {@code charts/ai-inference} that other code relies on: container and port names, labels, the
 * ProvisioningRequest wiring and the model-reference normal form. The stack, {@code plan}'s checks, {@code verify} and
 * {@code simulate} use these instead of literals; {@code ChartContractTest} renders the chart and holds it to them.
 */
public final class ChartContract {
    /** The chart's name (its {@code app.kubernetes.io/name} label and the default fullname's suffix). */
    public static final String CHART_NAME = "ai-inference";
    /** The model the chart (and every command) uses when none is given. */
    public static final String DEFAULT_MODEL = "llama3.1:8b";

    /** The chart's {@code engine} values: Ollama (its default) or vLLM's OpenAI server. */
    public static final String ENGINE_OLLAMA = "ollama";
    public static final String ENGINE_VLLM = "vllm";
    /** The model the chart serves with {@code engine: vllm} when none is given ({@code vllm.model}'s default). */
    public static final String DEFAULT_VLLM_MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    /** The Service's port ({@code service.port}'s default). */
    public static final int SERVICE_PORT = 8000;

    /** The inference server's container and its port (named {@value #OLLAMA_PORT_NAME}). */
    public static final String OLLAMA_CONTAINER = "ollama";
    public static final String OLLAMA_PORT_NAME = "ollama";
    public static final int OLLAMA_PORT = 11434;
    /** The inference container with {@code engine: vllm}: vLLM's OpenAI server on {@value #VLLM_PORT}. */
    public static final String VLLM_CONTAINER = "vllm";
    public static final String VLLM_PORT_NAME = "vllm";
    public static final int VLLM_PORT = 8000;
    /** The gateway sidecar: the API on {@value #GATEWAY_PORT} ({@value #GATEWAY_PORT_NAME}), nginx stub_status on {@value #METRICS_PORT}. */
    public static final String GATEWAY_CONTAINER = "gateway";
    public static final String GATEWAY_PORT_NAME = "http";
    public static final int GATEWAY_PORT = 8080;
    public static final String METRICS_PORT_NAME = "metrics";
    public static final int METRICS_PORT = 8081;
    /** The gateway's stub_status path on the metrics port. */
    public static final String STUB_STATUS_PATH = "stub_status";

    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
    /** The component label of the inference pods. */
    public static final String INFERENCE_COMPONENT = "inference";

    /** The key inside the API-key Secret ({@code gateway.apiKeys.secretKey}'s default): keys one per line. */
    public static final String API_KEYS_SECRET_KEY = "api-keys";
    /** The key inside the Hugging Face token Secret ({@code vllm.hfToken.secretKey}'s default). */
    public static final String HF_TOKEN_SECRET_KEY = "hf-token";
    /** Keys of a {@code kubernetes.io/tls} Secret, as the gateway mounts them. */
    public static final String TLS_CERT_KEY = "tls.crt";
    public static final String TLS_KEY_KEY = "tls.key";
    /** The HTTPS port the chart publishes by default ({@code service.httpsPort}). */
    public static final int HTTPS_PORT = 443;

    /** GKE's node-pool label, by which the chart's pods (and its DWS PodTemplate) select {@code gpu.nodePool}. */
    public static final String NODE_POOL_LABEL = "cloud.google.com/gke-nodepool";

    /** DWS: pods name the ProvisioningRequest they consume (named {@code <fullname>-<hash of its spec>}) and its class. */
    public static final String CONSUME_PROVISIONING_REQUEST = "autoscaling.x-k8s.io/consume-provisioning-request";
    public static final String PROVISIONING_CLASS_ANNOTATION = "autoscaling.x-k8s.io/provisioning-class-name";
    public static final String QUEUED_PROVISIONING_CLASS = "queued-provisioning.gke.io";

    private ChartContract() {}

    /** The inference container of an engine ({@value #OLLAMA_CONTAINER} or {@value #VLLM_CONTAINER}). */
    public static String inferenceContainer(String engine) {
        return ENGINE_VLLM.equals(engine) ? VLLM_CONTAINER : OLLAMA_CONTAINER;
    }

    /** The name of the inference container's API port for an engine. */
    public static String inferencePortName(String engine) {
        return ENGINE_VLLM.equals(engine) ? VLLM_PORT_NAME : OLLAMA_PORT_NAME;
    }

    /**
     * The generation route the stack's {@code endpoint} output names for an engine (the gateway forwards it): Ollama's
     * {@code /api/generate}, vLLM's OpenAI {@code /v1/completions}.
     */
    public static String generatePath(String engine) {
        return ENGINE_VLLM.equals(engine) ? "/v1/completions" : "/api/generate";
    }

    /** The model an engine serves by default. */
    public static String defaultModel(String engine) {
        return ENGINE_VLLM.equals(engine) ? DEFAULT_VLLM_MODEL : DEFAULT_MODEL;
    }

    /** The selector of a release's pods (the chart's name and instance labels). */
    public static Map<String, String> podSelector(String release) {
        return Map.of(NAME_LABEL, CHART_NAME, INSTANCE_LABEL, release);
    }

    /**
     * The name {@code ollama ps} prints for a model, as the chart's {@code ai-inference.modelRef} helper computes it:
     * Ollama adds {@code :latest} when the last path segment has no tag ({@code host:5000/m} is {@code host:5000/m:latest};
     * the colon of the registry port is not a tag).
     */
    public static String modelRef(String model) {
        String last = model.substring(model.lastIndexOf('/') + 1);
        return last.contains(":") ? model : model + ":latest";
    }

    /** Whether two model references name the same model once both are in the normal form. */
    public static boolean sameModel(String a, String b) {
        return modelRef(a).equals(modelRef(b));
    }
}
