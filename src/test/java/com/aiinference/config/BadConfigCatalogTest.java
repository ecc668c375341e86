package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.core.Check;
import com.aiinference.stack.ChartValidation;
import com.aiinference.stack.StackRules;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every refusal the stack makes, each with its pinned one-line message naming the key. Malformed config is refused by
 * the parser (plan exits 2); what only Java can know (node allocatable, GKE and DWS limits, CIDR overlap) by
 * {@link PolicyRules}, and the chart's own rules by the chart rendering the release's values
 * ({@link ChartValidation}) (plan exits 1 for both). All stop {@code pulumi up} before any resource is registered
 * ({@link StackRules#requireValid}).
 */
class BadConfigCatalogTest {

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(Arrays.asList("memoryLimt", "40Gi"),
                        "ai-inference:memoryLimt is not a known key of this project (did you mean ai-inference:memoryLimit?)"),
                Arguments.of(Arrays.asList("gpuCount", "10"),
                        "ai-inference:gpuCount is not a known key of this project"),
                Arguments.of(Arrays.asList("aiinference:memoryLimit", "46Gi"),
                        "aiinference:memoryLimit: namespace 'aiinference' is neither this project's (ai-inference) nor one of"
                                + " gcp, kubernetes, pulumi (did you mean ai-inference:memoryLimit?)"),
                Arguments.of(Arrays.asList("ai_inference:numParalel", "8"),
                        "ai_inference:numParalel: namespace 'ai_inference' is neither this project's (ai-inference) nor one of"
                                + " gcp, kubernetes, pulumi (did you mean ai-inference:numParallel?)"),
                Arguments.of(Arrays.asList("engine", "vllm", "model", "meta-llama/Llama-3.1-8B-Instruct", "gpuMemoryUtilization", "most"),
                        "ai-inference:gpuMemoryUtilization most is not a number (a share of the GPU's memory such as 0.9)"),
                Arguments.of(Arrays.asList("dtype", "bfloat16"),
                        "ai-inference:dtype bfloat16 is only used with ai-inference:engine vllm (it is ollama)"),
                Arguments.of(Arrays.asList("memoryLimit", "40GB"),
                        "ai-inference:memoryLimit 40GB is not a Kubernetes quantity (e.g. 40Gi, 512Mi, 8, 500m)"),
                Arguments.of(Arrays.asList("memoryRequest", "-1Gi"),
                        "ai-inference:memoryRequest -1Gi is not a Kubernetes quantity (e.g. 40Gi, 512Mi, 8, 500m)"),
                Arguments.of(Arrays.asList("gpuNodeCount", "ten"),
                        "ai-inference:gpuNodeCount ten is not an integer"),
                Arguments.of(Arrays.asList("gpuNodeCount", "0"),
                        "ai-inference:gpuNodeCount 0 must be at least 1"),
                Arguments.of(Arrays.asList("gpuProvisioning", "preemptible"),
                        "ai-inference:gpuProvisioning preemptible is not one of queued, flex-start, on-demand, spot, reservation"),
                Arguments.of(Arrays.asList("gpuProvisioning", "reservation", "gpuReservation", "L4_Calendar"),
                        "ai-inference:gpuReservation L4_Calendar is not a Compute Engine reservation name (lowercase letters, digits, hyphens; up to 63)"),
                Arguments.of(Arrays.asList("dwsGeneration", "0"),
                        "ai-inference:dwsGeneration 0 must be at least 1"),
                Arguments.of(Arrays.asList("region", "us-central"),
                        "ai-inference:region us-central is not a GCP region (e.g. us-central1)"),
                Arguments.of(Arrays.asList("gpuZones", "[\"us-central1\"]"),
                        "ai-inference:gpuZones us-central1 is not a GCP zone (e.g. us-central1-a)"),
                Arguments.of(Arrays.asList("gpuZones", "[\"europe-west4-a\"]"),
                        "ai-inference:gpuZones europe-west4-a is not in region us-central1"),
                Arguments.of(Arrays.asList("loadBalancerSourceRanges", "10.0.0.0/8"),
                        "ai-inference:loadBalancerSourceRanges 10.0.0.0/8 must be a list (in the stack file: a YAML list; on the CLI: pulumi config set --path 'loadBalancerSourceRanges[0]' VALUE)"),
                Arguments.of(Arrays.asList("podsCidr", "10.16.0.1/14"),
                        "ai-inference:podsCidr 10.16.0.1/14 is not a CIDR (e.g. 10.10.0.0/20)"),
                Arguments.of(Arrays.asList("gpuDriverVersion", "INSTALLATION_DISABLED"),
                        "ai-inference:gpuDriverVersion INSTALLATION_DISABLED is not one of DEFAULT, LATEST"),
                Arguments.of(Arrays.asList("gpuMachineType", "g2-standard-13"),
                        "ai-inference:gpuMachineType g2-standard-13 is not a known machine shape (known: g2-standard-4, g2-standard-8, g2-standard-12, g2-standard-16, g2-standard-24, g2-standard-32, g2-standard-48, g2-standard-96, e2-standard-2, e2-standard-4, e2-standard-8, n2-standard-2, n2-standard-4, n2-standard-8, n2d-standard-4)"),
                Arguments.of(Arrays.asList("gkeVersion", "1.32.2"),
                        "ai-inference:gkeVersion 1.32.2 is not a GKE version: leave it empty (the release channel's default), give a minor such as 1.33, or a full version such as 1.32.2-gke.1652000"),
                Arguments.of(Arrays.asList("gkeVersion", "latest"),
                        "ai-inference:gkeVersion latest is not a GKE version: leave it empty (the release channel's default), give a minor such as 1.33, or a full version such as 1.32.2-gke.1652000"),
                Arguments.of(Arrays.asList("gcpProject", "My_Project"),
                        "ai-inference:gcpProject My_Project is not a GCP project ID (6-30 lowercase letters, digits and hyphens, starting with a letter)"),
                Arguments.of(Arrays.asList("gcpProject", null),
                        "ai-inference:gcpProject is required: set it with `pulumi config set gcpProject <project-id>`"),
                Arguments.of(Arrays.asList("systemMachineType", "g2-standard-4"),
                        "ai-inference:systemMachineType g2-standard-4 is a GPU machine; the system pool needs a general-purpose machine type"),
                Arguments.of(Arrays.asList("apiKeys", "a-valid-key-0123456789,short"),
                        "ai-inference:apiKeys key #2 is not 16-256 characters of letters, digits and ._~+/=-"),
                Arguments.of(Arrays.asList("apiKeys", "a-valid-key-0123456789,second-key-0123456789,a-valid-key-0123456789"),
                        "ai-inference:apiKeys key #3 repeats key #1 (keys that differ only in case count as the same)"),
                Arguments.of(Arrays.asList("apiKeys", "a-valid-key-0123456789,A-Valid-Key-0123456789"),
                        "ai-inference:apiKeys key #2 repeats key #1 (keys that differ only in case count as the same)"),
                Arguments.of(Arrays.asList("apiKeys", "a-valid-key-0123456789", "apiKeysSecret", "my-keys"),
                        "ai-inference:apiKeys and ai-inference:apiKeysSecret are both set; use one"),
                Arguments.of(Arrays.asList("clusterName", "inference-platform-production"),
                        "ai-inference:clusterName inference-platform-production is longer than 24 characters (the node service account inference-platform-production-nodes must fit GCP's 30)"),
                Arguments.of(Arrays.asList("clusterName", "AI_Inference"),
                        "ai-inference:clusterName AI_Inference is not a valid name (lowercase letters, digits and '-', starting with a letter, at most 40 characters)"),
                Arguments.of(Arrays.asList("gcpProviderVersion", "8.31.0"),
                        "ai-inference:gcpProviderVersion 8.31.0 is below 8.32.0, the first pulumi-gcp release whose NodePool knows nodeConfig.flexStart"),
                Arguments.of(Arrays.asList("gcpProviderVersion", "7.0.0"),
                        "ai-inference:gcpProviderVersion 7.0.0 is below 8.32.0, the first pulumi-gcp release whose NodePool knows nodeConfig.flexStart"),
                Arguments.of(Arrays.asList("gcpProviderVersion", "9.37.0-alpha.1"),
                        "ai-inference:gcpProviderVersion 9.37.0-alpha.1 is not an exact plugin release (x.y.z, e.g. 9.37.0)"),
                Arguments.of(Arrays.asList("gcpProviderVersion", "v9.37.0"),
                        "ai-inference:gcpProviderVersion v9.37.0 is not an exact plugin release (x.y.z, e.g. 9.37.0)"),
                Arguments.of(Arrays.asList("daemonSetCpu", "0.2 cores"),
                        "ai-inference:daemonSetCpu 0.2 cores is not a Kubernetes quantity (e.g. 40Gi, 512Mi, 8, 500m)"));
    }

    static Stream<Arguments> ruleViolations() {
        return Stream.of(
                Arguments.of(Arrays.asList("memoryLimit", "46Gi", "memoryRequest", "40Gi"), "memory-limit-fits-node",
                        "ai-inference:memoryLimit 46Gi plus the gateway's 128Mi (ai-inference:gatewayEnabled true) = 46.1Gi exceeds the 43.4Gi allocatable on g2-standard-12"),
                Arguments.of(Arrays.asList("memoryLimit", "43Gi", "memoryRequest", "40Gi"), "memory-limit-fits-node",
                        "ai-inference:memoryLimit 43Gi plus the gateway's 128Mi (ai-inference:gatewayEnabled true) = 43.1Gi exceeds the 43.4Gi allocatable on g2-standard-12 less 512Mi for DaemonSets (42.9Gi)"),
                Arguments.of(Arrays.asList("memoryLimit", "42.8Gi", "memoryRequest", "40Gi"), "memory-limit-fits-node",
                        "ai-inference:memoryLimit 42.8Gi plus the gateway's 128Mi (ai-inference:gatewayEnabled true) = 42.9Gi exceeds the 43.4Gi allocatable on g2-standard-12 less 512Mi for DaemonSets (42.9Gi)"),
                Arguments.of(Arrays.asList("cpuRequest", "12"), "cpu-request-fits-node",
                        "ai-inference:cpuRequest 12 plus the gateway's 500m (ai-inference:gatewayEnabled true) = 12.5 exceeds the 11.9 CPU allocatable on g2-standard-12"),
                Arguments.of(Arrays.asList("cpuRequest", "11.5"), "cpu-request-fits-node",
                        "ai-inference:cpuRequest 11.5 plus the gateway's 500m (ai-inference:gatewayEnabled true) = 12 exceeds the 11.9 CPU allocatable on g2-standard-12"),
                Arguments.of(Arrays.asList("cpuRequest", "11.3"), "cpu-request-fits-node",
                        "ai-inference:cpuRequest 11.3 plus the gateway's 500m (ai-inference:gatewayEnabled true) = 11.8 exceeds the 11.9 CPU allocatable on g2-standard-12 less 200m for DaemonSets (11.7)"),
                Arguments.of(Arrays.asList("cpuRequest", "11.8", "gatewayEnabled", "false", "serviceType", "ClusterIP", "loadBalancerSourceRanges", "[]"), "cpu-request-fits-node",
                        "ai-inference:cpuRequest 11.8 exceeds the 11.9 CPU allocatable on g2-standard-12 less 200m for DaemonSets (11.7)"),
                Arguments.of(Arrays.asList("replicas", "11", "hpaEnabled", "false"), "replicas-fit-pool",
                        "ai-inference:replicas 11 exceeds what the 10 x g2-standard-12 pool holds 10 pod(s) of 1 GPU"),
                Arguments.of(Arrays.asList("hpaMaxReplicas", "12", "hpaPinned", "false", "gpuProvisioning", "on-demand"), "replicas-fit-pool",
                        "ai-inference:hpaMaxReplicas 12 exceeds what the 10 x g2-standard-12 pool holds 10 pod(s) of 1 GPU"),
                Arguments.of(Arrays.asList("hpaMinReplicas", "5", "gpuProvisioning", "on-demand"), "hpa-pinned",
                        "ai-inference:hpaMinReplicas 5 differs from ai-inference:hpaMaxReplicas 10 but ai-inference:hpaPinned is true (a pinned HPA has min = max)"),
                Arguments.of(Arrays.asList("acceleratorType", "nvidia-tesla-t4"), "accelerator-fits-machine",
                        "ai-inference:acceleratorType nvidia-tesla-t4 cannot be attached to g2-standard-12 (g2 machines carry nvidia-l4)"),
                Arguments.of(Arrays.asList("gpuMachineType", "n2-standard-8", "memoryLimit", "20Gi", "memoryRequest", "20Gi", "cpuRequest", "4"), "accelerator-fits-machine",
                        "ai-inference:acceleratorType nvidia-l4 cannot be attached to n2-standard-8 (a machine without GPUs; use g2-standard-* for nvidia-l4)"),
                Arguments.of(Arrays.asList("acceleratorsPerNode", "2"), "accelerator-fits-machine",
                        "ai-inference:acceleratorsPerNode 2 does not match g2-standard-12, which has 1 x nvidia-l4"),
                Arguments.of(Arrays.asList("gpuProvisioning", "reservation"), "gpu-provisioning",
                        "ai-inference:gpuProvisioning reservation needs ai-inference:gpuReservation (the reservation's name)"),
                Arguments.of(Arrays.asList("gpuProvisioning", "reservation", "gpuReservation", "l4-calendar"), "gpu-provisioning",
                        "ai-inference:gpuProvisioning reservation needs exactly one ai-inference:gpuZones entry, the zone of reservation l4-calendar (it is [us-central1-a, us-central1-b, us-central1-c])"),
                Arguments.of(Arrays.asList("gpuReservation", "l4-calendar"), "gpu-provisioning",
                        "ai-inference:gpuReservation l4-calendar is only used with ai-inference:gpuProvisioning reservation (it is queued)"),
                Arguments.of(Arrays.asList("gpuProvisioning", "spot", "dwsGeneration", "2"), "gpu-provisioning",
                        "ai-inference:dwsGeneration 2 names a new ProvisioningRequest, which only ai-inference:gpuProvisioning queued has (it is spot)"),
                Arguments.of(Arrays.asList("gpuProvisioning", "flex-start", "compactPlacement", "true"), "gpu-provisioning",
                        "ai-inference:compactPlacement true is not allowed with ai-inference:gpuProvisioning flex-start (flex-start VMs take no placement policy)"),
                Arguments.of(Arrays.asList("gpuMinNodes", "2"), "dws-min-nodes",
                        "ai-inference:gpuMinNodes 2 must be 0 with ai-inference:gpuProvisioning queued (nodes only come through a ProvisioningRequest)"),
                Arguments.of(Arrays.asList("compactPlacement", "true"), "dws-no-compact-placement",
                        "ai-inference:compactPlacement true is not allowed with ai-inference:gpuProvisioning queued"),
                Arguments.of(Arrays.asList("gpuAutoRepair", "true"), "dws-no-auto-repair",
                        "ai-inference:gpuAutoRepair true is not allowed with ai-inference:gpuProvisioning queued (GKE rejects auto-repair on queued pools)"),
                Arguments.of(Arrays.asList("gkeVersion", "1.32.2-gke.1651999"), "dws-gke-version",
                        "ai-inference:gkeVersion 1.32.2-gke.1651999 is below 1.32.2-gke.1652000, the minimum for queued provisioning on flex-start"),
                Arguments.of(Arrays.asList("gkeVersion", "1.31"), "dws-gke-version",
                        "ai-inference:gkeVersion 1.31 is below 1.32.2-gke.1652000, the minimum for queued provisioning on flex-start"),
                Arguments.of(Arrays.asList("gpuImageType", "UBUNTU_CONTAINERD"), "gpu-driver-image",
                        "ai-inference:gpuDriverVersion LATEST needs ai-inference:gpuImageType COS_CONTAINERD, not UBUNTU_CONTAINERD"),
                Arguments.of(Arrays.asList("servicesCidr", "10.10.8.0/24"), "network-ranges-disjoint",
                        "ai-inference:servicesCidr 10.10.8.0/24 overlaps ai-inference:subnetCidr 10.10.0.0/20"));
    }

    /**
     * Refusals that are the chart's own (values.schema.json and the fail rules in templates/_helpers.tpl): the chart
     * renders the release's values before anything is registered, and its message is told with the config keys.
     */
    private static final String VLLM_8B = "meta-llama/Llama-3.1-8B-Instruct";

    static Stream<Arguments> refusedByTheChart() {
        String cpu = " (the chart's resources.requests.cpu: Ollama CPU request: cores such as 8 or 7.5 (up to 3 decimals), or millicores such as 7500m)";
        String tag = " (the chart's image.tag: Ollama release tag (x.y.z, 0.17.1 or later); empty means appVersion)";
        String keepAlive = " (the chart's ollama.keepAlive: OLLAMA_KEEP_ALIVE: -1, a number of seconds, or a duration like 5m or 1h)";
        return Stream.of(
                // values.schema.json
                Arguments.of(Arrays.asList("imageTag", "latest tag"), "ai-inference:imageTag latest tag is not a form the chart accepts" + tag),
                Arguments.of(Arrays.asList("imageTag", "latest"), "ai-inference:imageTag latest is not a form the chart accepts" + tag),
                Arguments.of(Arrays.asList("imageTag", "0.17.7-rocm"), "ai-inference:imageTag 0.17.7-rocm is not a form the chart accepts" + tag),
                Arguments.of(Arrays.asList("keepAlive", "5 minutes"), "ai-inference:keepAlive 5 minutes is not a form the chart accepts" + keepAlive),
                Arguments.of(Arrays.asList("keepAlive", "-5m"), "ai-inference:keepAlive -5m is not a form the chart accepts" + keepAlive),
                Arguments.of(Arrays.asList("servicePort", "70000"), "ai-inference:servicePort 70000 must be at most 65535 (the chart's service.port: Service port)"),
                Arguments.of(Arrays.asList("serviceType", "NodePort"), "ai-inference:serviceType NodePort must be one of 'LoadBalancer', 'ClusterIP' (the chart's service.type: Service type)"),
                Arguments.of(Arrays.asList("maxQueue", "200000"), "ai-inference:maxQueue 200000 must be at most 100000 (the chart's ollama.maxQueue: OLLAMA_MAX_QUEUE)"),
                Arguments.of(Arrays.asList("contextLength", "256"), "ai-inference:contextLength 256 must be at least 512 (the chart's ollama.contextLength: OLLAMA_CONTEXT_LENGTH)"),
                Arguments.of(Arrays.asList("contextLength", "2000000"), "ai-inference:contextLength 2000000 must be at most 1048576 (the chart's ollama.contextLength: OLLAMA_CONTEXT_LENGTH)"),
                Arguments.of(Arrays.asList("dwsMaxRunDurationSeconds", "300"), "ai-inference:dwsMaxRunDurationSeconds 300 must be at least 600 (the chart's dws.maxRunDurationSeconds: Node lifetime in seconds, at most 7 days)"),
                Arguments.of(Arrays.asList("dwsMaxRunDurationSeconds", "700000"), "ai-inference:dwsMaxRunDurationSeconds 700000 must be at most 604800 (the chart's dws.maxRunDurationSeconds: Node lifetime in seconds, at most 7 days)"),
                Arguments.of(Arrays.asList("cpuRequest", "7.5555"), "ai-inference:cpuRequest 7.5555 is not a form the chart accepts" + cpu),
                Arguments.of(Arrays.asList("cpuRequest", "8Gi"), "ai-inference:cpuRequest 8Gi is not a form the chart accepts" + cpu),
                Arguments.of(Arrays.asList("loadBalancerSourceRanges", "[\"203.0.113.0/24\", \"203.0.113.0/24\"]"), "ai-inference:loadBalancerSourceRanges lists 203.0.113.0/24 twice"),
                Arguments.of(Arrays.asList("loadBalancerSourceRanges", "[\"10.0.0.0/33\"]"), "ai-inference:loadBalancerSourceRanges 10.0.0.0/33 is not a form the chart accepts (the chart's service.loadBalancerSourceRanges[0]: Client CIDRs such as 203.0.113.0/24 (IPv4 or IPv6, each once))"),
                Arguments.of(Arrays.asList("apiKeysSecret", "my.keys"), "ai-inference:apiKeysSecret my.keys is not a form the chart accepts (the chart's gateway.apiKeys.existingSecret: Secret with bearer keys (lowercase letters, digits and '-'); empty means none)"),
                Arguments.of(Arrays.asList("model", "llama 3"), "ai-inference:model llama 3 is not a form the chart accepts (the chart's model.name: Ollama model name such as llama3.1:8b, library/qwen2 or registry.local:5000/team/m:v1)"),
                Arguments.of(Arrays.asList("gpusPerPod", "0"), "ai-inference:gpusPerPod 0 must be at least 1 (the chart's gpu.count: GPUs per pod)"),
                Arguments.of(Arrays.asList("numParallel", "0"), "ai-inference:numParallel 0 must be at least 1 (the chart's ollama.numParallel: OLLAMA_NUM_PARALLEL)"),
                Arguments.of(Arrays.asList("numParallel", "65"), "ai-inference:numParallel 65 must be at most 64 (the chart's ollama.numParallel: OLLAMA_NUM_PARALLEL)"),
                Arguments.of(Arrays.asList("replicas", "0", "hpaEnabled", "false"), "ai-inference:replicas 0 must be at least 1 (the chart's replicaCount: Inference pods when the HPA is off; must equal a pinned HPA's count)"),
                // vLLM's values: the chart's schema is their only home
                Arguments.of(Arrays.asList("engine", "vllm", "model", VLLM_8B, "dtype", "fp7"), "ai-inference:dtype fp7 must be one of 'auto', 'bfloat16', 'float16' (the chart's vllm.dtype: --dtype)"),
                Arguments.of(Arrays.asList("engine", "vllm", "model", VLLM_8B, "quantization", "int3"), "ai-inference:quantization int3 must be one of '', 'awq', 'awq_marlin', 'gptq', 'gptq_marlin', 'fp8', 'bitsandbytes' (the chart's vllm.quantization: --quantization; \"\" = none)"),
                Arguments.of(Arrays.asList("engine", "vllm", "model", VLLM_8B, "gpuMemoryUtilization", "1.5"), "ai-inference:gpuMemoryUtilization 1.5 must be at most 0.98 (the chart's vllm.gpuMemoryUtilization: --gpu-memory-utilization)"),
                Arguments.of(Arrays.asList("engine", "vllm", "model", VLLM_8B, "gpuMemoryUtilization", "0"), "ai-inference:gpuMemoryUtilization 0.0 must be above 0 (the chart's vllm.gpuMemoryUtilization: --gpu-memory-utilization)"),
                Arguments.of(Arrays.asList("engine", "vllm", "model", VLLM_8B, "numParallel", "1025"), "ai-inference:numParallel 1025 must be at most 1024 (the chart's vllm.maxNumSeqs: --max-num-seqs)"),
                Arguments.of(Arrays.asList("maxOutputTokens", "0"), "ai-inference:maxOutputTokens 0 must be at least 1 (the chart's gateway.policy.maxOutputTokens: Cap on num_predict / max_tokens)"),
                // the chart's fail rules
                Arguments.of(Arrays.asList("maxOutputTokens", "8192"), "ai-inference:maxOutputTokens 8192 exceeds the context length 4096 (ai-inference:contextLength): an answer cannot be longer than the context"),
                Arguments.of(Arrays.asList("engine", "vllm", "model", "/models/llama"), "ai-inference:model /models/llama is a path in the model cache, which only modelCache.type existingClaim provides (an emptyDir starts empty); use a Hugging Face id or set modelCache.existingClaim (no key of this stack sets modelCache.type or modelCache.existingClaim: the chart's default is used)"),
                Arguments.of(Arrays.asList("memoryRequest", "41Gi"), "ai-inference:memoryRequest 41Gi exceeds ai-inference:memoryLimit 40Gi; a request above its limit is refused by Kubernetes"),
                Arguments.of(Arrays.asList("loadBalancerSourceRanges", "[\"0.0.0.0/0\"]"), "ai-inference:loadBalancerSourceRanges contains 0.0.0.0/0, which opens the LoadBalancer to the internet (a /0 prefix matches every address); set ai-inference:allowPublicAccess=true if that is what you mean"),
                Arguments.of(Arrays.asList("imageTag", "0.17.0"), "ai-inference:imageTag 0.17.0 is older than Ollama 0.17.1, which fixes CVE-2026-7482 (unauthenticated heap read through /api/create); use 0.17.1 or later"),
                Arguments.of(Arrays.asList("imageTag", "0.9.10"), "ai-inference:imageTag 0.9.10 is older than Ollama 0.17.1, which fixes CVE-2026-7482 (unauthenticated heap read through /api/create); use 0.17.1 or later"),
                Arguments.of(Arrays.asList("hpaPinned", "false", "hpaMinReplicas", "5"), "ai-inference:gpuProvisioning=queued provisions a fixed set of nodes, so the replica count must be fixed, but the HPA ranges 5..10 (ai-inference:hpaMinReplicas..ai-inference:hpaMaxReplicas); set them equal or set ai-inference:hpaEnabled=false"),
                Arguments.of(Arrays.asList("hpaPinned", "false", "hpaMinReplicas", "8", "hpaMaxReplicas", "8"), "ai-inference:replicas 10 disagrees with the pinned HPA (ai-inference:hpaMinReplicas = ai-inference:hpaMaxReplicas = 8); set them equal"),
                Arguments.of(Arrays.asList("hpaMinReplicas", "8", "hpaMaxReplicas", "6", "hpaPinned", "false", "replicas", "6", "gpuProvisioning", "on-demand"), "ai-inference:hpaMinReplicas 8 exceeds ai-inference:hpaMaxReplicas 6"),
                Arguments.of(Arrays.asList("gatewayEnabled", "false"), "ai-inference:gatewayEnabled=false on a public LoadBalancer would expose the whole Ollama API (pull, create, push, delete); keep the gateway, or use ai-inference:internalLoadBalancer=true or ai-inference:serviceType=ClusterIP"),
                Arguments.of(Arrays.asList("gatewayEnabled", "false", "internalLoadBalancer", "true", "apiKeysSecret", "my-keys"), "ai-inference:apiKeysSecret needs ai-inference:gatewayEnabled=true: the gateway checks the keys"),
                Arguments.of(Arrays.asList("serviceType", "ClusterIP"), "ai-inference:loadBalancerSourceRanges only applies to ai-inference:serviceType LoadBalancer (it is ClusterIP)"),
                Arguments.of(Arrays.asList("serviceType", "ClusterIP", "loadBalancerSourceRanges", "[]", "internalLoadBalancer", "true"), "ai-inference:internalLoadBalancer=true needs ai-inference:serviceType LoadBalancer (it is ClusterIP)"),
                Arguments.of(Arrays.asList("internalLoadBalancer", "true", "allowPublicAccess", "true"), "ai-inference:internalLoadBalancer=true and ai-inference:allowPublicAccess=true contradict each other; choose one"),
                Arguments.of(Arrays.asList("loadBalancerSourceRanges", "[]"), "a public LoadBalancer without ai-inference:loadBalancerSourceRanges is open to 0.0.0.0/0; set ai-inference:loadBalancerSourceRanges to your client CIDRs, set ai-inference:internalLoadBalancer=true, or set ai-inference:allowPublicAccess=true to open it on purpose"),
                Arguments.of(Arrays.asList("chartPath", "charts/none"), "ai-inference:chartPath charts/none: no Helm chart at " + DevStack.projectDir().resolve("charts/none").toAbsolutePath().normalize() + " (Chart.yaml missing)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void malformedConfigIsRefusedByTheParser(List<String> overrides, String message) {
        assertThatThrownBy(() -> DevStack.settings(overrides.toArray(String[]::new)))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).containsExactly(message));
    }

    @org.junit.jupiter.api.Test
    void providerAndPulumiNamespacesAreLeftAlone() {
        assertThat(DevStack.settings("gcp:project", "p-1", "gcp:region", "us-central1", "kubernetes:context", "x",
                "pulumi:template", "gcp-java")).isNotNull();
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("ruleViolations")
    void ruleViolationsFailExactlyTheirRule(List<String> overrides, String rule, String message) {
        Settings s = DevStack.settings(overrides.toArray(String[]::new));
        List<Check> failed = StackRules.check(s, DevStack.projectDir()).stream().filter(Check::failed).toList();
        assertThat(failed).extracting(Check::name, Check::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(rule, message));
        assertThatThrownBy(() -> StackRules.requireValid(DevStack.PROJECT, DevStack.with(overrides.toArray(String[]::new)),
                        DevStack.SECRET_KEYS, DevStack.projectDir()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusedByTheChart")
    void theChartsRefusalsNameTheKey(List<String> overrides, String message) {
        Settings s = DevStack.settings(overrides.toArray(String[]::new));
        assertThat(StackRules.check(s, DevStack.projectDir())).filteredOn(c -> c.name().equals(ChartValidation.CHECK))
                .extracting(Check::status, Check::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Check.Status.FAIL, message));
        assertThatThrownBy(() -> StackRules.requireValid(DevStack.PROJECT, DevStack.with(overrides.toArray(String[]::new)),
                        DevStack.SECRET_KEYS, DevStack.projectDir()))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).contains(message));
    }
}
