package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.SettingsParser;
import com.aiinference.kube.GkeApi;
import com.aiinference.plan.StackFile;
import com.aiinference.stack.ChartValues;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulation is seeded from the chart's real render: what verify is tested against is what the chart makes, so a
 * chart change that breaks verify's assumptions (labels, container names, ports) breaks a test here.
 */
@Timeout(60)
class SimulatedClusterChartTest {
    private static final String NS = "ai-inference";

    @TempDir
    Path dir;

    /** The chart, fake replicas, the seeded mock API server and its outputs file. */
    record Sim(List<SimulatedEngine> replicas, SimulatedCluster cluster, Path outputs) implements AutoCloseable {
        static Sim start(SimulatedCluster.Spec spec, RenderedChart chart, Path dir) throws IOException {
            SimulatedEngineConfig fast = SimulatedEngineConfig.defaults().withModels(List.of(spec.model())).withTokensPerAnswer(8)
                    .withTiming(Duration.ofMillis(5), Duration.ofMillis(2))
                    .withEngine(com.aiinference.chart.ChartContract.ENGINE_VLLM.equals(spec.engine())
                            ? SimulatedEngineConfig.Engine.VLLM : SimulatedEngineConfig.Engine.OLLAMA);
            List<SimulatedEngine> replicas = new ArrayList<>();
            try {
                for (int i = 0; i < spec.replicas(); i++) {
                    replicas.add(SimulatedEngine.start(fast.withSeed(i + 1L)));
                }
                SimulatedCluster cluster = SimulatedCluster.start(spec, replicas.stream().map(SimulatedEngine::baseUri).toList(), chart);
                Path outputs = dir.resolve("outputs.json");
                Files.writeString(outputs, new ObjectMapper().writeValueAsString(cluster.outputs()));
                return new Sim(replicas, cluster, outputs);
            } catch (RuntimeException e) {
                replicas.forEach(SimulatedEngine::close);
                throw e;
            }
        }

        @Override
        public void close() {
            cluster.close();
            replicas.forEach(SimulatedEngine::close);
        }
    }

