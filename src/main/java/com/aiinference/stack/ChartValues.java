package com.aiinference.stack;

import com.aiinference.config.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values the stack gives {@code charts/ai-inference}, with exactly the keys of the chart contract (COMMON.md).
 * The Helm release and {@code plan}'s chart render use this same map.
 */
public final class ChartValues {
    public static final String CHART_NAME = "ai-inference";

    private ChartValues() {}

    /** @param gpuNodePool the GKE name of the GPU pool (the pods' nodeSelector {@code cloud.google.com/gke-nodepool}) */
    public static Map<String, Object> of(Settings s, String gpuNodePool) {
        return of(s, gpuNodePool, "");
    }

    /**
     * @param addressName the reserved address the load balancer takes ("" for an ephemeral one or no load balancer)
     */
    public static Map<String, Object> of(Settings s, String gpuNodePool, String addressName) {
        var w = s.workload();
        var pool = s.gpuPool();
        var svc = s.service();

        Map<String, Object> values = new LinkedHashMap<>();
        values.put("replicaCount", w.replicas());
        values.put("image", map("tag", w.imageTag()));
        var engine = s.engine();
        values.put("engine", engine.kind());
        if (engine.isVllm()) {
            // model, numParallel and contextLength mean the same for either engine: the served model, the sequences
            // one replica serves at once, the context length.
            values.put("vllm", map(
                    "model", w.model(),
                    "maxNumSeqs", w.numParallel(),
                    "maxModelLen", w.contextLength(),
                    "gpuMemoryUtilization", engine.gpuMemoryUtilization(),
                    "dtype", engine.dtype(),
                    "quantization", engine.quantization(),
                    "hfToken", map("existingSecret", engine.createsHfTokenSecret() ? hfTokenSecretName(s) : "")));
        } else {
            values.put("model", map("name", w.model()));
            values.put("ollama", map(
                    "numParallel", w.numParallel(),
                    "maxQueue", w.maxQueue(),
                    "keepAlive", w.keepAlive(),
                    "contextLength", w.contextLength(),
                    "flashAttention", w.flashAttention()));
        }
        values.put("resources", map(
                "requests", map("cpu", w.cpuRequest().text(), "memory", w.memoryRequest().text()),
                "limits", map("memory", w.memoryLimit().text())));
        values.put("gpu", map(
                "count", w.gpusPerPod(),
                "acceleratorType", pool.acceleratorType(),
                "nodePool", gpuNodePool,
                "provisioning", pool.provisioning().configName()));
        values.put("autoscaling", map(
                "enabled", w.hpaEnabled(),
                "minReplicas", w.hpaMinReplicas(),
                "maxReplicas", w.hpaMaxReplicas()));
        values.put("dws", map(
                "enabled", pool.queuedProvisioning(),
                "maxRunDurationSeconds", pool.maxRunDurationSeconds(),
                "flexStart", pool.flexStart(),
                "generation", pool.dwsGeneration()));
        values.put("service", map(
                "type", svc.type(),
                "port", svc.port(),
                "loadBalancerSourceRanges", svc.loadBalancerSourceRanges(),
                "internal", svc.internal(),
                "allowPublicAccess", svc.allowPublicAccess(),
                "addressName", addressName));
        values.put("gateway", map(
                "enabled", svc.gatewayEnabled(),
                "apiKeys", map("existingSecret", apiKeysSecretName(s))));
        return values;
    }

    /** The Secret the gateway reads its keys from: the one the stack creates from {@code apiKeys}, the named one, or "". */
    public static String apiKeysSecretName(Settings s) {
        return s.service().createsApiKeySecret() ? fullname(s.workload().releaseName()) + "-api-keys"
                : s.service().apiKeysSecret();
    }

    /** The Secret the stack creates from {@code hfToken} for vLLM (key {@link #HF_TOKEN_SECRET_KEY}). */
    public static String hfTokenSecretName(Settings s) {
        return fullname(s.workload().releaseName()) + "-hf-token";
    }

    /** The key inside that Secret (the chart's {@code vllm.hfToken.secretKey} default). */
    public static final String HF_TOKEN_SECRET_KEY = "hf-token";

    /** The key inside that Secret (the chart's {@code gateway.apiKeys.secretKey} default): keys one per line. */
    public static final String API_KEYS_SECRET_KEY = "api-keys";

    /** The name of the regional address the stack reserves for the endpoint (one release per stack). */
    public static String addressName(Settings s) {
        return s.cluster().name() + "-endpoint";
    }

    /**
     * The chart's fullname for a release, as {@code helm create}'s helper computes it: the release name when it
     * already contains the chart name, else {@code <release>-<chart>}, cut to 63 characters without a trailing dash.
     * The Deployment, Service and HPA are named this.
     */
    public static String fullname(String releaseName) {
        String name = releaseName.contains(CHART_NAME) ? releaseName : releaseName + "-" + CHART_NAME;
        if (name.length() > 63) {
            name = name.substring(0, 63);
        }
        while (name.endsWith("-")) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
