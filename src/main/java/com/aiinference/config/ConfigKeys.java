package com.aiinference.config;

import static com.aiinference.config.ConfigKey.array;
import static com.aiinference.config.ConfigKey.bool;
import static com.aiinference.config.ConfigKey.integer;
import static com.aiinference.config.ConfigKey.required;
import static com.aiinference.config.ConfigKey.string;

import com.aiinference.chart.ChartContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Every key of the {@code ai-inference:} config namespace. {@code Pulumi.yaml}'s {@code config:} block declares the
 * same keys with the same types and defaults ({@code PulumiYamlTest} fails when the two drift apart), and a stack
 * file setting any other key in the namespace is refused, so a typo never falls back to a default.
 */
public final class ConfigKeys {
    // GCP placement
    public static final ConfigKey GCP_PROJECT = required("gcpProject",
            "GCP project ID that owns the cluster (required).");
    public static final ConfigKey REGION = string("region", "us-central1",
            "GCP region of the regional cluster and its network.");
    public static final ConfigKey GPU_ZONES = array("gpuZones", List.of(),
            "Zones of the region the GPU pool may use (empty = the cluster's zones); pick zones that offer L4 GPUs.");

    // Network
    public static final ConfigKey NETWORK_NAME = string("networkName", "",
            "Existing VPC network to use; empty creates a dedicated VPC and subnet.");
    public static final ConfigKey SUBNETWORK_NAME = string("subnetworkName", "",
            "Existing subnetwork (with secondary ranges named by podsRangeName/servicesRangeName); required with networkName.");
    public static final ConfigKey SUBNET_CIDR = string("subnetCidr", "10.10.0.0/20",
            "Primary range of the created subnet (nodes).");
    public static final ConfigKey PODS_CIDR = string("podsCidr", "10.16.0.0/14",
            "Secondary range for pods (VPC-native cluster).");
    public static final ConfigKey SERVICES_CIDR = string("servicesCidr", "10.20.0.0/20",
            "Secondary range for Services.");
    public static final ConfigKey PODS_RANGE_NAME = string("podsRangeName", "pods",
            "Name of the pods secondary range.");
    public static final ConfigKey SERVICES_RANGE_NAME = string("servicesRangeName", "services",
            "Name of the Services secondary range.");

    // Cluster
    public static final ConfigKey CLUSTER_NAME = string("clusterName", "ai-inference",
            "GKE cluster name.");
    public static final ConfigKey RELEASE_CHANNEL = string("releaseChannel", "REGULAR",
            "GKE release channel: RAPID, REGULAR or STABLE.");
    public static final ConfigKey GKE_VERSION = string("gkeVersion", "",
            "GKE control-plane version: empty = the release channel's default; a minor such as 1.33 = its newest patch in the channel, resolved at deploy time; a full version is pinned as is (channels drop patches within months). DWS and flex-start need 1.32.2-gke.1652000 or later, checked against the resolved version.");
    public static final ConfigKey DELETION_PROTECTION = bool("deletionProtection", true,
            "Refuse to delete the cluster (set false before `pulumi destroy`).");
    public static final ConfigKey SYSTEM_MACHINE_TYPE = string("systemMachineType", "e2-standard-4",
            "Machine type of the small non-GPU system pool (queued pools need a non-queued pool).");
    public static final ConfigKey SYSTEM_NODES_PER_ZONE = integer("systemNodesPerZone", 1,
            "Nodes per zone in the system pool.");
    public static final ConfigKey PRIVATE_NODES = bool("privateNodes", true,
            "Nodes without external IPs (private nodes); a Cloud Router and Cloud NAT in the region give them egress to image registries and model hubs. false gives every node a public IP (one IN_USE_ADDRESSES each).");
    public static final ConfigKey CONTROL_PLANE_AUTHORIZED_NETWORKS = array("controlPlaneAuthorizedNetworks", List.of(),
            "CIDRs allowed to reach the control plane's public endpoint (the deployer's, CI's); empty = any address, authenticated by Google IAM and Kubernetes RBAC (what a GitHub-hosted runner, whose address is not fixed, needs).");

