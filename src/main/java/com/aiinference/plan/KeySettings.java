package com.aiinference.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The few inputs worth a reviewer's eye per resource type, for the plan's tree (JSON output has all inputs). */
final class KeySettings {
    private static final Map<String, List<String>> PATHS = new LinkedHashMap<>();

    static {
        PATHS.put("pulumi:providers:gcp", List.of("project", "region"));
        PATHS.put("gcp:projects/service:Service", List.of("service", "disableOnDestroy"));
        PATHS.put("gcp:compute/network:Network", List.of("name", "autoCreateSubnetworks"));
        PATHS.put("gcp:compute/subnetwork:Subnetwork", List.of("name", "ipCidrRange", "secondaryIpRanges"));
        PATHS.put("gcp:compute/router:Router", List.of("name", "region"));
        PATHS.put("gcp:compute/routerNat:RouterNat", List.of("name", "natIpAllocateOption", "sourceSubnetworkIpRangesToNat",
                "enableDynamicPortAllocation", "minPortsPerVm", "maxPortsPerVm"));
        PATHS.put("gcp:serviceaccount/account:Account", List.of("accountId"));
        PATHS.put("gcp:projects/iAMMember:IAMMember", List.of("role"));
        PATHS.put("gcp:compute/address:Address", List.of("name", "addressType", "region", "networkTier", "subnetwork"));
        PATHS.put("gcp:container/cluster:Cluster", List.of("name", "location", "releaseChannel.channel",
                "minMasterVersion", "networkingMode", "datapathProvider", "workloadIdentityConfig.workloadPool", "enableShieldedNodes",
                "removeDefaultNodePool", "deletionProtection", "privateClusterConfig",
                "masterAuthorizedNetworksConfig.cidrBlocks"));
        PATHS.put("gcp:container/nodePool:NodePool", List.of("name", "nodeConfig.machineType",
                "nodeConfig.guestAccelerators", "nodeCount", "initialNodeCount", "autoscaling",
                "queuedProvisioning.enabled", "nodeConfig.flexStart", "nodeConfig.spot", "management.autoRepair",
                "nodeConfig.reservationAffinity.consumeReservationType", "nodeConfig.taints", "nodeLocations"));
        PATHS.put("kubernetes:core/v1:Namespace", List.of("metadata.name"));
        PATHS.put("kubernetes:core/v1:Secret", List.of("metadata.name", "stringData"));
        PATHS.put("kubernetes:helm.sh/v3:Release", List.of("name", "chart", "namespace", "skipAwait",
                "values.engine", "values.model.name", "values.vllm.model", "values.replicaCount", "values.ollama.numParallel",
                "values.vllm.maxNumSeqs", "values.vllm.maxModelLen",
                "values.resources.limits.memory", "values.autoscaling", "values.gpu.provisioning", "values.dws.enabled",
                "values.service.type", "values.service.port", "values.service.addressName"));
    }

    private KeySettings() {}

    static String summary(RegisteredResource r) {
        List<String> parts = new ArrayList<>();
        if (!r.version().isEmpty() && r.isProvider()) {
            parts.add("plugin=" + r.version());
        }
        for (String path : PATHS.getOrDefault(r.type(), List.of())) {
            Object v = r.input(path);
            if (v != null) {
                String label = path.startsWith("values.") ? path.substring("values.".length()) : path;
                parts.add(label + "=" + format(v));
            }
        }
        return String.join(" ", parts);
    }

    static String format(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> e.getKey() + ":" + format(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (v instanceof List<?> l) {
            return l.stream().map(KeySettings::format).collect(Collectors.joining(",", "[", "]"));
        }
        return String.valueOf(v);
    }
}
