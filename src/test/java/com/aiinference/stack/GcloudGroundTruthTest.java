package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aiinference.config.DevStack;
import com.aiinference.plan.MockEngineRun;
import com.aiinference.plan.RegisteredResource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ground truth for the DWS node pool: the request {@code gcloud container node-pools create} sends for GKE's documented
 * queued-provisioning recipe (printed by {@code --log-http}, aimed at a closed loopback port, with a dummy token: no
 * account, nothing leaves the machine) against what the Pulumi program registers, field by field, after mapping the
 * provider's names onto the GKE API's ({@code nodeConfig} -> {@code config}, {@code guestAccelerators[].type} ->
 * {@code accelerators[].acceleratorType}, {@code nodeLocations} -> {@code locations}).
 */
class GcloudGroundTruthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void registeredGpuPoolMatchesTheRequestGcloudSendsForTheDwsRecipe() throws Exception {
        Path gcloud = onPath("gcloud");
        assumeTrue(gcloud != null, "gcloud is not installed");

        MockEngineRun.Result run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.config(), Set.of());
        RegisteredResource pool = run.resources().stream().filter(r -> r.name().equals("l4-pool-nodes")).findFirst().orElseThrow();

        JsonNode api = gcloudRequest(gcloud, List.of(
                "container", "node-pools", "create", "l4-pool",
                "--cluster", "ai-inference", "--region", "us-central1", "--project", "my-gcp-project-id",
                "--machine-type", "g2-standard-12",
                "--accelerator", "type=nvidia-l4,count=1,gpu-driver-version=latest",
                // GKE's DWS recipe (provisioningrequest how-to), verbatim.
                "--enable-queued-provisioning", "--flex-start",
                "--enable-autoscaling", "--num-nodes", "0", "--total-max-nodes", "10",
                "--location-policy", "ANY", "--reservation-affinity", "none", "--no-enable-autorepair",
                "--node-locations", "us-central1-a,us-central1-b,us-central1-c",
                "--node-taints", "nvidia.com/gpu=present:NoSchedule")).get("nodePool");

        assertThat(pool.input("name")).isEqualTo(api.get("name").asText());
        assertThat(pool.input("queuedProvisioning.enabled")).isEqualTo(api.at("/queuedProvisioning/enabled").asBoolean());
        assertThat(pool.input("nodeConfig.flexStart")).isEqualTo(api.at("/config/flexStart").asBoolean());
        assertThat(pool.input("initialNodeCount")).isEqualTo(api.get("initialNodeCount").asInt());
        assertThat(pool.input("autoscaling.locationPolicy")).isEqualTo(api.at("/autoscaling/locationPolicy").asText());
        assertThat(pool.input("autoscaling.totalMaxNodeCount")).isEqualTo(api.at("/autoscaling/totalMaxNodeCount").asInt());
        // gcloud leaves totalMinNodeCount out (0); the provider sends the 0 explicitly.
        assertThat(pool.input("autoscaling.totalMinNodeCount")).isEqualTo(api.at("/autoscaling/totalMinNodeCount").asInt(0));
        assertThat(pool.input("management.autoRepair")).isEqualTo(api.at("/management/autoRepair").asBoolean());
        assertThat(pool.input("management.autoUpgrade")).isEqualTo(api.at("/management/autoUpgrade").asBoolean());
        assertThat(pool.input("nodeConfig.reservationAffinity.consumeReservationType"))
                .isEqualTo(api.at("/config/reservationAffinity/consumeReservationType").asText());
        assertThat(pool.input("nodeConfig.machineType")).isEqualTo(api.at("/config/machineType").asText());
        JsonNode accelerator = api.at("/config/accelerators/0");
        assertThat(pool.input("nodeConfig.guestAccelerators.0.type")).isEqualTo(accelerator.get("acceleratorType").asText());
        assertThat(pool.input("nodeConfig.guestAccelerators.0.count")).isEqualTo(accelerator.get("acceleratorCount").asInt());
        assertThat(pool.input("nodeConfig.guestAccelerators.0.gpuDriverInstallationConfig.gpuDriverVersion"))
                .isEqualTo(accelerator.at("/gpuDriverInstallationConfig/gpuDriverVersion").asText());
        assertThat(pool.input("nodeLocations")).isEqualTo(JSON.convertValue(api.get("locations"), List.class));
        assertThat(pool.input("nodeConfig.taints")).isEqualTo(JSON.convertValue(api.at("/config/taints"), List.class));
        // No compact placement in the recipe, none registered.
        assertThat(api.has("placementPolicy")).isFalse();
        assertThat(pool.input("placementPolicy")).isNull();
    }

    /** Runs gcloud until it has printed the first request body, then stops it (it would retry the refused call). */
    private JsonNode gcloudRequest(Path gcloud, List<String> args) throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "dummy-token-not-a-credential");
        List<String> cmd = new ArrayList<>();
        cmd.add(gcloud.toString());
        cmd.addAll(args);
        cmd.add("--access-token-file=" + token);
        cmd.add("--log-http");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CLOUDSDK_CONFIG", tmp.resolve("gcloud-config").toString());
        env.put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
        env.put("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false");
        env.put("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true");
        env.put("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true");
        // Port 9 (discard) on loopback: the connection is refused, nothing leaves the machine.
        env.put("CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER", "http://127.0.0.1:9/");
        Process p = pb.start();
        try {
            CompletableFuture<String> body = CompletableFuture.supplyAsync(() -> firstBody(p));
            String json = body.get(90, TimeUnit.SECONDS);
            assertThat(json).as("gcloud printed no request body").isNotBlank();
            return JSON.readTree(json);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String firstBody(Process p) {
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            boolean inBody = false;
            StringBuilder body = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("== body start ==")) {
                    inBody = true;
                } else if (line.startsWith("== body end ==")) {
                    return body.toString();
                } else if (inBody) {
                    body.append(line);
                }
            }
            return "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