    // GPU pool
    public static final ConfigKey GPU_POOL_NAME = string("gpuPoolName", "l4-pool",
            "Name of the GPU node pool (the chart's nodeSelector uses it).");
    public static final ConfigKey GPU_MACHINE_TYPE = string("gpuMachineType", "g2-standard-12",
            "Machine type of the GPU nodes (g2-standard-* carry NVIDIA L4).");
    public static final ConfigKey ACCELERATOR_TYPE = string("acceleratorType", "nvidia-l4",
            "GPU type attached to each GPU node.");
    public static final ConfigKey ACCELERATORS_PER_NODE = integer("acceleratorsPerNode", 1,
            "GPUs per node; must match the machine type (g2-standard-12 has 1).");
    public static final ConfigKey GPU_NODE_COUNT = integer("gpuNodeCount", 10,
            "Maximum GPU nodes in the pool (autoscaling total max; DWS provisions them).");
    public static final ConfigKey GPU_MIN_NODES = integer("gpuMinNodes", 0,
            "Autoscaling total minimum of the GPU pool; must be 0 with queued provisioning.");
    public static final ConfigKey GPU_DRIVER_VERSION = string("gpuDriverVersion", "LATEST",
            "GKE-installed NVIDIA driver: DEFAULT or LATEST (LATEST needs a COS image).");
    public static final ConfigKey GPU_IMAGE_TYPE = string("gpuImageType", "COS_CONTAINERD",
            "Node image of the GPU pool: COS_CONTAINERD or UBUNTU_CONTAINERD.");
    public static final ConfigKey GPU_DISK_SIZE_GB = integer("gpuDiskSizeGb", 200,
            "Boot disk of each GPU node in GB (holds the image and the model cache).");
    public static final ConfigKey GPU_PROVISIONING = string("gpuProvisioning", "queued",
            "How GPU nodes are obtained: queued (DWS queued provisioning on flex-start VMs: all nodes at once through a ProvisioningRequest, at most 7 days), flex-start (DWS flex-start VMs added one by one by the autoscaler, each at most 7 days), on-demand, spot (preemptible), or reservation (a named Compute Engine reservation, e.g. a DWS calendar-mode future reservation: gpuReservation).");
    public static final ConfigKey GPU_RESERVATION = string("gpuReservation", "",
            "Name of the Compute Engine reservation the GPU nodes consume (gpuProvisioning reservation only; give its zone as the one gpuZones entry).");
    public static final ConfigKey DWS_GENERATION = integer("dwsGeneration", 1,
            "Generation of the ProvisioningRequest (gpuProvisioning queued): raise it to renew before the nodes expire; a new request needs new capacity and the service is down until it is granted.");
    public static final ConfigKey GPU_AUTO_REPAIR = bool("gpuAutoRepair", false,
            "Auto-repair of GPU nodes; GKE rejects it on queued-provisioning pools.");
    public static final ConfigKey COMPACT_PLACEMENT = bool("compactPlacement", false,
            "Compact placement policy for the GPU pool; not allowed with queued provisioning.");
    public static final ConfigKey DWS_MAX_RUN_DURATION = integer("dwsMaxRunDurationSeconds", 604800,
            "ProvisioningRequest maxRunDurationSeconds: nodes are removed after this (at most 7 days).");
    public static final ConfigKey DAEMONSET_MEMORY = string("daemonSetMemory", "512Mi",
            "Memory kept free on each GPU node for GKE's DaemonSets when checking the pod's limit.");
    public static final ConfigKey DAEMONSET_CPU = string("daemonSetCpu", "200m",
            "CPU kept free on each GPU node for GKE's DaemonSets when checking the pod's CPU request.");

