package com.aiinference.config;

import com.aiinference.chart.ChartContract;
import java.util.List;

/**
 * The whole stack's configuration, typed and validated: read once from Pulumi config by {@link SettingsParser},
 * checked by {@link PolicyRules}, then handed to the components. Nothing downstream reads config itself.
 */
public record Settings(
        String project,
        Gcp gcp,
        Network network,
        Cluster cluster,
        GpuPool gpuPool,
        Workload workload,
        Service service,
        ProviderPlugins providers,
        Engine engine) {

    /**
     * The inference engine and its vLLM knobs. The model, parallelism and context length are the workload's
     * ({@code model}, {@code numParallel}, {@code contextLength}) whichever engine serves them.
     *
     * @param kind                 {@link #OLLAMA} or {@link #VLLM}
     * @param gpuMemoryUtilization vLLM's --gpu-memory-utilization
     * @param dtype                vLLM's --dtype
     * @param quantization         vLLM's --quantization ("" = none)
     * @param hfToken              Hugging Face token for gated models (empty = none); never printed
     */
    public record Engine(String kind, double gpuMemoryUtilization, String dtype, String quantization,
                         SecretList hfToken) {
        public static final String OLLAMA = ChartContract.ENGINE_OLLAMA;
        public static final String VLLM = ChartContract.ENGINE_VLLM;

        public boolean isVllm() {
            return VLLM.equals(kind);
        }

        /** Whether the stack creates the Hugging Face token Secret. */
        public boolean createsHfTokenSecret() {
            return isVllm() && !hfToken.values().isEmpty();
        }
    }

    public record Gcp(String projectId, String region, List<String> gpuZones) {
        public Gcp {
            gpuZones = List.copyOf(gpuZones);
        }
    }

    /** A dedicated VPC and subnet, or an existing network by name when {@code existingNetwork} is set. */
    public record Network(String existingNetwork, String existingSubnetwork, String subnetCidr, String podsCidr,
                          String servicesCidr, String podsRangeName, String servicesRangeName) {
        public boolean createsNetwork() {
            return existingNetwork.isEmpty();
        }
    }

    /**
     * @param version what {@code gkeVersion} asks for; {@code pulumi up} resolves a minor or the channel's default
     * @param privateNodes nodes without external IPs, egress through the stack's Cloud NAT
     * @param controlPlaneAuthorizedNetworks CIDRs allowed to the control plane's public endpoint (empty = any)
     */
    public record Cluster(String name, String releaseChannel, GkeVersionPin version, boolean deletionProtection,
                          String systemMachineType, int systemNodesPerZone, boolean privateNodes,
                          List<String> controlPlaneAuthorizedNetworks) {
        /** Zones a regional cluster spreads its system pool over when no node locations are given. */
        public static final int REGIONAL_ZONES = 3;

        public Cluster {
            controlPlaneAuthorizedNetworks = List.copyOf(controlPlaneAuthorizedNetworks);
        }

        public int systemNodes() {
            return systemNodesPerZone * REGIONAL_ZONES;
        }
    }

    public record GpuPool(String name, MachineShape machine, String acceleratorType, int acceleratorsPerNode,
                          int maxNodes, int minNodes, String driverVersion, String imageType, int diskSizeGb,
                          Provisioning provisioning, String reservation, int dwsGeneration, boolean autoRepair,
                          boolean compactPlacement, int maxRunDurationSeconds,
                          Quantity daemonSetMemory, Quantity daemonSetCpu) {
        public int gpuCapacity() {
            return maxNodes * acceleratorsPerNode;
        }

        /** DWS queued provisioning: nodes only through a ProvisioningRequest, all together. */
        public boolean queuedProvisioning() {
            return provisioning == Provisioning.QUEUED;
        }

        /** The nodes are DWS flex-start VMs (queued pools run on them too). */
        public boolean flexStart() {
            return provisioning == Provisioning.QUEUED || provisioning == Provisioning.FLEX_START;
        }

        public boolean spot() {
            return provisioning == Provisioning.SPOT;
        }

        /** GKE's consumeReservationType for the pool: a named reservation, or none (DWS and spot cannot use one). */
        public String reservationAffinity() {
            return provisioning == Provisioning.RESERVATION ? "SPECIFIC_RESERVATION" : "NO_RESERVATION";
        }
    }

    public record Workload(String namespace, String releaseName, String chartPath, String imageTag, String model,
                           int numParallel, int maxQueue, String keepAlive, int contextLength, boolean flashAttention,
                           Quantity cpuRequest, Quantity memoryRequest, Quantity memoryLimit, int gpusPerPod,
                           int replicas, boolean hpaEnabled, boolean hpaPinned, int hpaMinReplicas,
                           int hpaMaxReplicas) {
        /** Replicas the pool must hold at most: the HPA's max when it owns the count. */
        public int peakReplicas() {
            return hpaEnabled ? Math.max(hpaMaxReplicas, replicas) : replicas;
        }

        public boolean isHpaPinnedAt() {
            return hpaEnabled && hpaMinReplicas == hpaMaxReplicas;
        }
    }

    public record Service(String type, int port, List<String> loadBalancerSourceRanges, boolean internal,
                          boolean allowPublicAccess, boolean gatewayEnabled, int maxOutputTokens,
                          String apiKeysSecret, SecretList apiKeys, Tls tls, List<String> loadTestSourceRanges) {
        public Service {
            loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
            loadTestSourceRanges = List.copyOf(loadTestSourceRanges);
        }

        /** Whether the stack creates the API-key Secret itself (from {@code apiKeys}). */
        public boolean createsApiKeySecret() {
            return !apiKeys.values().isEmpty();
        }

        public boolean isLoadBalancer() {
            return "LoadBalancer".equals(type);
        }

        /** Whether the stack creates a TLS Secret (from {@code tlsCertificate} and {@code tlsKey}). */
        public boolean createsTlsSecret() {
            return !tls.certificate().isEmpty();
        }
    }

    /**
     * HTTPS at the gateway and the exposure opt-ins. {@code key} holds the private key (one value, never printed).
     */
    public record Tls(String certificate, SecretList key, boolean plainHttp, boolean allowApiKeysOverPlainHttp,
                      boolean allowPublicAccessWithoutKeys) {
    }

    /** Secret strings that never show up in {@code toString()} or messages. */
    public record SecretList(List<String> values) {
        public SecretList {
            values = List.copyOf(values);
        }

        @Override
        public String toString() {
            return "[secret x" + values.size() + "]";
        }
    }

    /** How the GPU nodes are obtained ({@code gpuProvisioning}). */
    public enum Provisioning {
        QUEUED("queued"), FLEX_START("flex-start"), ON_DEMAND("on-demand"), SPOT("spot"), RESERVATION("reservation");

        private final String configName;

        Provisioning(String configName) {
            this.configName = configName;
        }

        /** The value as {@code gpuProvisioning} spells it (and the chart's {@code gpu.provisioning}). */
        public String configName() {
            return configName;
        }

        public static java.util.Optional<Provisioning> byConfigName(String name) {
            return java.util.Arrays.stream(values()).filter(p -> p.configName.equals(name)).findFirst();
        }
    }

    public record ProviderPlugins(String gcpVersion, String kubernetesVersion) {
        /**
         * The lowest pulumi-gcp plugin accepted: the pool sends {@code nodeConfig.flexStart}, which Terraform's google
         * provider added in 6.33.0 (hashicorp/terraform-provider-google#22395, GoogleCloudPlatform/magic-modules#13691).
         * pulumi-gcp was still bridging google-beta 6.32.0 on 2025-04-28 (pulumi/pulumi-gcp#3192), so releases up to
         * then lack the field. Which release first bridged 6.33 could not be confirmed from the sources at hand;
         * 8.32.0 is the estimate (uncertain). The default pin, 9.37.0, is well above it.
         */
        public static final String GCP_FLEX_START_MINIMUM = "8.32.0";
    }

    /** {@code project:key}, as messages name keys. */
    public String key(ConfigKey key) {
        return project + ":" + key.name();
    }
}
