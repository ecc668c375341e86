package com.aiinference.chart;

import static com.aiinference.chart.ChartScenarios.container;
import static com.aiinference.chart.ChartScenarios.deployment;
import static com.aiinference.chart.ChartScenarios.nested;
import static com.aiinference.chart.ChartScenarios.nginxConf;
import static com.aiinference.chart.ChartScenarios.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ci scenario linted and rendered by real Helm, then checked as typed Kubernetes objects. */
class AiInferenceChartTest {

    static Stream<String> scenarios() {
        return ChartScenarios.names().stream();
    }

    @Test
    void theIssueScenariosExist() {
        assertThat(ChartScenarios.names()).contains("default", "dws", "internal-lb", "api-keys", "hpa-range");
    }

    @ParameterizedTest(name = "helm lint --strict -f ci/{0}-values.yaml")
    @MethodSource("scenarios")
    void lintsStrict(String scenario) {
        LintResult lint = ChartScenarios.renderer().lintStrict(ChartScenarios.values(scenario));
        assertThat(lint.isFailed()).as("lint failed: %s", lint.getMessages()).isFalse();
        // INFO-level advice (e.g. "icon is recommended") is allowed; warnings and errors are not.
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    /** The checks of Pod Security "restricted", which the stack's namespace enforces, on every pod the chart makes. */
    @ParameterizedTest(name = "ci/{0}-values.yaml meets Pod Security restricted")
    @MethodSource("scenarios")
    void everyPodMeetsPodSecurityRestricted(String scenario) throws Exception {
        RenderedChart chart = ChartScenarios.renderWithTests(ChartScenarios.values(scenario),
                java.nio.file.Files.createTempDirectory("restricted"));
        List<PodSpec> pods = new java.util.ArrayList<>(List.of(deployment(chart).getSpec().getTemplate().getSpec()));
        chart.ofType(io.fabric8.kubernetes.api.model.Pod.class).forEach(p -> pods.add(p.getSpec()));
        assertThat(pods).hasSizeGreaterThanOrEqualTo(2);
        for (PodSpec pod : pods) {
            assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getConfigMap() != null || v.getSecret() != null
                    || v.getEmptyDir() != null || v.getPersistentVolumeClaim() != null).as(v.getName()).isTrue());
            List<Container> all = new java.util.ArrayList<>(pod.getContainers());
            all.addAll(pod.getInitContainers());
            assertThat(all).allSatisfy(c -> {
                var sc = c.getSecurityContext();
                assertThat(sc).as(c.getName()).isNotNull();
                assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
                assertThat(sc.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
                assertThat(sc.getCapabilities().getDrop()).as(c.getName()).contains("ALL");
                assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
                assertThat(sc.getRunAsUser() == null || sc.getRunAsUser() != 0L).as(c.getName() + " not uid 0").isTrue();
                assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
            });
        }
    }

