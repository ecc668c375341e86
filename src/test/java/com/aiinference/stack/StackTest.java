package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;
import static org.mockito.Mockito.verify;

import com.aiinference.config.DevStack;
import com.aiinference.plan.MockEngineRun;
import com.aiinference.plan.PlanMocks;
import com.aiinference.plan.RegisteredResource;
import com.pulumi.test.Mocks;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mockito.AdditionalAnswers;
import org.mockito.ArgumentCaptor;
import org.mockito.MockMakers;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** App.stack with the dev stack's config on Pulumi's mock engine: assertions on what the engine received. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StackTest {
    private MockEngineRun.Result run;
    private Mocks mocks;

    @BeforeAll
    void runDevStack() {
        // A Mocks that delegates to the plan's cloud answers and records every call. The subclass mock maker needs
        // no agent attachment (which can time out on JDK 21+ under load).
        mocks = mock(Mocks.class, withSettings().defaultAnswer(AdditionalAnswers.delegatesTo(new PlanMocks()))
                .mockMaker(MockMakers.SUBCLASS));
        run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.config(), Set.of(), mocks);
        assertThat(run.errors()).isEmpty();
    }

    private RegisteredResource single(String type, String name) {
        var found = run.resources().stream().filter(r -> r.type().equals(type) && r.name().equals(name)).toList();
        assertThat(found).as(type + " " + name).hasSize(1);
        return found.get(0);
    }

    private RegisteredResource gpuPool() {
        return single("gcp:container/nodePool:NodePool", "l4-pool-nodes");
    }

    @Test
    void gpuPoolIsTheDwsPoolGkeAccepts() {
        var pool = gpuPool();
        assertThat(pool.input("name")).isEqualTo("l4-pool");
        assertThat(pool.input("nodeConfig.machineType")).isEqualTo("g2-standard-12");
        assertThat(pool.input("nodeConfig.guestAccelerators")).isEqualTo(List.of(Map.of(
                "type", "nvidia-l4", "count", 1,
                "gpuDriverInstallationConfig", Map.of("gpuDriverVersion", "LATEST"))));
        assertThat(pool.input("nodeConfig.imageType")).isEqualTo("COS_CONTAINERD");
        assertThat(pool.input("initialNodeCount")).isEqualTo(0);
        assertThat(pool.input("autoscaling")).isEqualTo(Map.of(
                "totalMinNodeCount", 0, "totalMaxNodeCount", 10, "locationPolicy", "ANY"));
        assertThat(pool.input("nodeConfig.reservationAffinity")).isEqualTo(Map.of("consumeReservationType", "NO_RESERVATION"));
        assertThat(pool.input("management")).isEqualTo(Map.of("autoRepair", false, "autoUpgrade", true));
        assertThat(pool.input("placementPolicy")).isNull();
        assertThat(pool.input("nodeConfig.taints")).isEqualTo(List.of(Map.of(
                "key", "nvidia.com/gpu", "value", "present", "effect", "NO_SCHEDULE")));
        assertThat(pool.input("nodeLocations")).isEqualTo(List.of("us-central1-a", "us-central1-b", "us-central1-c"));
        assertThat(pool.input("nodeConfig.workloadMetadataConfig.mode")).isEqualTo("GKE_METADATA");
    }

    @Test
    void theFieldsTheSdkLacksGoOnTheWireUnderTheProviderNames() {
        var pool = gpuPool();
        assertThat(pool.input("queuedProvisioning")).isEqualTo(Map.of("enabled", true));
        assertThat(pool.input("nodeConfig.flexStart")).isEqualTo(true);
        // The Mocks interface (deserialised inputs) sees them too: the engine, not only our recorder, receives them.
        ArgumentCaptor<Mocks.ResourceArgs> captor = ArgumentCaptor.forClass(Mocks.ResourceArgs.class);
        verify(mocks, atLeastOnce()).newResourceAsync(captor.capture());
        var seen = captor.getAllValues().stream().filter(a -> a.name.equals("l4-pool-nodes")).findFirst().orElseThrow();
        assertThat(seen.type).isEqualTo("gcp:container/nodePool:NodePool");
        assertThat(seen.inputs).containsEntry("queuedProvisioning", Map.of("enabled", true));
        @SuppressWarnings("unchecked")
        Map<String, Object> nodeConfig = (Map<String, Object>) seen.inputs.get("nodeConfig");
        assertThat(nodeConfig).containsEntry("flexStart", true);
    }

    @Test
    void withoutDwsTheExtraFieldsAreNotSent() {
        var plain = MockEngineRun.run(DevStack.PROJECT, "dev",
                DevStack.with("gpuProvisioning", "on-demand", "gpuMinNodes", "2", "gpuAutoRepair", "true"), Set.of());
        assertThat(plain.errors()).isEmpty();
        var pool = plain.resources().stream().filter(r -> r.name().equals("l4-pool-nodes")).findFirst().orElseThrow();
        assertThat(pool.inputs()).doesNotContainKey("queuedProvisioning");
        assertThat(pool.input("nodeConfig.flexStart")).isNull();
        assertThat(pool.input("autoscaling.totalMinNodeCount")).isEqualTo(2);
        assertThat(pool.input("management.autoRepair")).isEqualTo(true);
    }

    @Test
    void providersArePinnedToTheConfiguredPluginVersions() {
        assertThat(single("pulumi:providers:gcp", "ai-inference-gcp").version()).isEqualTo("9.37.0");
        assertThat(single("pulumi:providers:gcp", "ai-inference-gcp-lookups").version()).isEqualTo("9.37.0");
        assertThat(single("pulumi:providers:kubernetes", "ai-inference-k8s").version()).isEqualTo("4.34.2");
        var bumped = MockEngineRun.run(DevStack.PROJECT, "dev",
                DevStack.with("gcpProviderVersion", "9.40.0", "kubernetesProviderVersion", "4.35.0"), Set.of());
        assertThat(bumped.ofType("pulumi:providers:gcp")).hasSize(2).extracting(RegisteredResource::version).containsOnly("9.40.0");
        assertThat(bumped.ofType("pulumi:providers:kubernetes")).singleElement().extracting(RegisteredResource::version).isEqualTo("4.35.0");
    }

    @Test
    void everyResourceNamesItsExplicitProvider() {
        String gcp = single("pulumi:providers:gcp", "ai-inference-gcp").urn();
        String k8s = single("pulumi:providers:kubernetes", "ai-inference-k8s").urn();
        var inCluster = run.resources().stream().filter(r -> r.type().startsWith("kubernetes:")).toList();
        assertThat(inCluster).extracting(RegisteredResource::type).containsExactlyInAnyOrder( // no API keys in dev
                "kubernetes:core/v1:Namespace", "kubernetes:helm.sh/v3:Release");
        assertThat(inCluster).allSatisfy(r -> assertThat(r.provider()).as(r.name()).isEqualTo(k8s));
        // The project's APIs go through the lookups provider; everything else through the one that waits for them.
        var cloud = run.resources().stream().filter(r -> r.type().startsWith("gcp:")
                && !r.type().equals("gcp:projects/service:Service")).toList();
        assertThat(cloud).hasSizeGreaterThanOrEqualTo(8); // VPC, subnet, node SA + role, cluster, 2 pools, address
        assertThat(cloud).allSatisfy(r -> assertThat(r.provider()).as(r.name()).isEqualTo(gcp));
        String lookups = single("pulumi:providers:gcp", "ai-inference-gcp-lookups").urn();
        assertThat(run.ofType("gcp:projects/service:Service")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.provider()).as(r.name()).isEqualTo(lookups));
        // The Kubernetes provider takes its kubeconfig from the cluster, as a secret.
        assertThat(single("pulumi:providers:kubernetes", "ai-inference-k8s").inputs()).containsEntry("kubeconfig", "[secret]");
    }

    @Test
    void componentsHaveTheirTypeTokensAndParentTheirChildren() {
        var components = run.resources().stream().filter(r -> r.type().startsWith("ai-inference:")).toList();
        assertThat(components).extracting(RegisteredResource::type).containsExactlyInAnyOrder(
                "ai-inference:gke:Network", "ai-inference:gke:Cluster", "ai-inference:gke:GpuNodePool",
                "ai-inference:app:InferenceRelease", "ai-inference:gcp:WorkerImageRepository",
                "ai-inference:gcp:ProjectServices");
        assertThat(gpuPool().parent()).isEqualTo(single("ai-inference:gke:GpuNodePool", "l4-pool").urn());
        assertThat(single("gcp:container/cluster:Cluster", "ai-inference-gke").parent())
                .isEqualTo(single("ai-inference:gke:Cluster", "ai-inference").urn());
        assertThat(single("kubernetes:helm.sh/v3:Release", "ai-inference-release").parent())
                .isEqualTo(single("ai-inference:app:InferenceRelease", "ai-inference").urn());
    }

    @Test
    void clusterIsHardenedAndVpcNative() {
        var c = single("gcp:container/cluster:Cluster", "ai-inference-gke");
        assertThat(c.input("networkingMode")).isEqualTo("VPC_NATIVE");
        // Dataplane V2: the chart's NetworkPolicy (Ollama only through the gateway) is enforced.
        assertThat(c.input("datapathProvider")).isEqualTo("ADVANCED_DATAPATH");
        assertThat(c.input("ipAllocationPolicy")).isEqualTo(Map.of("clusterSecondaryRangeName", "pods", "servicesSecondaryRangeName", "services"));
        assertThat(c.input("workloadIdentityConfig.workloadPool")).isEqualTo("my-gcp-project-id.svc.id.goog");
        assertThat(c.input("enableShieldedNodes")).isEqualTo(true);
        assertThat(c.input("removeDefaultNodePool")).isEqualTo(true);
        assertThat(c.input("releaseChannel.channel")).isEqualTo("REGULAR");
        assertThat(c.inputs()).doesNotContainKey("minMasterVersion"); // the channel's default: ControlPlaneVersionTest
        assertThat(c.input("deletionProtection")).isEqualTo(false);
        assertThat(c.ignoreChanges()).containsExactlyInAnyOrder("nodeConfig", "initialNodeCount");
        String sa = "ai-inference-nodes@my-gcp-project-id.iam.gserviceaccount.com";
        assertThat(c.input("nodeConfig.serviceAccount")).isEqualTo(sa);
        assertThat(gpuPool().input("nodeConfig.serviceAccount")).isEqualTo(sa);
        assertThat(run.ofType("gcp:projects/iAMMember:IAMMember")).extracting(r -> r.input("role")).containsExactly(
                "roles/container.defaultNodeServiceAccount");
        // Internal LoadBalancers go through GKE's L4 controller, which reads the reserved-address annotation.
        assertThat(c.input("enableL4IlbSubsetting")).isEqualTo(true);
        assertThat(run.ofType("gcp:projects/iAMMember:IAMMember")).allSatisfy(r ->
                assertThat(r.input("member")).isEqualTo("serviceAccount:" + sa));
        var system = single("gcp:container/nodePool:NodePool", "ai-inference-system-pool");
        assertThat(system.inputs()).doesNotContainKey("queuedProvisioning");
        assertThat(system.input("nodeConfig.machineType")).isEqualTo("e2-standard-4");
    }

    @Test
    void theWorkerImageRepositoryIsPrivateDockerReadableByTheNodes() {
        var repo = single("gcp:artifactregistry/repository:Repository", "ai-inference-worker-images-repo");
        assertThat(repo.input("format")).isEqualTo("DOCKER");
        assertThat(repo.input("location")).isEqualTo("us-central1");
        assertThat(repo.input("repositoryId")).isEqualTo("ai-inference-workers");
        assertThat(repo.input("project")).isEqualTo("my-gcp-project-id");
        assertThat(repo.parent()).isEqualTo(single("ai-inference:gcp:WorkerImageRepository", "ai-inference-worker-images").urn());
        assertThat(String.valueOf(repo.input("cleanupPolicies"))).contains("DELETE", "2592000s", "KEEP", "keepCount=10");
        var reader = single("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "ai-inference-worker-images-nodes-reader");
        assertThat(reader.input("role")).isEqualTo("roles/artifactregistry.reader");
        assertThat(reader.input("repository")).isEqualTo("ai-inference-workers");
        assertThat(reader.input("member")).isEqualTo("serviceAccount:ai-inference-nodes@my-gcp-project-id.iam.gserviceaccount.com");
    }

    @Test
    void releaseValuesUseExactlyTheChartContractKeys() {
        var release = single("kubernetes:helm.sh/v3:Release", "ai-inference-release");
        assertThat(release.input("chart")).isEqualTo("charts/ai-inference");
        assertThat(release.input("name")).isEqualTo("ai-inference");
        assertThat(release.input("namespace")).isEqualTo("ai-inference");
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) release.input("values");
        assertThat(leafKeys("", values)).containsExactlyInAnyOrder(
                "replicaCount", "image.tag", "engine", "model.name",
                "ollama.numParallel", "ollama.maxQueue", "ollama.keepAlive", "ollama.contextLength", "ollama.flashAttention",
                "resources.requests.cpu", "resources.requests.memory", "resources.limits.memory",
                "gpu.count", "gpu.acceleratorType", "gpu.nodePool", "gpu.provisioning",
                "autoscaling.enabled", "autoscaling.minReplicas", "autoscaling.maxReplicas",
                "dws.enabled", "dws.maxRunDurationSeconds", "dws.flexStart", "dws.generation",
                "service.type", "service.port", "service.loadBalancerSourceRanges", "service.internal", "service.allowPublicAccess",
                "service.addressName",
                "service.allowPublicAccessWithoutKeys", "service.plainHttp",
                "gateway.enabled", "gateway.policy.maxOutputTokens", "gateway.apiKeys.existingSecret",
                "gateway.apiKeys.allowPlainHttp", "gateway.tls.existingSecret", "gateway.limits.exemptSources");
        assertThat(release.input("values.gateway.limits.exemptSources")).isEqualTo(List.of("10.16.0.0/14"));
        assertThat(release.input("values.gateway.policy.maxOutputTokens")).isEqualTo(1024);
        assertThat(release.input("values.replicaCount")).isEqualTo(10);
        assertThat(release.input("values.model.name")).isEqualTo("llama3.1:8b");
        assertThat(release.input("values.ollama.numParallel")).isEqualTo(8);
        assertThat(release.input("values.ollama.keepAlive")).isEqualTo("-1");
        assertThat(release.input("values.resources.limits.memory")).isEqualTo("40Gi");
        assertThat(release.input("values.gpu.count")).isEqualTo(1);
        // The pool name comes from the registered node pool, so the nodeSelector matches what GKE creates.
        assertThat(release.input("values.gpu.nodePool")).isEqualTo(gpuPool().input("name"));
        assertThat(release.input("values.autoscaling")).isEqualTo(Map.of("enabled", true, "minReplicas", 10, "maxReplicas", 10));
        assertThat(release.input("values.dws")).isEqualTo(Map.of("enabled", true, "maxRunDurationSeconds", 604800, "flexStart", true,
                "generation", 1));
        assertThat(release.input("values.gpu.provisioning")).isEqualTo("queued");
        assertThat(release.input("values.service.type")).isEqualTo("LoadBalancer");
        assertThat(release.input("values.service.port")).isEqualTo(8000);
        assertThat(release.input("values.service.loadBalancerSourceRanges")).isEqualTo(List.of("203.0.113.0/24", "198.51.100.0/24"));
        assertThat(release.dependencies()).contains(gpuPool().urn());
    }

    @Test
    void theReleaseDoesNotWaitForPodsAndNothingIsReadBack() {
        var release = single("kubernetes:helm.sh/v3:Release", "ai-inference-release");
        assertThat(release.input("skipAwait")).isEqualTo(true);
        assertThat(release.inputs()).doesNotContainKey("timeout");
        // No Service.get after the release: its id is unknown in a preview, which shows it as a create every time.
        assertThat(run.resources()).noneMatch(RegisteredResource::read);
    }

    @Test
    void theEndpointIsAReservedRegionalAddressKnownBeforeAnyNode() {
        var address = single("gcp:compute/address:Address", "ai-inference-address");
        assertThat(address.input("name")).isEqualTo("ai-inference-endpoint");
        assertThat(address.input("addressType")).isEqualTo("EXTERNAL");
        assertThat(address.input("region")).isEqualTo("us-central1");
        assertThat(address.parent()).isEqualTo(single("ai-inference:app:InferenceRelease", "ai-inference").urn());
        var release = single("kubernetes:helm.sh/v3:Release", "ai-inference-release");
        assertThat(release.input("values.service.addressName")).isEqualTo("ai-inference-endpoint");
        // The outputs come from the reservation (the mock's answer), not from the load balancer.
        assertThat(run.outputs()).containsEntry("externalIp", PlanMocks.MOCK_EXTERNAL_IP);
    }

    @Test
    void anInternalLoadBalancerGetsAnInternalAddressInTheSubnet() {
        var internal = MockEngineRun.run(DevStack.PROJECT, "dev",
                DevStack.with("internalLoadBalancer", "true", "loadBalancerSourceRanges", "[]"), Set.of());
        assertThat(internal.errors()).isEmpty();
        var address = internal.ofType("gcp:compute/address:Address").get(0);
        assertThat(address.input("addressType")).isEqualTo("INTERNAL");
        assertThat(address.input("subnetwork")).isEqualTo(
                "https://www.googleapis.com/compute/v1/projects/my-gcp-project-id/regions/us-central1/subnetworks/ai-inference-subnet");
        assertThat(internal.outputs()).containsEntry("externalIp", PlanMocks.MOCK_INTERNAL_IP)
                .containsEntry("endpoint", "http://" + PlanMocks.MOCK_INTERNAL_IP + ":8000/api/generate");
    }

    @Test
    void aClusterIpServiceReservesNothingAndItsEndpointIsTheServiceDnsName() {
        var clusterIp = MockEngineRun.run(DevStack.PROJECT, "dev",
                DevStack.with("serviceType", "ClusterIP", "loadBalancerSourceRanges", "[]"), Set.of());
        assertThat(clusterIp.errors()).isEmpty();
        assertThat(clusterIp.ofType("gcp:compute/address:Address")).isEmpty();
        assertThat(clusterIp.outputs()).containsEntry("externalIp", "")
                .containsEntry("endpoint", "http://ai-inference.ai-inference.svc.cluster.local:8000/api/generate");
    }

    @Test
    void outputsAreTheContractNamesAndKubeconfigIsSecret() {
        assertThat(run.outputs().keySet()).containsExactlyInAnyOrder("externalIp", "endpoint", "clusterName", "location", "gkeVersion",
                "gpuNodePool", "namespace", "serviceName", "releaseName", "kubeconfig", "replicas", "model", "engine",
                "memoryLimit", "dwsEnabled", "gpuProvisioning", "hpaPinned", "workerImageRepository");
        assertThat(run.secretOutputs()).containsExactly("kubeconfig");
        assertThat(run.outputs()).containsEntry("externalIp", PlanMocks.MOCK_EXTERNAL_IP)
                .containsEntry("endpoint", "http://" + PlanMocks.MOCK_EXTERNAL_IP + ":8000/api/generate")
                .containsEntry("clusterName", "ai-inference").containsEntry("location", "us-central1")
                .containsEntry("gpuNodePool", "l4-pool").containsEntry("namespace", "ai-inference")
                .containsEntry("serviceName", "ai-inference").containsEntry("releaseName", "ai-inference")
                .containsEntry("replicas", 10).containsEntry("dwsEnabled", true).containsEntry("hpaPinned", true)
                .containsEntry("memoryLimit", "40Gi").containsEntry("model", "llama3.1:8b")
                .containsEntry("workerImageRepository", "us-central1-docker.pkg.dev/my-gcp-project-id/ai-inference-workers");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubeconfigIsStructuredAndUsesTheGkeAuthPlugin() {
        Map<String, Object> kc = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load((String) run.outputs().get("kubeconfig"));
        String ctx = "gke_my-gcp-project-id_us-central1_ai-inference";
        assertThat(kc).containsEntry("current-context", ctx).containsEntry("kind", "Config");
        var cluster = (Map<String, Object>) ((List<Map<String, Object>>) kc.get("clusters")).get(0).get("cluster");
        assertThat(cluster).containsEntry("server", "https://" + PlanMocks.MOCK_ENDPOINT);
        assertThat(cluster.get("certificate-authority-data")).isNotNull();
        var user = (Map<String, Object>) ((List<Map<String, Object>>) kc.get("users")).get(0).get("user");
        assertThat((Map<String, Object>) user.get("exec")).containsEntry("command", "gke-gcloud-auth-plugin")
                .containsEntry("apiVersion", "client.authentication.k8s.io/v1beta1")
                .containsEntry("provideClusterInfo", true)
                // The documented login (gcloud auth application-default login, or CI's workload identity) serves it too.
                .containsEntry("args", List.of("--use_application_default_credentials"));
    }

    @Test
    void badConfigRegistersNothing() {
        var refused = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("memoryLimit", "46Gi"), Set.of());
        assertThat(refused.errors()).singleElement().asString()
                .contains("ai-inference:memoryLimit 46Gi plus the gateway's 128Mi (ai-inference:gatewayEnabled true) = 46.1Gi exceeds the 43.4Gi allocatable on g2-standard-12");
        assertThat(refused.resources()).allSatisfy(r -> assertThat(r.type()).isEqualTo("pulumi:pulumi:Stack"));
    }

    /** What `pulumi up` does with a value the chart refuses: the program asks the chart first and registers nothing. */
    @Test
    void aValueTheChartRefusesRegistersNothing() {
        var refused = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("numParallel", "65", "gatewayEnabled", "false"), Set.of());
        assertThat(refused.errors()).singleElement().asString().isEqualTo(
                "ai-inference:numParallel 65 must be at most 64 (the chart's ollama.numParallel: OLLAMA_NUM_PARALLEL)");
        assertThat(refused.resources()).allSatisfy(r -> assertThat(r.type()).isEqualTo("pulumi:pulumi:Stack"));
    }

    /** A chart found relative to the project directory the program runs in, as `pulumi up` runs it there. */
    @Test
    void theChartIsFoundUnderTheProjectDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path elsewhere) {
        var nowhere = MockEngineRun.run(elsewhere, DevStack.PROJECT, "dev", DevStack.config(), Set.of(), new com.aiinference.plan.PlanMocks());
        assertThat(nowhere.errors()).singleElement().asString().startsWith(
                "ai-inference:chartPath charts/ai-inference: no Helm chart at " + elsewhere.toAbsolutePath().normalize());
        assertThat(nowhere.resources()).allSatisfy(r -> assertThat(r.type()).isEqualTo("pulumi:pulumi:Stack"));
    }

    @Test
    void aTypoInTheDeploymentsConfigIsRefusedByTheProgramItself() {
        // The program lists the deployment's config (not a copy the plan made) to find keys it does not declare.
        var refused = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("numParalel", "16"), Set.of());
        assertThat(refused.errors()).singleElement().asString().isEqualTo(
                "ai-inference:numParalel is not a known key of this project (did you mean ai-inference:numParallel?)");
        assertThat(refused.resources()).allSatisfy(r -> assertThat(r.type()).isEqualTo("pulumi:pulumi:Stack"));
    }

    @Test
    void apiKeysGoIntoASecretTheGatewayReads() {
        var withKeys = MockEngineRun.run(DevStack.PROJECT, "dev",
                DevStack.with("apiKeys", "first-key-0123456789,second-key-0123456789", "allowApiKeysOverPlainHttp", "true"),
                Set.of("ai-inference:apiKeys"));
        assertThat(withKeys.errors()).isEmpty();
        var secret = withKeys.ofType("kubernetes:core/v1:Secret");
        assertThat(secret).singleElement().satisfies(s -> {
            assertThat(s.input("metadata.name")).isEqualTo("ai-inference-api-keys");
            assertThat(s.input("metadata.namespace")).isEqualTo("ai-inference");
            assertThat(s.input("stringData")).isEqualTo("[secret]");
            assertThat(s.provider()).isEqualTo(withKeys.ofType("pulumi:providers:kubernetes").get(0).urn());
        });
        var release = withKeys.ofType("kubernetes:helm.sh/v3:Release").get(0);
        assertThat(release.input("values.gateway.apiKeys.existingSecret")).isEqualTo("ai-inference-api-keys");
        assertThat(release.dependencies()).contains(secret.get(0).urn());
        // The tools take the key from the stack (pulumi stack output --show-secrets): one secret output, the first key.
        assertThat(withKeys.secretOutputs()).contains("apiKey");
        assertThat(withKeys.outputs()).containsEntry("apiKey", "first-key-0123456789");
        assertThat(run.outputs()).doesNotContainKey("apiKey");
        // Without keys no Secret is created and the gateway gets none.
        assertThat(run.ofType("kubernetes:core/v1:Secret")).isEmpty();
        assertThat(single("kubernetes:helm.sh/v3:Release", "ai-inference-release").input("values.gateway.apiKeys.existingSecret")).isEqualTo("");
    }

    @Test
    void tlsGoesIntoATlsSecretAndTheReleaseServesHttpsOnly() {
        String cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        String key = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----";
        var https = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("apiKeys", "first-key-0123456789",
                "tlsCertificate", cert, "tlsKey", key, "plainHttp", "false"), Set.of("ai-inference:apiKeys", "ai-inference:tlsKey"));
        assertThat(https.errors()).isEmpty();
        assertThat(https.ofType("kubernetes:core/v1:Secret")).filteredOn(s -> "kubernetes.io/tls".equals(s.input("type")))
                .singleElement().satisfies(s -> {
                    assertThat(s.input("metadata.name")).isEqualTo("ai-inference-tls");
                    assertThat(s.input("stringData")).isEqualTo("[secret]");
                });
        var release = https.ofType("kubernetes:helm.sh/v3:Release").get(0);
        assertThat(release.input("values.gateway.tls.existingSecret")).isEqualTo("ai-inference-tls");
        assertThat(release.input("values.service.plainHttp")).isEqualTo(false);
        assertThat(https.outputs().get("endpoint")).asString().startsWith("https://").endsWith("/api/generate")
                .doesNotContain(":8000");

        // Keys over plain HTTP on the external LB, and a public endpoint without keys: refused, naming the opt-in.
        var plain = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("apiKeys", "first-key-0123456789"),
                Set.of("ai-inference:apiKeys"));
        assertThat(plain.errors()).singleElement().asString().isEqualTo("ai-inference:apiKeys on a public LoadBalancer with plain"
                + " HTTP sends every key (and prompt) in clear text; set ai-inference:tlsCertificate and ai-inference:plainHttp=false,"
                + " use ai-inference:internalLoadBalancer=true, or set ai-inference:allowApiKeysOverPlainHttp=true to do it on purpose");
        var open = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("allowPublicAccess", "true",
                "loadBalancerSourceRanges", "[]"), Set.of());
        assertThat(open.errors()).singleElement().asString().isEqualTo("ai-inference:allowPublicAccess=true without"
                + " ai-inference:apiKeysSecret lets anyone on the internet use the GPUs; set ai-inference:apiKeysSecret, or set"
                + " ai-inference:allowPublicAccessWithoutKeys=true to do it on purpose");
        var key2 = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("tlsCertificate", cert), Set.of());
        assertThat(key2.errors()).singleElement().asString()
                .isEqualTo("ai-inference:tlsCertificate needs ai-inference:tlsKey too: HTTPS needs the certificate and its private key");
    }

    @Test
    void apiKeysSetInPlaintextAreRefusedByTheProgram() {
        var refused = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with("apiKeys", "first-key-0123456789"), Set.of());
        assertThat(refused.errors()).singleElement().asString().isEqualTo(
                "ai-inference:apiKeys must be set as a secret: pulumi config set --secret apiKeys <key1,key2>");
    }

    @Test
    void anExistingNetworkIsUsedByName() {
        var shared = MockEngineRun.run(DevStack.PROJECT, "dev",
                DevStack.with("networkName", "shared-vpc", "subnetworkName", "gke-subnet"), Set.of());
        assertThat(shared.errors()).isEmpty();
        assertThat(shared.ofType("gcp:compute/network:Network")).isEmpty();
        assertThat(shared.ofType("gcp:compute/subnetwork:Subnetwork")).isEmpty();
        var cluster = shared.ofType("gcp:container/cluster:Cluster").get(0);
        assertThat(cluster.input("network")).isEqualTo("shared-vpc");
        assertThat(cluster.input("subnetwork")).isEqualTo("gke-subnet");
    }

    private static Set<String> leafKeys(String prefix, Map<String, Object> map) {
        Set<String> keys = new TreeSet<>();
        for (var e : map.entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue() instanceof Map<?, ?> m && !m.isEmpty()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) m;
                keys.addAll(leafKeys(key, child));
            } else {
                keys.add(key);
            }
        }
        return keys;
    }
}