    @Test
    void seededDeploymentAndPodsCarryExactlyTheChartsLabelsContainersAndPorts() throws IOException {
        SimulatedCluster.Spec spec = SimulatedCluster.Spec.defaults(2).withDwsState("Provisioned");
        // Rendered here on its own, from the project's chart, not taken from the cluster.
        RenderedChart chart = ChartRenderer.projectChart().template("ai-inference", NS, ChartSeed.values(spec));
        Deployment rendered = chart.single(Deployment.class).orElseThrow();
        PodTemplateSpec template = rendered.getSpec().getTemplate();

        try (Sim sim = Sim.start(spec, chart, dir)) {
            KubernetesClient k = sim.cluster().client();
            // Every object helm install creates is there as rendered; the helm test hook is not.
            for (HasMetadata o : chart.objects()) {
                boolean hook = o.getMetadata().getAnnotations() != null && o.getMetadata().getAnnotations().containsKey("helm.sh/hook");
                var seeded = o.getKind().equals("ProvisioningRequest")
                        ? k.genericKubernetesResources(GkeApi.PROVISIONING_REQUESTS)
                                .inNamespace(NS).withName(o.getMetadata().getName()).get()
                        : k.resource(o).inNamespace(NS).get();
                if (hook) {
                    assertThat(seeded).as(o.getKind() + " " + o.getMetadata().getName()).isNull();
                } else {
                    assertThat(seeded).as(o.getKind() + " " + o.getMetadata().getName()).isNotNull();
                    assertThat(seeded.getMetadata().getLabels()).isEqualTo(o.getMetadata().getLabels());
                }
            }
            assertThat(chart.objects()).extracting(HasMetadata::getKind).contains("ServiceAccount", "ConfigMap", "Service",
                    "PodTemplate", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                    "ProvisioningRequest");

            Deployment d = k.apps().deployments().inNamespace(NS).withName(rendered.getMetadata().getName()).get();
            assertThat(d.getSpec().getSelector()).isEqualTo(rendered.getSpec().getSelector());
            assertThat(d.getSpec().getTemplate()).isEqualTo(template);
            assertThat(d.getSpec().getReplicas()).as("set by the HPA: the chart leaves replicas to it").isEqualTo(2);

            List<Pod> pods = k.pods().inNamespace(NS).list().getItems();
            assertThat(pods).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(sim.cluster().podNames());
            Map<String, String> podLabels = new LinkedHashMap<>(template.getMetadata().getLabels());
            podLabels.put("pod-template-hash", "6d5f8c7b9");
            for (Pod p : pods) {
                assertThat(p.getMetadata().getLabels()).isEqualTo(podLabels);
                assertThat(p.getMetadata().getAnnotations()).isEqualTo(template.getMetadata().getAnnotations());
                assertThat(p.getSpec().getContainers()).isEqualTo(template.getSpec().getContainers());
                assertThat(p.getSpec().getNodeSelector()).isEqualTo(template.getSpec().getNodeSelector());
                var node = k.nodes().withName(p.getSpec().getNodeName()).get();
                assertThat(node.getMetadata().getLabels()).containsAllEntriesOf(template.getSpec().getNodeSelector());
                assertThat(p.getStatus().getQosClass()).isEqualTo("Guaranteed");
            }

            // What verify relies on, pinned: if the chart changes one of these, this fails (and so does verify).
            assertThat(podLabels).containsEntry("app.kubernetes.io/name", "ai-inference")
                    .containsEntry("app.kubernetes.io/instance", "ai-inference")
                    .containsEntry("app.kubernetes.io/component", "inference");
            assertThat(template.getSpec().getNodeSelector()).containsEntry("cloud.google.com/gke-nodepool", "l4-pool")
                    .containsEntry("cloud.google.com/gke-accelerator", "nvidia-l4")
                    .containsEntry("cloud.google.com/gke-flex-start", "true");
            assertThat(template.getMetadata().getAnnotations())
                    .containsEntry("autoscaling.x-k8s.io/consume-provisioning-request", sim.cluster().provisioningRequestName().orElseThrow());
            assertThat(template.getSpec().getContainers()).extracting(Container::getName).containsExactly("ollama", "gateway");
            assertThat(ports(template, "ollama")).containsExactly("ollama/11434");
            assertThat(ports(template, "gateway")).containsExactly("http/8080", "metrics/8081");
            assertThat(template.getSpec().getContainers().get(0).getResources().getLimits().get("memory")).hasToString("40Gi");
            var svc = k.services().inNamespace(NS).withName("ai-inference").get();
            assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort()).isEqualTo(8000);
                assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
            assertThat(svc.getSpec().getLoadBalancerSourceRanges()).containsExactly("127.0.0.1/32");
        }
    }

    private static List<String> ports(PodTemplateSpec template, String container) {
        return template.getSpec().getContainers().stream().filter(c -> c.getName().equals(container))
                .flatMap(c -> c.getPorts().stream()).map(p -> p.getName() + "/" + p.getContainerPort()).toList();
    }

    /** simulate cluster --parallel 4 runs replicas with 4 slots: the pods it renders say OLLAMA_NUM_PARALLEL=4 too. */
    @Test
    void thePodsParallelismIsTheReplicasParallelism() {
        RenderedChart chart = ChartSeed.render(SimulatedCluster.Spec.defaults(2).withNumParallel(4), ChartRenderer.projectChart());
        Container ollama = chart.single(Deployment.class).orElseThrow().getSpec().getTemplate().getSpec().getContainers()
                .stream().filter(c -> c.getName().equals("ollama")).findFirst().orElseThrow();
        assertThat(ollama.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("OLLAMA_NUM_PARALLEL");
            assertThat(e.getValue()).isEqualTo("4");
        });
    }

    /**
     * simulate cluster --engine vllm: the replicas speak vLLM, so the chart is rendered with engine vllm and the pods are
     * what a vLLM release creates (container vllm on 8000, its args, no Ollama env); verify reads the model from
     * vLLM's /v1/models through the pod proxy and judges the run on it.
     */
    @Test
    void theVllmEngineSeedsTheVllmReleasesPodsAndVerifyPassesAgainstThem() throws IOException {
        SimulatedCluster.Spec spec = SimulatedCluster.Spec.defaults(2).withDwsState("Provisioned")
                .withEngine("vllm").withModel("meta-llama/Llama-3.1-8B-Instruct").withNumParallel(16);
        RenderedChart chart = ChartSeed.render(spec, ChartRenderer.projectChart());
        PodTemplateSpec template = chart.single(Deployment.class).orElseThrow().getSpec().getTemplate();
        assertThat(template.getSpec().getContainers()).extracting(Container::getName).containsExactly("vllm", "gateway");
        assertThat(ports(template, "vllm")).containsExactly("vllm/8000");
        Container vllm = template.getSpec().getContainers().get(0);
        assertThat(vllm.getCommand()).containsExactly("vllm", "serve");
        assertThat(vllm.getArgs()).contains("meta-llama/Llama-3.1-8B-Instruct", "--port=8000", "--max-num-seqs=16");
        assertThat(vllm.getEnv()).extracting(io.fabric8.kubernetes.api.model.EnvVar::getName).contains("HF_HOME")
                .noneMatch(n -> n.startsWith("OLLAMA_"));

        try (Sim sim = Sim.start(spec, chart, dir)) {
            KubernetesClient k = sim.cluster().client();
            assertThat(k.pods().inNamespace(NS).list().getItems()).hasSize(2).allSatisfy(p -> {
                assertThat(p.getSpec().getContainers()).isEqualTo(template.getSpec().getContainers());
                assertThat(p.getStatus().getContainerStatuses()).extracting(io.fabric8.kubernetes.api.model.ContainerStatus::getName)
                        .containsExactlyInAnyOrder("vllm", "gateway");
            });
            assertThat(sim.cluster().outputs()).containsEntry("engine", "vllm");
            SimulateClusterCommandTest.Run verify = SimulateClusterCommandTest.run("verify", "--outputs",
                    sim.outputs().toString(), "--users", "4", "--duration", "1s");
            assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("/v1/models lists meta-llama/Llama-3.1-8B-Instruct")
                    .contains("| all-replicas-served | after | PASS | 2/2 replicas served traffic");
        }
    }

    @Test
    void valuesAreTheOnesTheStackPassesForTheDevStack() {
        // The seed's platform: 10 replicas, DWS, HPA pinned at 10, 40Gi, gateway on, LoadBalancer on 8000.
        var devConfig = StackFile.read(projectDir().resolve("Pulumi.dev.yaml"), "ai-inference").config();
        Map<String, Object> stack = new LinkedHashMap<>(ChartValues.of(SettingsParser.parse("ai-inference", devConfig),
                ChartSeed.GPU_NODE_POOL));
        Map<String, Object> simulated = new LinkedHashMap<>(ChartSeed.values(SimulatedCluster.Spec.defaults(10)
                .withDwsState("Provisioned")));
        // Only who may reach the LoadBalancer differs: the simulation's clients are on loopback.
        @SuppressWarnings("unchecked")
        Map<String, Object> simulatedService = new LinkedHashMap<>((Map<String, Object>) simulated.remove("service"));
        @SuppressWarnings("unchecked")
        Map<String, Object> stackService = new LinkedHashMap<>((Map<String, Object>) stack.remove("service"));
        assertThat(simulated).isEqualTo(stack);
        assertThat(simulatedService.remove("loadBalancerSourceRanges")).isEqualTo(List.of("127.0.0.1/32"));
        stackService.remove("loadBalancerSourceRanges");
        assertThat(simulatedService).isEqualTo(stackService);
    }

    @Test
    void verifyPassesAgainstTheSimulationSeededFromTheChart() throws IOException {
        SimulatedCluster.Spec spec = SimulatedCluster.Spec.defaults(2).withDwsState("Provisioned");
        try (Sim sim = Sim.start(spec, ChartSeed.render(spec, ChartRenderer.projectChart()), dir)) {
            SimulateClusterCommandTest.Run verify = SimulateClusterCommandTest.run("verify", "--outputs", sim.outputs().toString(), "--users", "4", "--duration", "1s", "--quiet");

            assertThat(verify.exit()).as(verify.err()).isZero();
            assertThat(verify.out()).contains("| deployment-ready | before | PASS | Deployment ai-inference: 2/2 replicas ready |")
                    .contains("| pods-ready | before | PASS | 2/2 pods ready |")
                    .contains("| all-replicas-served | after | PASS | 2/2 replicas served traffic");
        }
    }

    @Test
    void aChartThatRelabelsItsPodsBreaksVerifyAgainstTheSimulation() throws IOException {
        // A copy of the chart whose pods say component=model-server: verify only counts component=inference pods.
        Path chartCopy = dir.resolve("chart");
        ChartRenderer.projectChart().copyTo(chartCopy);
        Path helpers = chartCopy.resolve("templates/_helpers.tpl");
        String text = Files.readString(helpers);
        assertThat(text).contains("app.kubernetes.io/component: inference");
        Files.writeString(helpers, text.replace("app.kubernetes.io/component: inference", "app.kubernetes.io/component: model-server"));

        SimulatedCluster.Spec spec = SimulatedCluster.Spec.defaults(2);
        try (Sim sim = Sim.start(spec, ChartSeed.render(spec, new ChartRenderer(chartCopy)), dir)) {
            assertThat(sim.cluster().client().pods().inNamespace(NS).list().getItems())
                    .allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "model-server"));
            SimulateClusterCommandTest.Run verify = SimulateClusterCommandTest.run("verify", "--outputs", sim.outputs().toString(), "--users", "4", "--duration", "1s", "--quiet");

            assertThat(verify.exit()).isEqualTo(1);
            assertThat(verify.out()).contains("| pods-ready | before | **FAIL** |");
        }
    }

    static Path projectDir() {
        String base = System.getProperty("project.basedir", "");
        return base.isBlank() ? Path.of("").toAbsolutePath() : Path.of(base);
    }

}