    // Workload
    public static final ConfigKey NAMESPACE = string("namespace", "ai-inference",
            "Kubernetes namespace of the release (created by the stack).");
    public static final ConfigKey RELEASE_NAME = string("releaseName", "ai-inference",
            "Helm release name; the Deployment, Service and HPA take this name.");
    public static final ConfigKey CHART_PATH = string("chartPath", "charts/ai-inference",
            "Path of the Helm chart, relative to the project directory.");
    public static final ConfigKey IMAGE_TAG = string("imageTag", "",
            "Ollama image tag: an exact release x.y.z, 0.17.1 or later; empty uses the chart's pinned appVersion.");
    public static final ConfigKey ENGINE = string("engine", ChartContract.ENGINE_OLLAMA,
            "Inference engine: ollama (the seed's) or vllm (vLLM's OpenAI server with continuous batching); model, numParallel and contextLength apply to either.");
    public static final ConfigKey MODEL = string("model", "",
            "Model served by every replica: an Ollama name with engine ollama, a Hugging Face id with engine vllm; empty = the engine's default, llama3.1:8b (ollama) or meta-llama/Llama-3.1-8B-Instruct (vllm, gated: set hfToken).");
    public static final ConfigKey NUM_PARALLEL = integer("numParallel", 8,
            "Requests each replica serves at once: OLLAMA_NUM_PARALLEL, or vLLM's --max-num-seqs.");
    public static final ConfigKey MAX_QUEUE = integer("maxQueue", 512,
            "OLLAMA_MAX_QUEUE: requests waiting per replica before HTTP 503.");
    public static final ConfigKey KEEP_ALIVE = string("keepAlive", "-1",
            "OLLAMA_KEEP_ALIVE: -1 (keep the model loaded), whole seconds, or a duration such as 5m or 1h30m.");
    public static final ConfigKey CONTEXT_LENGTH = integer("contextLength", 4096,
            "Context length in tokens: OLLAMA_CONTEXT_LENGTH, or vLLM's --max-model-len (KV cache grows with numParallel x contextLength).");
    public static final ConfigKey GPU_MEMORY_UTILIZATION = string("gpuMemoryUtilization", "0.9",
            "vLLM's --gpu-memory-utilization: share of the GPU's memory vLLM may take (above 0, at most 0.98).");
    public static final ConfigKey DTYPE = string("dtype", "auto",
            "vLLM's --dtype: auto (the model's own, bfloat16 for Llama 3.x), bfloat16 or float16.");
    public static final ConfigKey QUANTIZATION = string("quantization", "",
            "vLLM's --quantization for pre-quantized weights: awq, gptq, fp8, ... (empty = none).");
    public static final ConfigKey HF_TOKEN = ConfigKey.secret("hfToken",
            "Hugging Face token for gated models with engine vllm; must be set with --secret. Stored in a Secret the stack creates.");
    public static final ConfigKey FLASH_ATTENTION = bool("flashAttention", true,
            "OLLAMA_FLASH_ATTENTION.");
    public static final ConfigKey CPU_REQUEST = string("cpuRequest", "8",
            "CPU request of each inference pod.");
    public static final ConfigKey MEMORY_REQUEST = string("memoryRequest", "40Gi",
            "Memory request of each inference pod.");
    public static final ConfigKey MEMORY_LIMIT = string("memoryLimit", "40Gi",
            "Memory limit of each inference pod (must fit the node's allocatable memory).");
    public static final ConfigKey GPUS_PER_POD = integer("gpusPerPod", 1,
            "nvidia.com/gpu per inference pod.");
    public static final ConfigKey REPLICAS = integer("replicas", 10,
            "Inference replicas (the HPA's bounds when it is enabled).");
    public static final ConfigKey HPA_ENABLED = bool("hpaEnabled", true,
            "Create a HorizontalPodAutoscaler.");
    public static final ConfigKey HPA_PINNED = bool("hpaPinned", true,
            "Pin the HPA (min = max) so it never scales down under load.");
    public static final ConfigKey HPA_MIN_REPLICAS = integer("hpaMinReplicas", 10,
            "HPA minReplicas.");
    public static final ConfigKey HPA_MAX_REPLICAS = integer("hpaMaxReplicas", 10,
            "HPA maxReplicas.");
    public static final ConfigKey SERVICE_TYPE = string("serviceType", "LoadBalancer",
            "Service type: LoadBalancer or ClusterIP.");
    public static final ConfigKey SERVICE_PORT = integer("servicePort", ChartContract.SERVICE_PORT,
            "Service port (the endpoint is http://<ip>:<port>/api/generate).");
    public static final ConfigKey LB_SOURCE_RANGES = array("loadBalancerSourceRanges", List.of(),
            "CIDRs allowed to reach a public LoadBalancer (required unless internal or allowPublicAccess).");
    public static final ConfigKey INTERNAL_LB = bool("internalLoadBalancer", false,
            "Internal (VPC-only) LoadBalancer.");
    public static final ConfigKey ALLOW_PUBLIC_ACCESS = bool("allowPublicAccess", false,
            "Explicit opt-in to a LoadBalancer open to 0.0.0.0/0.");
    public static final ConfigKey GATEWAY_ENABLED = bool("gatewayEnabled", true,
            "Route traffic through the in-pod gateway that only forwards the inference API.");
    public static final ConfigKey API_KEYS_SECRET = string("apiKeysSecret", "",
            "Existing Secret in the namespace holding the gateway's API keys, one per line under key api-keys (empty = none).");
    public static final ConfigKey TLS_CERTIFICATE = string("tlsCertificate", "",
            "PEM certificate chain for HTTPS on port 443, terminated by the gateway (with tlsKey); it must name the address or host clients dial. Stored in a kubernetes.io/tls Secret the stack creates.");
    public static final ConfigKey TLS_KEY = ConfigKey.secret("tlsKey",
            "PEM private key of tlsCertificate; must be set with --secret.");
    public static final ConfigKey PLAIN_HTTP = bool("plainHttp", true,
            "Also serve plain HTTP on servicePort when TLS is set (for private clients); false serves HTTPS only.");
    public static final ConfigKey ALLOW_API_KEYS_OVER_PLAIN_HTTP = bool("allowApiKeysOverPlainHttp", false,
            "Explicit opt-in to API keys over plain HTTP on an external LoadBalancer (keys and prompts in clear text).");
    public static final ConfigKey ALLOW_PUBLIC_ACCESS_WITHOUT_KEYS = bool("allowPublicAccessWithoutKeys", false,
            "Explicit opt-in to a public (allowPublicAccess) endpoint without API keys: anyone on the internet may use it.");
    public static final ConfigKey LOAD_TEST_SOURCE_RANGES = array("loadTestSourceRanges", List.of(),
            "Client CIDRs exempt from the gateway's per-client limits (fixed-address load-test runners); the pod range (podsCidr, where in-cluster workers run) is always exempt.");
    public static final ConfigKey MAX_OUTPUT_TOKENS = integer("maxOutputTokens", 1024,
            "Most output tokens one answer may ask for: the gateway caps num_predict / max_tokens at this (and adds it when absent); at most contextLength.");
    public static final ConfigKey API_KEYS = ConfigKey.secret("apiKeys",
            "Gateway bearer API keys, comma-separated; must be set with --secret (plaintext is refused). Stored in a Secret the stack creates.");

