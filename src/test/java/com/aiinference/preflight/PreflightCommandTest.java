package com.aiinference.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.config.DevStack;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code preflight --stack dev} against one local fake of the Google APIs it asks (Service Usage, Compute Engine,
 * Resource Manager), reached by Google's own clients over HTTP/JSON. The fake answers in the shapes of the APIs'
 * published reference documents (resources, and Google's error model with an ErrorInfo detail); the local tools are
 * small scripts.
 */
class PreflightCommandTest {
    private static final String PROJECT = "my-gcp-project-id";
    private static final String SERVICE_DISABLED = "{\"error\":{\"code\":403,\"message\":\"Compute Engine API has not been used"
            + " in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/"
            + "apis/api/compute.googleapis.com/overview?project=123456789012 then retry.\",\"errors\":[{\"message\":\"Compute"
            + " Engine API has not been used in project 123456789012 before or it is disabled.\",\"domain\":\"usageLimits\","
            + "\"reason\":\"accessNotConfigured\"}],\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":"
            + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"SERVICE_DISABLED\",\"domain\":\"googleapis.com\","
            + "\"metadata\":{\"service\":\"compute.googleapis.com\",\"consumer\":\"projects/123456789012\"}}]}}";

    @TempDir
    Path dir;

    private HttpServer server;
    /** What the fake project looks like; each test changes one thing. */
    private final Map<String, String> serviceState = new HashMap<>();
    private final Map<String, Double> regionLimits = new HashMap<>(Map.of(
            "CPUS", 200.0, "NVIDIA_L4_GPUS", 8.0, "PREEMPTIBLE_NVIDIA_L4_GPUS", 16.0, "IN_USE_ADDRESSES", 8.0,
            "STATIC_ADDRESSES", 8.0, "SSD_TOTAL_GB", 4096.0));
    private double gpusAllRegions = 16;
    private final Set<String> zonesWithoutL4 = new HashSet<>();
    private final Set<String> granted = new HashSet<>(ProjectReadiness.PERMISSIONS);
    private boolean computeDisabled;
    private Path pulumi;
    private Path plugin;

    @BeforeEach
    void startTheFake() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        pulumi = script("pulumi", "case \"$1\" in version) echo v3.210.0 ;; whoami) echo ci-deployer ;; *) exit 2 ;; esac");
        plugin = script("gke-gcloud-auth-plugin", "echo 'Kubernetes v1.33.1-alpha+4d5e6f'");
    }

    @AfterEach
    void stopTheFake() {
        server.stop(0);
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    record Run(int exit, String out, String err) {}

    private Run preflight(String... extra) {
        return preflightOf("dev", extra);
    }

    private Run preflightOf(String stack, String... extra) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("preflight", "--stack", stack, "--project-dir",
                DevStack.projectDir().toString(), "--api-endpoint", "http://127.0.0.1:" + server.getAddress().getPort(),
                "--pulumi", pulumi.toString(), "--gke-gcloud-auth-plugin", plugin.toString()));
        args.addAll(List.of(extra));
        int exit = cl.execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aReadyProjectPassesEveryCheck() {
        Run r = preflight();
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("preflight of stack dev (project my-gcp-project-id, region us-central1, gpuProvisioning queued)")
                .contains("PASS  permissions")
                .contains("PASS  apis")
                .contains("PASS  gpu-quota               PREEMPTIBLE_NVIDIA_L4_GPUS in us-central1: 16 free (0 of 16 used),"
                        + " the stack needs 10 for the GPU pool's 10 nodes (gpuProvisioning queued runs on flex-start VMs,"
                        + " which count against preemptible GPU quota)")
                .contains("PASS  gpu-quota-project       GPUS_ALL_REGIONS in the project: 16 free")
                .contains("PASS  cpu-quota               CPUS in us-central1: 200 free (0 of 200 used), the stack needs 132"
                        + " for 10 x g2-standard-12 + 3 x e2-standard-4")
                .contains("PASS  address-quota           IN_USE_ADDRESSES in us-central1: 8 free (0 of 8 used), the stack"
                        + " needs 2 for 1 endpoint + 1 NAT")
                .contains("PASS  disk-quota              SSD_TOTAL_GB in us-central1: 4096 free (0 of 4096 used), the stack"
                        + " needs 2300")
                .contains("PASS  gpu-zones               g2-standard-12 and nvidia-l4 offered in us-central1-a, us-central1-b,"
                        + " us-central1-c")
                .contains("PASS  pulumi                  pulumi v3.210.0")
                .contains("PASS  pulumi-login            logged in to the Pulumi backend as ci-deployer")
                .contains("PASS  gke-gcloud-auth-plugin  Kubernetes v1.33.1-alpha+4d5e6f")
                .contains("checks: all passed");
    }

    @Test
    void exhaustedPreemptibleL4QuotaIsOneLineWithTheFix() {
        regionLimits.put("PREEMPTIBLE_NVIDIA_L4_GPUS", 0.0);
        gpusAllRegions = 1;
        Run r = preflight();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  gpu-quota               PREEMPTIBLE_NVIDIA_L4_GPUS in us-central1: 0 free (0 of 0"
                        + " used), the stack needs 10 for the GPU pool's 10 nodes (gpuProvisioning queued runs on flex-start"
                        + " VMs, which count against preemptible GPU quota); request it at"
                        + " https://console.cloud.google.com/iam-admin/quotas?project=my-gcp-project-id (an increase for a"
                        + " new project is often declined or takes days)")
                .contains("FAIL  gpu-quota-project       GPUS_ALL_REGIONS in the project: 1 free (0 of 1 used), the stack needs 10")
                .contains("checks: 2 failed");
    }

    @Test
    void aDisabledApiTheCallerCannotEnableFailsAndComputeSaysWhy() {
        serviceState.put("compute.googleapis.com", "DISABLED");
        computeDisabled = true;
        granted.remove("serviceusage.services.enable");
        Run r = preflight();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  apis                    compute.googleapis.com disabled in my-gcp-project-id and the"
                        + " caller cannot enable them: gcloud services enable compute.googleapis.com --project my-gcp-project-id")
                .contains("FAIL  quotas                  compute.googleapis.com is disabled in my-gcp-project-id, so this cannot"
                        + " be read: gcloud services enable compute.googleapis.com --project my-gcp-project-id, then run"
                        + " preflight again");
    }

    @Test
    void aDisabledApiTheCallerMayEnablePasses() {
        serviceState.put("container.googleapis.com", "DISABLED");
        Run r = preflight();
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("PASS  apis                    container.googleapis.com disabled in my-gcp-project-id:"
                + " `pulumi up` enables them (the caller holds serviceusage.services.enable)");
    }

    @Test
    void aZoneWithoutL4IsNamed() {
        zonesWithoutL4.add("us-central1-b");
        Run r = preflight();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  gpu-zones               us-central1-b offers no nvidia-l4: drop it from gpuZones"
                + " (gcloud compute accelerator-types list --filter=nvidia-l4 lists the zones that do)");
    }

    @Test
    void aMissingPermissionIsNamed() {
        granted.remove("container.clusters.create");
        Run r = preflight();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  permissions             the caller lacks container.clusters.create on my-gcp-project-id:");
    }

    @Test
    void anAbsentToolIsNamedWithItsInstall() {
        plugin = dir.resolve("no-such-plugin");
        Run r = preflight();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  gke-gcloud-auth-plugin  " + plugin + " not found: gcloud components install"
                + " gke-gcloud-auth-plugin");
    }

    @Test
    void anUnknownStackIsUsage() {
        Run r = preflightOf("nope");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Pulumi.nope.yaml");
    }

    // ---- the fake, answering as the APIs' reference documents describe ----

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String query = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
        Matcher m;
        if (path.equals("/v1/projects/" + PROJECT + "/services:batchGet")) {
            // serviceusage.services.batchGet: {"services": [Service]} with name, config.name, state, parent.
            List<String> services = new ArrayList<>();
            for (String part : query.split("&")) {
                if (part.startsWith("names=")) {
                    String name = URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8);
                    String api = name.substring(name.lastIndexOf('/') + 1);
                    services.add("{\"name\":\"projects/123456789012/services/" + api + "\",\"parent\":\"projects/123456789012\","
                            + "\"config\":{\"name\":\"" + api + "\"},\"state\":\"" + serviceState.getOrDefault(api, "ENABLED") + "\"}");
                }
            }
            send(x, 200, "{\"services\":[" + String.join(",", services) + "]}");
        } else if (path.startsWith("/compute/") && computeDisabled) {
            send(x, 403, SERVICE_DISABLED);
        } else if (path.equals("/compute/v1/projects/" + PROJECT + "/regions/us-central1")) {
            // compute.regions.get: Region with quotas [{metric, limit, usage}].
            List<String> quotas = new ArrayList<>();
            regionLimits.forEach((metric, limit) ->
                    quotas.add("{\"metric\":\"" + metric + "\",\"limit\":" + limit + ",\"usage\":0}"));
            send(x, 200, "{\"kind\":\"compute#region\",\"name\":\"us-central1\",\"status\":\"UP\",\"zones\":["
                    + "\"https://www.googleapis.com/compute/v1/projects/" + PROJECT + "/zones/us-central1-a\"],\"quotas\":["
                    + String.join(",", quotas) + "]}");
        } else if (path.equals("/compute/v1/projects/" + PROJECT)) {
            // compute.projects.get: Project with its project-wide quotas.
            send(x, 200, "{\"kind\":\"compute#project\",\"name\":\"" + PROJECT + "\",\"quotas\":[{\"metric\":\"GPUS_ALL_REGIONS\","
                    + "\"limit\":" + gpusAllRegions + ",\"usage\":0},{\"metric\":\"SNAPSHOTS\",\"limit\":5000,\"usage\":0}]}");
        } else if ((m = Pattern.compile("/compute/v1/projects/" + PROJECT + "/zones/([^/]+)/machineTypes/([^/]+)").matcher(path)).matches()) {
            send(x, 200, "{\"kind\":\"compute#machineType\",\"name\":\"" + m.group(2) + "\",\"zone\":\"" + m.group(1)
                    + "\",\"guestCpus\":12,\"memoryMb\":49152,\"accelerators\":[{\"guestAcceleratorType\":\"nvidia-l4\","
                    + "\"guestAcceleratorCount\":1}]}");
        } else if ((m = Pattern.compile("/compute/v1/projects/" + PROJECT + "/zones/([^/]+)/acceleratorTypes/([^/]+)").matcher(path)).matches()) {
            if (zonesWithoutL4.contains(m.group(1))) {
                send(x, 404, "{\"error\":{\"code\":404,\"message\":\"The resource 'projects/" + PROJECT + "/zones/" + m.group(1)
                        + "/acceleratorTypes/" + m.group(2) + "' was not found\",\"errors\":[{\"message\":\"The resource"
                        + " 'projects/" + PROJECT + "/zones/" + m.group(1) + "/acceleratorTypes/" + m.group(2)
                        + "' was not found\",\"domain\":\"global\",\"reason\":\"notFound\"}]}}");
            } else {
                send(x, 200, "{\"kind\":\"compute#acceleratorType\",\"name\":\"" + m.group(2) + "\",\"zone\":\"" + m.group(1)
                        + "\",\"description\":\"NVIDIA L4\",\"maximumCardsPerInstance\":8}");
            }
        } else if (path.equals("/v3/projects/" + PROJECT + ":testIamPermissions")) {
            // cloudresourcemanager.projects.testIamPermissions: {"permissions": [the subset held]}.
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            List<String> held = new ArrayList<>();
            Matcher p = Pattern.compile("\"([a-z]+\\.[a-zA-Z]+\\.[a-zA-Z]+)\"").matcher(body);
            while (p.find()) {
                if (granted.contains(p.group(1))) {
                    held.add("\"" + p.group(1) + "\"");
                }
            }
            send(x, 200, "{\"permissions\":[" + String.join(",", held) + "]}");
        } else {
            send(x, 404, "{\"error\":{\"code\":404,\"message\":\"no fake for " + path + "\",\"status\":\"NOT_FOUND\"}}");
        }
    }

    private static void send(HttpExchange x, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
        x.close();
    }
}
