package com.aiinference.stack;

import static com.aiinference.config.ConfigKeys.*;

import com.aiinference.config.ConfigKey;
import com.aiinference.config.Settings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The values the stack gives {@code charts/ai-inference}, each with the config key that produced it, so that the
 * chart's own refusals (its schema and its {@code fail} rules) can be told in the user's terms
 * ({@link ChartValidation}). The Helm release and {@code plan}'s chart render use this same map.
 */
public final class ChartValues {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, ConfigKey> sources = new LinkedHashMap<>();
    /** Values derived from a key that takes other values (dws.enabled true from gpuProvisioning queued): the key's. */
    private final Map<String, String> configValues = new LinkedHashMap<>();

    private ChartValues() {}

    /** @param gpuNodePool the GKE name of the GPU pool (the pods' nodeSelector {@code cloud.google.com/gke-nodepool}) */
    public static Map<String, Object> of(Settings s, String gpuNodePool) {
        return of(s, gpuNodePool, "");
    }

    /**
     * @param addressName the reserved address the load balancer takes ("" for an ephemeral one or no load balancer)
     */
    public static Map<String, Object> of(Settings s, String gpuNodePool, String addressName) {
        return build(s, gpuNodePool, addressName).values();
    }

    /** The values with their sources. */
    public static ChartValues build(Settings s, String gpuNodePool, String addressName) {
        var w = s.workload();
        var pool = s.gpuPool();
        var svc = s.service();
        ChartValues v = new ChartValues();
        v.put("replicaCount", REPLICAS, w.replicas());
        v.put("image.tag", IMAGE_TAG, w.imageTag());
        var engine = s.engine();
        v.put("engine", ENGINE, engine.kind());
        if (engine.isVllm()) {
            // model, numParallel and contextLength mean the same for either engine: the served model, the sequences
            // one replica serves at once, the context length.
            v.put("vllm.model", MODEL, w.model());
            v.put("vllm.maxNumSeqs", NUM_PARALLEL, w.numParallel());
            v.put("vllm.maxModelLen", CONTEXT_LENGTH, w.contextLength());
            v.put("vllm.gpuMemoryUtilization", GPU_MEMORY_UTILIZATION, engine.gpuMemoryUtilization());
            v.put("vllm.dtype", DTYPE, engine.dtype());
            v.put("vllm.quantization", QUANTIZATION, engine.quantization());
            v.put("vllm.hfToken.existingSecret", HF_TOKEN, engine.createsHfTokenSecret() ? hfTokenSecretName(s) : "");
        } else {
            v.put("model.name", MODEL, w.model());
            v.put("ollama.numParallel", NUM_PARALLEL, w.numParallel());
            v.put("ollama.maxQueue", MAX_QUEUE, w.maxQueue());
            v.put("ollama.keepAlive", KEEP_ALIVE, w.keepAlive());
            v.put("ollama.contextLength", CONTEXT_LENGTH, w.contextLength());
            v.put("ollama.flashAttention", FLASH_ATTENTION, w.flashAttention());
        }
        v.put("resources.requests.cpu", CPU_REQUEST, w.cpuRequest().text());
        v.put("resources.requests.memory", MEMORY_REQUEST, w.memoryRequest().text());
        v.put("resources.limits.memory", MEMORY_LIMIT, w.memoryLimit().text());
        v.put("gpu.count", GPUS_PER_POD, w.gpusPerPod());
        v.put("gpu.acceleratorType", ACCELERATOR_TYPE, pool.acceleratorType());
        v.put("gpu.nodePool", GPU_POOL_NAME, gpuNodePool);
        v.put("gpu.provisioning", GPU_PROVISIONING, pool.provisioning().configName());
        v.put("autoscaling.enabled", HPA_ENABLED, w.hpaEnabled());
        v.put("autoscaling.minReplicas", HPA_MIN_REPLICAS, w.hpaMinReplicas());
        v.put("autoscaling.maxReplicas", HPA_MAX_REPLICAS, w.hpaMaxReplicas());
        // dws.* are derived from the mode: the chart's "dws.enabled=true" is the user's "gpuProvisioning=queued".
        v.put("dws.enabled", GPU_PROVISIONING, pool.queuedProvisioning(), pool.provisioning().configName());
        v.put("dws.maxRunDurationSeconds", DWS_MAX_RUN_DURATION, pool.maxRunDurationSeconds());
        v.put("dws.flexStart", GPU_PROVISIONING, pool.flexStart(), pool.provisioning().configName());
        v.put("dws.generation", DWS_GENERATION, pool.dwsGeneration());
        v.put("service.type", SERVICE_TYPE, svc.type());
        v.put("service.port", SERVICE_PORT, svc.port());
        v.put("service.loadBalancerSourceRanges", LB_SOURCE_RANGES, svc.loadBalancerSourceRanges());
        v.put("service.internal", INTERNAL_LB, svc.internal());
        v.put("service.allowPublicAccess", ALLOW_PUBLIC_ACCESS, svc.allowPublicAccess());
        v.put("service.allowPublicAccessWithoutKeys", ALLOW_PUBLIC_ACCESS_WITHOUT_KEYS, svc.tls().allowPublicAccessWithoutKeys());
        v.put("service.plainHttp", PLAIN_HTTP, svc.tls().plainHttp());
        v.put("gateway.tls.existingSecret", TLS_CERTIFICATE, tlsSecretName(s));
        v.put("gateway.apiKeys.allowPlainHttp", ALLOW_API_KEYS_OVER_PLAIN_HTTP, svc.tls().allowApiKeysOverPlainHttp());
        // The reserved address is named after the cluster (addressName): clusterName is the key behind it.
        v.put("service.addressName", CLUSTER_NAME, addressName);
        v.put("gateway.enabled", GATEWAY_ENABLED, svc.gatewayEnabled());
        // In-cluster load-test workers run in the pod range: never throttled, like the runners the user names.
        java.util.List<String> exempt = new java.util.ArrayList<>(java.util.List.of(s.network().podsCidr()));
        svc.loadTestSourceRanges().stream().filter(c -> !exempt.contains(c)).forEach(exempt::add);
        v.put("gateway.limits.exemptSources", LOAD_TEST_SOURCE_RANGES, exempt);
        v.put("gateway.policy.maxOutputTokens", MAX_OUTPUT_TOKENS, svc.maxOutputTokens());
        v.put("gateway.apiKeys.existingSecret", svc.createsApiKeySecret() ? API_KEYS : API_KEYS_SECRET,
                apiKeysSecretName(s));
        return v;
    }