    // Provider plugins
    public static final ConfigKey GCP_PLUGIN_VERSION = string("gcpProviderVersion", "9.37.0",
            "Version of the pulumi-gcp provider plugin: an exact release x.y.z, at least 8.32.0 (must know queuedProvisioning and nodeConfig.flexStart).");
    public static final ConfigKey K8S_PLUGIN_VERSION = string("kubernetesProviderVersion", "4.34.2",
            "Version of the pulumi-kubernetes provider plugin.");

    private static final List<ConfigKey> ALL = List.of(
            GCP_PROJECT, REGION, GPU_ZONES,
            NETWORK_NAME, SUBNETWORK_NAME, SUBNET_CIDR, PODS_CIDR, SERVICES_CIDR, PODS_RANGE_NAME, SERVICES_RANGE_NAME,
            CLUSTER_NAME, RELEASE_CHANNEL, GKE_VERSION, DELETION_PROTECTION, SYSTEM_MACHINE_TYPE, SYSTEM_NODES_PER_ZONE,
            PRIVATE_NODES, CONTROL_PLANE_AUTHORIZED_NETWORKS,
            GPU_POOL_NAME, GPU_MACHINE_TYPE, ACCELERATOR_TYPE, ACCELERATORS_PER_NODE, GPU_NODE_COUNT, GPU_MIN_NODES,
            GPU_DRIVER_VERSION, GPU_IMAGE_TYPE, GPU_DISK_SIZE_GB, GPU_PROVISIONING, GPU_RESERVATION, DWS_GENERATION, GPU_AUTO_REPAIR,
            COMPACT_PLACEMENT, DWS_MAX_RUN_DURATION, DAEMONSET_MEMORY, DAEMONSET_CPU,
            NAMESPACE, RELEASE_NAME, CHART_PATH, IMAGE_TAG, ENGINE, MODEL, NUM_PARALLEL, MAX_QUEUE, KEEP_ALIVE, CONTEXT_LENGTH,
            FLASH_ATTENTION, GPU_MEMORY_UTILIZATION, DTYPE, QUANTIZATION, HF_TOKEN, CPU_REQUEST, MEMORY_REQUEST, MEMORY_LIMIT, GPUS_PER_POD, REPLICAS, HPA_ENABLED,
            HPA_PINNED, HPA_MIN_REPLICAS, HPA_MAX_REPLICAS, SERVICE_TYPE, SERVICE_PORT, LB_SOURCE_RANGES, INTERNAL_LB,
            ALLOW_PUBLIC_ACCESS, ALLOW_PUBLIC_ACCESS_WITHOUT_KEYS, GATEWAY_ENABLED, MAX_OUTPUT_TOKENS, API_KEYS_SECRET, API_KEYS,
            ALLOW_API_KEYS_OVER_PLAIN_HTTP, TLS_CERTIFICATE, TLS_KEY, PLAIN_HTTP, LOAD_TEST_SOURCE_RANGES,
            GCP_PLUGIN_VERSION, K8S_PLUGIN_VERSION);