    @ParameterizedTest(name = "ci/{0}-values.yaml follows the project contract")
    @MethodSource("scenarios")
    void everyScenarioKeepsTheContract(String scenario) {
        RenderedChart chart = render(scenario);
        Deployment deployment = deployment(chart);
        assertThat(deployment.getMetadata().getName()).isEqualTo("ai-inference");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "ai-inference")
                .containsEntry("app.kubernetes.io/instance", "ai-inference")
                .containsEntry("app.kubernetes.io/component", "inference");
        if ("vllm".equals(ChartScenarios.values(scenario).get("engine"))) {
            Container vllm = container(chart, "vllm");
            assertThat(vllm.getPorts()).singleElement()
                    .satisfies(p -> assertThat(p.getName()).isEqualTo("vllm"))
                    .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8000));
            assertThat(vllm.getImage()).isEqualTo("docker.io/vllm/vllm-openai:v0.25.0@sha256:fc56161ee42a011aeee78b65d0a81b6683c7d04402fd40503d14d4d6c98f07cb");
        } else {
            Container ollama = container(chart, "ollama");
            assertThat(ollama.getPorts()).singleElement()
                    .satisfies(p -> assertThat(p.getName()).isEqualTo("ollama"))
                    .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(11434));
            assertThat(env(ollama)).containsEntry("OLLAMA_HOST", "0.0.0.0:11434");
            assertThat(ollama.getImage()).isEqualTo("docker.io/ollama/ollama:0.17.7");
        }

        Service service = chart.single(Service.class).orElseThrow();
        assertThat(service.getMetadata().getName()).isEqualTo("ai-inference");
        assertThat(service.getSpec().getSelector()).containsEntry("app.kubernetes.io/name", "ai-inference")
                .containsEntry("app.kubernetes.io/instance", "ai-inference");

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        for (Container c : pod.getContainers()) {
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
        }
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).contains("nvidia.com/gpu");
        assertThat(pod.getNodeSelector()).containsEntry("cloud.google.com/gke-accelerator", "nvidia-l4");
        // Whoever owns the count, the Deployment only states it without an HPA.
        boolean hpa = chart.single(HorizontalPodAutoscaler.class).isPresent();
        assertThat(deployment.getSpec().getReplicas() == null).isEqualTo(hpa);
    }

    @Nested
    class SeedDefaults {
        final RenderedChart chart = render("default");
        final Deployment deployment = deployment(chart);
        final PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        final Container ollama = container(chart, "ollama");
        final Container gateway = container(chart, "gateway");

        @Test
        void ollamaRunsTheSeedSettings() {
            assertThat(env(ollama))
                    .containsEntry("OLLAMA_NUM_PARALLEL", "8")
                    .containsEntry("OLLAMA_MAX_QUEUE", "512")
                    .containsEntry("OLLAMA_KEEP_ALIVE", "-1")
                    .containsEntry("OLLAMA_CONTEXT_LENGTH", "4096")
                    .containsEntry("OLLAMA_FLASH_ATTENTION", "1")
                    .containsEntry("OLLAMA_MODELS", "/models")
                    .containsEntry("AI_INFERENCE_MODEL", "llama3.1:8b")
                    .containsEntry("AI_INFERENCE_REQUIRE_LOADED", "true")
                    .doesNotContainKey("OLLAMA_KV_CACHE_TYPE");
        }

        @Test
        void memoryLimitIsBelowTheNodeAndTheGpuIsRequested() {
            ResourceRequirements r = ollama.getResources();
            assertThat(r.getLimits()).containsEntry("memory", new Quantity("40Gi"))
                    .containsEntry("nvidia.com/gpu", new Quantity("1"))
                    .containsEntry("cpu", new Quantity("8"));
            assertThat(r.getRequests()).isEqualTo(r.getLimits());
        }

        @Test
        void podIsGuaranteedQos() {
            // Guaranteed: every container has cpu and memory limits equal to its requests.
            for (Container c : pod.getContainers()) {
                Map<String, Quantity> limits = c.getResources().getLimits();
                Map<String, Quantity> requests = c.getResources().getRequests();
                assertThat(limits).as(c.getName()).containsKeys("cpu", "memory");
                assertThat(requests.get("cpu")).as(c.getName()).isEqualTo(limits.get("cpu"));
                assertThat(requests.get("memory")).as(c.getName()).isEqualTo(limits.get("memory"));
            }
            assertThat(pod.getInitContainers()).isNullOrEmpty();
        }

        @Test
        void readinessMeansTheModelIsLoaded() {
            assertThat(ollama.getStartupProbe().getExec().getCommand())
                    .containsExactly("/bin/sh", "/opt/ai-inference/model-ready.sh", "--loaded");
            int startupBudget = ollama.getStartupProbe().getPeriodSeconds()
                    * ollama.getStartupProbe().getFailureThreshold();
            assertThat(startupBudget).as("seconds allowed for the first pull and load").isGreaterThanOrEqualTo(1800);
            assertThat(ollama.getReadinessProbe().getExec().getCommand())
                    .containsExactly("/bin/sh", "/opt/ai-inference/model-ready.sh");
            assertThat(ollama.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/");
            assertThat(ollama.getCommand()).containsExactly("/bin/sh", "/opt/ai-inference/entrypoint.sh");
            assertThat(ollama.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
        }

        @Test
        void scriptsInTheConfigMapAreTheChartFiles() throws Exception {
            ConfigMap scripts = ChartScenarios.configMap(chart, "scripts");
            var files = ChartScenarios.renderer().chartDir().resolve("files");
            assertThat(scripts.getData().get("entrypoint.sh")).isEqualTo(Files.readString(files.resolve("entrypoint.sh")));
            assertThat(scripts.getData().get("model-ready.sh")).isEqualTo(Files.readString(files.resolve("model-ready.sh")));
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("models")).singleElement()
                    .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("30Gi")));
        }

        @Test
        void gatewayIsTheServiceTargetWithTcpProbesAndAPodOnlyMetricsPort() {
            assertThat(gateway.getImage()).isEqualTo("docker.io/nginxinc/nginx-unprivileged:1.29.0-alpine");
            assertThat(gateway.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                    .containsExactly("http:8080", "metrics:8081");
            assertThat(gateway.getReadinessProbe().getTcpSocket()).isNotNull();
            assertThat(gateway.getLivenessProbe().getTcpSocket()).isNotNull();
            assertThat(gateway.getSecurityContext().getRunAsUser()).isEqualTo(101L);

            Service service = chart.single(Service.class).orElseThrow();
            assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort()).isEqualTo(8000);
                assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
            assertThat(service.getSpec().getLoadBalancerSourceRanges()).containsExactly("203.0.113.0/24");
            assertThat(service.getMetadata().getAnnotations()).isNullOrEmpty();
        }

        @Test
        void schedulesOnePodPerL4NodeOfThePool() {
            assertThat(pod.getNodeSelector()).containsOnly(
                    Map.entry("cloud.google.com/gke-accelerator", "nvidia-l4"),
                    Map.entry("cloud.google.com/gke-nodepool", "l4-pool"));
            assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("nvidia.com/gpu");
            var term = pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
            assertThat(term).singleElement().satisfies(t -> {
                assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                assertThat(t.getLabelSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "ai-inference");
            });
        }

        @Test
        void hpaIsPinnedAtTenAndTheDeploymentLeavesReplicasToIt() {
            HorizontalPodAutoscaler hpa = chart.single(HorizontalPodAutoscaler.class).orElseThrow();
            assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
            assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(10);
            assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
            assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("ai-inference");
            assertThat(hpa.getSpec().getBehavior()).isNull();
            assertThat(deployment.getSpec().getReplicas()).isNull();
            assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
        }

        @Test
        void pdbServiceAccountAndNetworkPolicy() {
            PodDisruptionBudget pdb = chart.single(PodDisruptionBudget.class).orElseThrow();
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
            ServiceAccount sa = chart.single(ServiceAccount.class).orElseThrow();
            assertThat(sa.getAutomountServiceAccountToken()).isFalse();
            assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
            NetworkPolicy policy = chart.single(NetworkPolicy.class).orElseThrow();
            assertThat(policy.getSpec().getIngress()).singleElement()
                    .satisfies(rule -> assertThat(rule.getPorts()).extracting(p -> p.getPort().getStrVal())
                            .containsExactly("http", "metrics"));
            // Egress: DNS and HTTPS (model downloads) only.
            assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
            assertThat(policy.getSpec().getEgress()).extracting(rule -> rule.getTo().isEmpty() + " "
                            + rule.getPorts().stream().map(p -> p.getPort().getIntVal() + "/" + p.getProtocol()).toList())
                    .containsExactly("true [53/UDP, 53/TCP]", "true [443/TCP]");
        }

        @Test
        void noDwsObjectsWhenDwsIsOff() {
            assertThat(chart.ofKind("PodTemplate")).isEmpty();
            assertThat(chart.ofKind("ProvisioningRequest")).isEmpty();
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                    .doesNotContainKey("autoscaling.x-k8s.io/consume-provisioning-request");
        }

        @Test
        void gatewayForwardsOnlyInferenceRoutes() {
            String conf = nginxConf(chart);
            assertThat(forwardedRoutes(conf)).containsExactly("/", "/api/generate", "/api/chat", "/api/tags",
                    "/api/version", "/v1/completions", "/v1/chat/completions", "/v1/models");
            assertThat(routesEndingIn(conf, "js_content policy\\.check;")).as("routes whose bodies the policy checks")
                    .containsExactly("/api/generate", "/api/chat", "/v1/completions", "/v1/chat/completions");
            assertThat(conf).contains("set $ai_policy '{\"api\":\"ollama\",\"contextLength\":4096,"
                    + "\"maxOutputTokens\":1024,\"models\":[\"llama3.1:8b\"]}';");
            assertThat(conf).contains("location ~ ^/api/(pull|push|create|delete|copy|blobs)(/|$)")
                    .contains("return 403 '{\"error\":")
                    .contains("return 404 '{\"error\":")
                    .contains("proxy_buffering off;")
                    .contains("proxy_read_timeout 600s;")
                    .contains("client_max_body_size 1m;")
                    .contains("server 127.0.0.1:11434;")
                    .contains("listen 8080;")
                    .contains("listen 8081;")
                    .contains("stub_status;")
                    .doesNotContain("api_key_valid");
        }
    }

    @Nested
    class QueuedProvisioning {
        final RenderedChart chart = render("dws");
        final PodSpec pod = deployment(chart).getSpec().getTemplate().getSpec();
        final PodTemplate template = chart.single(PodTemplate.class).orElseThrow();
        final GenericKubernetesResource request = (GenericKubernetesResource) chart.ofKind("ProvisioningRequest").get(0);

        @Test
        void provisioningRequestFollowsTheGkeApi() {
            assertThat(chart.ofKind("ProvisioningRequest")).hasSize(1);
            assertThat(request.getApiVersion()).isEqualTo("autoscaling.x-k8s.io/v1");
            Map<String, Object> spec = spec(request);
            assertThat(spec).containsEntry("provisioningClassName", "queued-provisioning.gke.io");
            assertThat(spec.get("parameters")).isEqualTo(Map.of("maxRunDurationSeconds", "259200"));
            assertThat(spec.get("podSets")).isEqualTo(List.of(
                    Map.of("count", 10, "podTemplateRef", Map.of("name", template.getMetadata().getName()))));
        }

        @Test
        void podsConsumeTheRequestAndRollWithoutSurge() {
            Deployment deployment = deployment(chart);
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("autoscaling.x-k8s.io/consume-provisioning-request", request.getMetadata().getName())
                    .containsEntry("autoscaling.x-k8s.io/provisioning-class-name", "queued-provisioning.gke.io");
            assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
            assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        }

        @Test
        void podsTolerateTheQueuedPoolAndSelectIt() {
            assertThat(pod.getTolerations()).extracting(Toleration::getKey)
                    .containsExactly("nvidia.com/gpu", "cloud.google.com/gke-queued");
            assertThat(pod.getNodeSelector())
                    .containsEntry("cloud.google.com/gke-nodepool", "l4-dws-pool")
                    .containsEntry("cloud.google.com/gke-flex-start", "true");
        }

        @Test
        void podTemplateMatchesThePodsSchedulingFields() {
            assertThat(template.getMetadata().getLabels())
                    .containsEntry("cloud.google.com/apply-warden-policies", "true")
                    .containsEntry("cloud.google.com/gke-flex-start", "true");
            assertThat(template.getTemplate().getMetadata().getLabels())
                    .containsEntry("cloud.google.com/gke-flex-start", "true")
                    .containsEntry("app.kubernetes.io/name", "ai-inference");
            PodSpec templateSpec = template.getTemplate().getSpec();
            assertThat(templateSpec.getNodeSelector()).isEqualTo(pod.getNodeSelector());
            assertThat(templateSpec.getTolerations()).isEqualTo(pod.getTolerations());
            assertThat(templateSpec.getAffinity()).isEqualTo(pod.getAffinity());
            assertThat(templateSpec.getContainers()).extracting(Container::getName)
                    .containsExactlyElementsOf(pod.getContainers().stream().map(Container::getName).toList());
            for (Container c : templateSpec.getContainers()) {
                assertThat(c.getResources()).as(c.getName()).isEqualTo(container(chart, c.getName()).getResources());
            }
        }

        @Test
        void namesCarryAHashOfTheSpecSoAChangeMakesANewRequest() {
            String name = request.getMetadata().getName();
            assertThat(name).matches("ai-inference-[0-9a-f]{10}");
            assertThat(template.getMetadata().getName()).isEqualTo("ai-inference-dws-" + name.substring(name.length() - 10));
            assertThat(prName(render("dws"))).as("stable across renders").isEqualTo(name);

            Map<String, Object> eight = Map.of("replicaCount", 8,
                    "autoscaling", Map.of("minReplicas", 8, "maxReplicas", 8));
            assertThat(prName(render(ChartScenarios.with("dws", eight)))).isNotEqualTo(name);
            assertThat(prName(render(ChartScenarios.with("dws", nested("dws", Map.of("maxRunDurationSeconds", 86400))))))
                    .isNotEqualTo(name);
            assertThat(prName(render(ChartScenarios.with("dws",
                    nested("resources", Map.of("limits", Map.of("memory", "38Gi"), "requests", Map.of("memory", "38Gi")))))))
                    .isNotEqualTo(name);
            // An image upgrade changes neither the nodes' size nor placement: the provisioned nodes are kept.
            assertThat(prName(render(ChartScenarios.with("dws", nested("image", Map.of("tag", "0.17.8"))))))
                    .isEqualTo(name);
        }

        private String prName(RenderedChart rendered) {
            return rendered.ofKind("ProvisioningRequest").get(0).getMetadata().getName();
        }
    }

    @Test
    void internalLoadBalancerIsAnnotatedAndNeedsNoSourceRanges() {
        Service service = render("internal-lb").single(Service.class).orElseThrow();
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getMetadata().getAnnotations())
                .containsEntry("networking.gke.io/load-balancer-type", "Internal");
        assertThat(service.getSpec().getLoadBalancerSourceRanges()).isNullOrEmpty();
    }

    @Test
    void apiKeysAreRenderedFromTheSecretAndCheckedOnEveryForwardedRoute() {
        RenderedChart chart = render("api-keys");
        PodSpec pod = deployment(chart).getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo("api-keys");
            assertThat(init.getCommand()).containsExactly("/bin/sh", "/etc/ai-inference/gateway/render-api-keys.sh",
                    "/etc/ai-inference/api-keys-secret/api-keys", "/etc/ai-inference/api-keys/api-keys.map");
        });
        // The gateway follows the Secret itself (gateway.sh reloads on a change), from the mount the kubelet refreshes.
        assertThat(pod.getContainers()).filteredOn(c -> c.getName().equals("gateway")).singleElement().satisfies(gw -> {
            assertThat(gw.getCommand()).containsExactly("/bin/sh", "/etc/ai-inference/gateway/gateway.sh");
            assertThat(gw.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).containsExactly(
                    "AI_INFERENCE_TLS_CERT=/etc/ai-inference/tls/tls.crt",
                    "AI_INFERENCE_KEYS_FILE=/etc/ai-inference/api-keys-secret/api-keys",
                    "AI_INFERENCE_KEYS_MAP=/etc/ai-inference/api-keys/api-keys.map",
                    "AI_INFERENCE_KEYS_WATCH_SECONDS=10");
            assertThat(gw.getVolumeMounts()).extracting(m -> m.getMountPath() + (m.getSubPath() == null ? "" : " subPath"))
                    .contains("/etc/ai-inference/api-keys-secret", "/etc/ai-inference/api-keys", "/etc/ai-inference/tls");
            assertThat(gw.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort())
                    .containsExactly("http=8080", "metrics=8081", "https=8443");
        });
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null)
                .extracting(v -> v.getSecret().getSecretName()).containsExactly("ai-inference-api-keys", "ai-inference-tls");
        String conf = nginxConf(chart);
        assertThat(conf).contains("map $http_authorization $api_key_valid")
                .contains("include /etc/ai-inference/api-keys/api-keys.map;");
        int forwarded = forwardedRoutes(conf).size();
        assertThat(countOf(conf, "return 401")).isEqualTo(forwarded);
        assertThat(conf).contains("listen 8443 ssl;").contains("ssl_certificate /etc/ai-inference/tls/tls.crt;");
        Service service = chart.single(Service.class).orElseThrow();
        assertThat(service.getSpec().getLoadBalancerSourceRanges()).isNullOrEmpty();
        // HTTPS only: keys never cross the internet in clear text.
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
                .containsExactly("https:443->https");
    }

    @Test
    void hpaRangeScalesDownSlowlyAndLeavesReplicasToTheHpa() {
        RenderedChart chart = render("hpa-range");
        HorizontalPodAutoscaler hpa = chart.single(HorizontalPodAutoscaler.class).orElseThrow();
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(60));
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(600);
        assertThat(deployment(chart).getSpec().getReplicas()).isNull();
        assertThat(chart.single(Service.class).orElseThrow().getSpec().getLoadBalancerSourceRanges())
                .containsExactly("10.0.0.0/8");
    }

    @Test
    void withoutTheGatewayTheClusterIpServiceTargetsOllama() {
        RenderedChart chart = render("clusterip-no-gateway");
        Deployment deployment = deployment(chart);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(chart.single(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("ollama");
        assertThat(chart.ofType(ConfigMap.class)).extracting(cm -> cm.getMetadata().getName())
                .containsExactly("ai-inference-scripts");
        Service service = chart.single(Service.class).orElseThrow();
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("ollama");
        Container ollama = container(chart, "ollama");
        assertThat(env(ollama)).containsEntry("AI_INFERENCE_MODEL", "qwen2.5:7b")
                .containsEntry("OLLAMA_KEEP_ALIVE", "30m")
                .containsEntry("OLLAMA_KV_CACHE_TYPE", "q8_0")
                .containsEntry("AI_INFERENCE_REQUIRE_LOADED", "false");
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals("models")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("ollama-models"));
        assertThat(chart.single(NetworkPolicy.class).orElseThrow().getSpec().getIngress().get(0).getPorts())
                .extracting(p -> p.getPort().getStrVal()).containsExactly("ollama");
    }

    @Test
    void modelWithoutATagIsProbedAsLatest() {
        RenderedChart chart = render(ChartScenarios.with("default", nested("model", Map.of("name", "mistral"))));
        assertThat(env(container(chart, "ollama"))).containsEntry("AI_INFERENCE_MODEL", "mistral:latest");
    }

    @Test
    void explicitCpuLimitMakesThePodBurstable() {
        RenderedChart chart = render(ChartScenarios.with("default",
                nested("resources", Map.of("requests", Map.of("cpu", "4"), "limits", Map.of("cpu", "10")))));
        ResourceRequirements r = container(chart, "ollama").getResources();
        assertThat(r.getRequests().get("cpu")).isEqualTo(new Quantity("4"));
        assertThat(r.getLimits().get("cpu")).isEqualTo(new Quantity("10"));
    }

    @Test
    void openAiRoutesCanBeTurnedOff() {
        RenderedChart chart = render(ChartScenarios.with("default", nested("gateway", Map.of("openAICompatible", false))));
        assertThat(forwardedRoutes(nginxConf(chart)))
                .containsExactly("/", "/api/generate", "/api/chat", "/api/tags", "/api/version");
    }

    /** Exact-match locations that reach the engine: straight through proxy_pass, or through the body policy. */
    static Set<String> forwardedRoutes(String conf) {
        return routesEndingIn(conf, "(?:proxy_pass http://engine;|js_content policy\\.check;)");
    }

    static Set<String> routesEndingIn(String conf, String directive) {
        Matcher m = Pattern.compile("location = (\\S+) \\{(?:(?!location ).)*?" + directive, Pattern.DOTALL).matcher(conf);
        Set<String> routes = new LinkedHashSet<>();
        while (m.find()) {
            routes.add(m.group(1));
        }
        return routes;
    }

    static int countOf(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName,
                e -> e.getValue() == null ? "" : e.getValue(), (a, b) -> b, java.util.LinkedHashMap::new));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