    /**
     * The Secret the gateway reads its keys from: the one the stack creates from {@code apiKeys} (named after the
     * release; the chart takes any name), the named one, or "".
     */
    public static String apiKeysSecretName(Settings s) {
        return s.service().createsApiKeySecret() ? s.workload().releaseName() + "-api-keys"
                : s.service().apiKeysSecret();
    }

    /** The kubernetes.io/tls Secret the stack creates from {@code tlsCertificate} and {@code tlsKey}, or "". */
    public static String tlsSecretName(Settings s) {
        return s.service().createsTlsSecret() ? s.workload().releaseName() + "-tls" : "";
    }

    /** The Secret the stack creates from {@code hfToken} for vLLM (key {@code ChartContract.HF_TOKEN_SECRET_KEY}). */
    public static String hfTokenSecretName(Settings s) {
        return s.workload().releaseName() + "-hf-token";
    }


    /** The name of the regional address the stack reserves for the endpoint (one release per stack). */
    public static String addressName(Settings s) {
        return s.cluster().name() + "-endpoint";
    }

    /** The address name the release gets: the reserved one for a LoadBalancer, else "" (no address is reserved). */
    public static String releaseAddressName(Settings s) {
        return s.service().isLoadBalancer() ? addressName(s) : "";
    }

    /** The values as the chart reads them (nested maps). */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    /** The value paths the stack sets ({@code ollama.numParallel}) and the key each comes from, in order. */
    public Map<String, ConfigKey> sources() {
        return Collections.unmodifiableMap(sources);
    }

    /** The config key behind a value path, or behind the nearest path above it ({@code service.x.0} -> its list). */
    public Optional<ConfigKey> source(String path) {
        for (String p = path; !p.isEmpty(); p = p.contains(".") ? p.substring(0, p.lastIndexOf('.')) : "") {
            ConfigKey key = sources.get(p);
            if (key != null) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    /** The value at a dotted path ({@code service.loadBalancerSourceRanges.1} indexes a list), if set. */
    public Optional<Object> valueAt(String path) {
        Object node = values;
        for (String part : path.split("\\.")) {
            if (node instanceof Map<?, ?> m) {
                node = m.get(part);
            } else if (node instanceof java.util.List<?> l && part.matches("\\d+") && Integer.parseInt(part) < l.size()) {
                node = l.get(Integer.parseInt(part));
            } else {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(node);
    }

    /**
     * The value of the key behind a value path as the user wrote it, where the chart's value is derived from it and
     * differs ({@code dws.enabled} true is {@code gpuProvisioning} {@code queued}); empty where they are the same.
     */
    public Optional<String> configValue(String path) {
        return Optional.ofNullable(configValues.get(path));
    }

    private void put(String path, ConfigKey key, Object value, String configValue) {
        put(path, key, value);
        configValues.put(path, configValue);
    }

    @SuppressWarnings("unchecked")
    private void put(String path, ConfigKey key, Object value) {
        String[] parts = path.split("\\.");
        Map<String, Object> node = values;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
        }
        node.put(parts[parts.length - 1], value);
        sources.put(path, key);
    }
}
