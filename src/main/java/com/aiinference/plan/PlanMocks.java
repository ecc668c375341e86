package com.aiinference.plan;

import com.pulumi.test.Mocks;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the cloud would answer, for the offline plan: each resource echoes its inputs plus the few computed fields the
 * program reads (self links, the service account's email, the cluster's endpoint and CA, the release status, the
 * reserved endpoint address, the engine versions GKE offers). Addresses come from the documentation ranges of RFC 5737 so they can never be mistaken
 * for real ones, and the plan labels them as mock values.
 */
public final class PlanMocks implements Mocks {
    /** The reserved external address the plan shows (TEST-NET-3): the real one comes from Google Cloud at reservation. */
    public static final String MOCK_EXTERNAL_IP = "203.0.113.10";
    /** The reserved internal address the plan shows (in the default subnet range; marked MOCK in the report). */
    public static final String MOCK_INTERNAL_IP = "10.10.0.100";
    /** The control-plane endpoint the plan shows (TEST-NET-2). */
    public static final String MOCK_ENDPOINT = "198.51.100.1";
    static final String MOCK_CA = Base64.getEncoder().encodeToString(
            "mock cluster CA certificate (plan)".getBytes(StandardCharsets.US_ASCII));

    @Override
    public CompletableFuture<ResourceResult> newResourceAsync(ResourceArgs args) {
        Map<String, Object> state = new LinkedHashMap<>(args.inputs);
        String id = args.id != null && !args.id.isEmpty() ? args.id : args.name + "-id";
        String project = String.valueOf(args.inputs.getOrDefault("project", "project"));
        switch (args.type) {
            case "gcp:compute/network:Network" -> state.put("selfLink",
                    "https://www.googleapis.com/compute/v1/projects/" + project + "/global/networks/" + args.inputs.get("name"));
            case "gcp:compute/subnetwork:Subnetwork" -> state.put("selfLink",
                    "https://www.googleapis.com/compute/v1/projects/" + project + "/regions/" + args.inputs.get("region")
                            + "/subnetworks/" + args.inputs.get("name"));
            case "gcp:serviceaccount/account:Account" -> state.put("email",
                    args.inputs.get("accountId") + "@" + project + ".iam.gserviceaccount.com");
            case "gcp:container/cluster:Cluster" -> {
                state.put("endpoint", MOCK_ENDPOINT);
                state.put("masterAuth", Map.of("clusterCaCertificate", MOCK_CA,
                        "clientCertificateConfig", Map.of("issueClientCertificate", false)));
            }
            case "kubernetes:helm.sh/v3:Release" -> state.put("status", Map.of(
                    "name", args.inputs.getOrDefault("name", args.name),
                    "namespace", args.inputs.getOrDefault("namespace", "default"),
                    "status", "deployed",
                    "revision", 1));
            case "gcp:compute/address:Address" -> state.put("address",
                    "INTERNAL".equals(args.inputs.get("addressType")) ? MOCK_INTERNAL_IP : MOCK_EXTERNAL_IP);
            default -> { }
        }
        return CompletableFuture.completedFuture(ResourceResult.of(Optional.of(id), state));
    }

    /** The invoke that resolves the control-plane version (gcp.container.getEngineVersions). */
    public static final String ENGINE_VERSIONS_TOKEN = "gcp:container/getEngineVersions:getEngineVersions";

    /**
     * MOCK versions each release channel offers, newest first, standing in for GKE's answer (the real list changes
     * weekly and comes from GKE at deploy time). Shaped so that every minor from 1.31 (below the DWS floor) to 1.34
     * resolves somewhere, as the real channels do for some months.
     */
    public static final Map<String, List<String>> MOCK_CHANNEL_VERSIONS = Map.of(
            "RAPID", List.of("1.34.1-gke.1000000", "1.33.5-gke.1100000"),
            "REGULAR", List.of("1.33.5-gke.1000000", "1.33.4-gke.1000000", "1.32.9-gke.1000000"),
            "STABLE", List.of("1.33.4-gke.1000000", "1.32.8-gke.1000000", "1.31.12-gke.1000000"));

    @Override
    public CompletableFuture<Map<String, Object>> callAsync(CallArgs args) {
        if (ENGINE_VERSIONS_TOKEN.equals(args.token)) {
            return CompletableFuture.completedFuture(engineVersions(args.args));
        }
        return CompletableFuture.completedFuture(Map.of());
    }

    /** What the provider makes of GKE's server config: each channel's default, and its newest version with the prefix. */
    private static Map<String, Object> engineVersions(Map<String, Object> args) {
        String prefix = String.valueOf(args.getOrDefault("versionPrefix", ""));
        Map<String, Object> defaults = new LinkedHashMap<>();
        Map<String, Object> latest = new LinkedHashMap<>();
        MOCK_CHANNEL_VERSIONS.forEach((channel, versions) -> {
            defaults.put(channel, versions.get(0));
            versions.stream().filter(v -> v.startsWith(prefix)).findFirst().ifPresent(v -> latest.put(channel, v));
        });
        List<String> valid = MOCK_CHANNEL_VERSIONS.values().stream().flatMap(List::stream)
                .filter(v -> v.startsWith(prefix)).distinct().sorted(java.util.Comparator.reverseOrder()).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", "mock-engine-versions");
        result.put("project", args.getOrDefault("project", "project"));
        result.put("location", args.getOrDefault("location", ""));
        if (!prefix.isEmpty()) {
            result.put("versionPrefix", prefix);
        }
        result.put("defaultClusterVersion", MOCK_CHANNEL_VERSIONS.get("REGULAR").get(0));
        result.put("latestMasterVersion", valid.isEmpty() ? "" : valid.get(0));
        result.put("latestNodeVersion", valid.isEmpty() ? "" : valid.get(0));
        result.put("validMasterVersions", valid);
        result.put("validNodeVersions", valid);
        result.put("releaseChannelDefaultVersion", defaults);
        result.put("releaseChannelLatestVersion", latest);
        return result;
    }
}