    private static final Map<String, ConfigKey> BY_NAME;

    static {
        Map<String, ConfigKey> m = new LinkedHashMap<>();
        for (ConfigKey k : ALL) {
            if (m.put(k.name(), k) != null) {
                throw new IllegalStateException("duplicate config key " + k.name());
            }
        }
        BY_NAME = Map.copyOf(m);
    }

    private ConfigKeys() {}

    /** All keys, in the order {@code Pulumi.yaml} and the docs list them. */
    public static List<ConfigKey> all() {
        return ALL;
    }

    public static Optional<ConfigKey> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The closest declared key to a mistyped one, for "did you mean" (edit distance at most 3). */
    public static Optional<String> closest(String name) {
        return closest(name, ALL.stream().map(ConfigKey::name).toList());
    }

    /**
     * The closest of {@code candidates} to a mistyped name (edit distance at most 3), in time linear in the name's
     * length: a megabyte-long key is compared only as far as the bound.
     */
    public static Optional<String> closest(String name, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        LevenshteinDistance bounded = new LevenshteinDistance(3);
        for (String k : candidates) {
            if (Math.abs(k.length() - name.length()) > 3) {
                continue;
            }
            int d = bounded.apply(name.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d >= 0 && d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= 3 ? Optional.of(best) : Optional.empty();
    }
}
