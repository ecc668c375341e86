package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.config.DevStack;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan command black-box: a project directory with the real Pulumi.yaml and Pulumi.dev.yaml and a small
 * fixture chart that follows the chart contract (the shipped chart is tested in {@link ProjectChartPlanTest}).
 */
class PlanCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path project;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void projectWithFixtureChart() throws IOException {
        Path root = DevStack.projectDir();
        Files.copy(root.resolve("Pulumi.yaml"), project.resolve("Pulumi.yaml"));
        Files.copy(root.resolve("Pulumi.dev.yaml"), project.resolve("Pulumi.dev.yaml"));
        new ChartRenderer(root.resolve("src/test/resources/plan-fixture/chart")).copyTo(project.resolve("charts/ai-inference"));
    }

    private Run plan(String... args) {
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("plan", "--project-dir", project.toString()));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private void appendToDevStack(String yamlLines) throws IOException {
        Files.writeString(project.resolve("Pulumi.dev.yaml"), Files.readString(project.resolve("Pulumi.dev.yaml")) + yamlLines);
    }

    @Test
    void devStackPlansWithEveryCheckPassing() {
        Run r = plan("--stack", "dev");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out())
                .contains("Plan of stack dev (project ai-inference) on Pulumi's mock engine")
                .contains("gcp:container/nodePool:NodePool l4-pool-nodes  [provider ai-inference-gcp]")
                .contains("queuedProvisioning.enabled=true nodeConfig.flexStart=true")
                .contains("networkingMode=VPC_NATIVE datapathProvider=ADVANCED_DATAPATH")
                .contains("privateClusterConfig={enablePrivateEndpoint:false,enablePrivateNodes:true}")
                .contains("gcp:compute/router:Router ai-inference-router")
                .contains("natIpAllocateOption=AUTO_ONLY sourceSubnetworkIpRangesToNat=LIST_OF_SUBNETWORKS "
                        + "enableDynamicPortAllocation=true minPortsPerVm=256 maxPortsPerVm=4096")
                .contains("Cost (on-demand list prices in USD from prices.yaml, as of ")
                .contains("while the GPU nodes run  $10.82/h")
                .contains("PASS  private-nodes")
                .contains("PASS  address-quota")
                .contains("plugin=9.37.0").contains("plugin=4.34.2")
                .containsPattern("externalIp +203\\.0\\.113\\.10   <- MOCK address")
                .containsPattern("kubeconfig +\\[secret\\]")
                .containsPattern("workerImageRepository +us-central1-docker\\.pkg\\.dev/my-gcp-project-id/ai-inference-workers")
                .contains("PASS  chart-render")
                .contains("PASS  rendered-memory-limit")
                .contains("PASS  rendered-provisioning-request")
                .containsPattern("\\d+ checks: all passed");
    }

    @Test
    void devStackRegistersNoControlPlanePatch() {
        Run r = plan("--stack", "dev");
        assertThat(r.out()).doesNotContain("minMasterVersion=")
                .contains("PASS  gke-version").contains("no minMasterVersion: the REGULAR channel's default, MOCK ")
                .containsPattern("gkeVersion +1\\.33\\.5-gke\\.1000000   <- MOCK version");
    }

    @Test
    void aMinorGkeVersionIsResolvedAndPasses() throws IOException {
        appendToDevStack("  ai-inference:gkeVersion: \"1.33\"\n");
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("minMasterVersion=1.33.5-gke.1000000")
                .contains("gkeVersion 1.33 resolved by getEngineVersions(us-central1, 1.33.) to the REGULAR channel's newest MOCK 1.33.5-gke.1000000");
    }

    @Test
    void anExactPatchPinPassesWithAWarning() throws IOException {
        appendToDevStack("  ai-inference:gkeVersion: 1.33.2-gke.1111000\n");
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("WARN  gke-version").contains("channels drop patches within months")
                .containsPattern("\\d+ checks: all passed \\(1 warning\\)");
    }

    @Test
    void jsonHasExactlyTheDocumentedShape() throws IOException {
        Run r = plan("--stack", "dev", "--output", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode root = JSON.readTree(r.out());
        assertThat(fieldNames(root)).containsExactly("stack", "resources", "outputs", "cost", "checks");
        assertThat(root.get("stack").asText()).isEqualTo("dev");
        for (JsonNode res : root.get("resources")) {
            assertThat(fieldNames(res)).containsExactly("urn", "type", "name", "parent", "provider", "dependencies", "inputs");
        }
        for (JsonNode check : root.get("checks")) {
            assertThat(fieldNames(check)).containsExactly("name", "status", "message");
            assertThat(check.get("status").asText()).isIn("pass", "fail", "skip", "warn");
        }
        JsonNode pool = find(root.get("resources"), "l4-pool-nodes");
        assertThat(pool.get("type").asText()).isEqualTo("gcp:container/nodePool:NodePool");
        assertThat(pool.at("/inputs/queuedProvisioning/enabled").asBoolean()).isTrue();
        assertThat(pool.at("/inputs/nodeConfig/flexStart").asBoolean()).isTrue();
        assertThat(pool.get("provider").asText()).endsWith("pulumi:providers:gcp::ai-inference-gcp");
        assertThat(pool.get("parent").asText()).endsWith("ai-inference:gke:GpuNodePool::l4-pool");
        assertThat(find(root.get("resources"), "ai-inference-release").at("/inputs/values/ollama/numParallel").asInt()).isEqualTo(8);
        assertThat(root.at("/outputs/kubeconfig").asText()).isEqualTo("[secret]");
        assertThat(root.at("/outputs/endpoint").asText()).isEqualTo("http://203.0.113.10:8000/api/generate");
    }

    @Test
    void aPolicyViolationExitsOneAndNamesTheRule() throws IOException {
        Files.writeString(project.resolve("Pulumi.dev.yaml"),
                Files.readString(project.resolve("Pulumi.dev.yaml")).replace("ai-inference:memoryLimit: 40Gi", "ai-inference:memoryLimit: 46Gi")
                        .replace("ai-inference:memoryRequest: 40Gi", "ai-inference:memoryRequest: 32Gi"));
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).as("the failed check on stderr too, one line").isEqualTo("plan: FAIL memory-limit-fits-node:"
                + " ai-inference:memoryLimit 46Gi plus the gateway's 128Mi (ai-inference:gatewayEnabled true) = 46.1Gi exceeds"
                + " the 43.4Gi allocatable on g2-standard-12\n");
        assertThat(r.out()).contains("FAIL  memory-limit-fits-node    ai-inference:memoryLimit 46Gi plus the gateway's 128Mi (ai-inference:gatewayEnabled true) = 46.1Gi exceeds the 43.4Gi allocatable on g2-standard-12")
                .contains("SKIP  program")
                .contains("1 failed");
    }

    @Test
    void malformedConfigExitsTwoWithOneLine() throws IOException {
        appendToDevStack("  ai-inference:memoryLimt: 40Gi\n");
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasLineCount(1).contains("plan: ")
                .contains("ai-inference:memoryLimt is not a known key of this project (did you mean ai-inference:memoryLimit?)")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aTypoInTheNamespaceIsRefusedNotIgnored() throws IOException {
        appendToDevStack("  aiinference:memoryLimit: 46Gi\n");
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasLineCount(1).contains("plan: ").contains("aiinference:memoryLimit: namespace 'aiinference' is"
                + " neither this project's (ai-inference) nor one of gcp, kubernetes, pulumi (did you mean ai-inference:memoryLimit?)");
    }

    @Test
    void aDuplicateKeyInTheStackFileExitsTwoWithOneLine() throws IOException {
        appendToDevStack("  ai-inference:memoryLimit: 46Gi\n");
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasLineCount(1)
                .contains("plan: stack file ").contains("Pulumi.dev.yaml: found duplicate key ai-inference:memoryLimit at line ")
                .contains("; keep one")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(plan().exit()).isEqualTo(2);
        Run missing = plan("--stack", "prod");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("plan: stack file not found: ").contains("Pulumi.prod.yaml");
        assertThat(plan("--stack", "dev", "--output", "xml").exit()).isEqualTo(2);
        assertThat(plan("--stack", "dev", "--config-file", "x.yaml").exit()).isEqualTo(2);
    }

    @Test
    void configFileReadsAnyStackFile() throws IOException {
        Path other = project.resolve("Pulumi.staging.yaml");
        Files.writeString(other, Files.readString(project.resolve("Pulumi.dev.yaml")).replace("ai-inference:gpuNodeCount: 10", "ai-inference:gpuNodeCount: 12"));
        Run r = plan("--config-file", other.toString(), "--output", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode root = JSON.readTree(r.out());
        assertThat(root.get("stack").asText()).isEqualTo("staging");
        assertThat(find(root.get("resources"), "l4-pool-nodes").at("/inputs/autoscaling/totalMaxNodeCount").asInt()).isEqualTo(12);
    }

    @Test
    void renderDirGetsTheManifestsTheReleaseWouldInstall() throws IOException {
        Path dir = project.resolve("rendered");
        Run r = plan("--stack", "dev", "--render-dir", dir.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    ".ai-inference-render", "01-service-ai-inference.yaml", "02-deployment-ai-inference.yaml",
                    "03-horizontalpodautoscaler-ai-inference.yaml", "04-provisioningrequest-ai-inference.yaml",
                    "manifest.yaml");
        }
        assertThat(Files.readString(dir.resolve("02-deployment-ai-inference.yaml")))
                .contains("cloud.google.com/gke-nodepool: \"l4-pool\"").contains("memory: \"40Gi\"");
    }

    @Test
    void renderDirHoldsOnlyTheLastRenderAndRefusesAFolderItDidNotWrite() throws IOException {
        Path dir = project.resolve("rendered");
        assertThat(plan("--stack", "dev", "--render-dir", dir.toString()).exit()).isZero();
        // An earlier render's object that this render does not have: it must not stay for `kubectl apply -f DIR`.
        Files.writeString(dir.resolve("09-provisioningrequest-stale.yaml"), "kind: ProvisioningRequest\n");
        Files.writeString(dir.resolve(".ai-inference-render"), Files.readString(dir.resolve(".ai-inference-render"))
                + "09-provisioningrequest-stale.yaml\n");
        Path outside = Files.writeString(project.resolve("outside.yaml"), "keep\n");
        Files.delete(dir.resolve("manifest.yaml"));
        Files.createSymbolicLink(dir.resolve("manifest.yaml"), outside);
        assertThat(plan("--stack", "dev", "--render-dir", dir.toString()).exit()).isZero();
        assertThat(dir.resolve("09-provisioningrequest-stale.yaml")).doesNotExist();
        assertThat(Files.isSymbolicLink(dir.resolve("manifest.yaml"))).as("the link is replaced, not followed").isFalse();
        assertThat(Files.readString(outside)).isEqualTo("keep\n");

        Path foreign = Files.createDirectories(project.resolve("mine"));
        Files.writeString(foreign.resolve("notes.txt"), "mine\n");
        Run r = plan("--stack", "dev", "--render-dir", foreign.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("plan: --render-dir " + foreign + " holds notes.txt, which plan did not"
                + " write; give an empty or new directory (plan replaces only its own earlier render)");
        assertThat(r.out()).as("refused before the plan runs").isEmpty();
        Path link = Files.createSymbolicLink(project.resolve("link"), foreign);
        assertThat(plan("--stack", "dev", "--render-dir", link.toString()).err().strip())
                .isEqualTo("plan: --render-dir " + link + " is a symbolic link; give the folder itself");
    }

    @Test
    void theResourcesComeInUrnOrderSoPlansDiffCleanly() throws IOException {
        Run r = plan("--stack", "dev", "--output", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        java.util.List<String> urns = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("resources")
                .forEach(n -> urns.add(n.get("urn").asText()));
        assertThat(urns).hasSizeGreaterThan(10).isSorted();
    }

    @Test
    void aConfigFileIsPlannedAsTheStackItsNameSays() throws IOException {
        Path bad = Files.copy(project.resolve("Pulumi.dev.yaml"), project.resolve("bad.yaml"));
        Run r = plan("--config-file", bad.toString());
        assertThat(r.out()).startsWith("Plan of stack bad (project ai-inference)");
    }

    @Test
    void aMissingChartIsAFailedCheckNotACrash() throws IOException {
        Files.delete(project.resolve("charts/ai-inference/Chart.yaml"));
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).isEqualTo(1);
        // The chart is asked before anything is registered: its absence is the chart check's failure, naming the key.
        assertThat(r.out()).containsPattern("FAIL  chart-accepts-values +ai-inference:chartPath charts/ai-inference: no Helm chart at .*Chart.yaml missing")
                .containsPattern("SKIP  program ");
    }

    @Test
    void aChartThatIgnoresAValueFailsTheRenderedChecks() throws IOException {
        Path deployment = project.resolve("charts/ai-inference/templates/deployment.yaml");
        Files.writeString(deployment, Files.readString(deployment)
                .replace("nvidia.com/gpu: {{ .Values.gpu.count }}", "nvidia.com/gpu: 2"));
        Run r = plan("--stack", "dev");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  rendered-gpu-per-pod").contains("the pod asks for 2 nvidia.com/gpu, expected 1");
    }

    private static JsonNode find(JsonNode resources, String name) {
        for (JsonNode r : resources) {
            if (name.equals(r.get("name").asText())) {
                return r;
            }
        }
        throw new AssertionError("no resource " + name);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

}
