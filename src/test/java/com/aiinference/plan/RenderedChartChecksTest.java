package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.DevStack;
import com.aiinference.core.Check;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks on rendered objects catch a chart that does not do what the values asked. */
class RenderedChartChecksTest {

    private static String deployment(String memoryLimit, String gpus, String pool, String tolerations) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: ai-inference}
                spec:
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      nodeSelector: {cloud.google.com/gke-nodepool: %s}
                      tolerations: %s
                      containers:
                        - name: ollama
                          image: ollama/ollama:0.17.7
                          resources: {limits: {memory: %s, nvidia.com/gpu: %s}}
                """.formatted(pool, tolerations, memoryLimit, gpus);
    }

    private static final String TOLERATE_BOTH = "[{key: nvidia.com/gpu, operator: Exists}, {key: cloud.google.com/gke-queued, operator: Exists}]";

    private static final String REST = """
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: ai-inference}
            spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ai-inference}, minReplicas: 10, maxReplicas: 10}
            ---
            apiVersion: autoscaling.x-k8s.io/v1
            kind: ProvisioningRequest
            metadata: {name: ai-inference-abc}
            spec: {provisioningClassName: queued-provisioning.gke.io, podSets: [{count: 10, podTemplateRef: {name: t}}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ai-inference, annotations: {networking.gke.io/load-balancer-ip-addresses: ai-inference-endpoint, cloud.google.com/l4-rbs: enabled}}
            spec: {type: LoadBalancer, loadBalancerSourceRanges: [203.0.113.0/24, 198.51.100.0/24], ports: [{port: 8000}]}
            """;

    private static List<Check> check(String manifest) {
        RenderedChart chart = new RenderedChart(manifest, ChartRenderer.parse(manifest));
        return RenderedChartChecks.check(chart, DevStack.settings(), "l4-pool");
    }

    private static List<String> failed(List<Check> checks) {
        return checks.stream().filter(Check::failed).map(c -> c.name() + ": " + c.message()).toList();
    }

    @Test
    void aChartThatFollowsTheValuesPasses() {
        assertThat(failed(check(deployment("40Gi", "1", "l4-pool", TOLERATE_BOTH) + REST))).isEmpty();
    }

    @Test
    void aLimitOtherThanTheConfiguredOneFails() {
        assertThat(failed(check(deployment("44Gi", "1", "l4-pool", TOLERATE_BOTH) + REST))).containsExactly(
                "rendered-memory-limit: ollama's rendered memory limit 44Gi differs from ai-inference:memoryLimit 40Gi");
    }

    @Test
    void theWrongPoolOrAMissingDwsTolerationFails() {
        assertThat(failed(check(deployment("40Gi", "1", "default-pool", "[{key: nvidia.com/gpu, operator: Exists}]") + REST)))
                .containsExactly(
                        "rendered-node-selector: pods select node pool default-pool, the stack creates l4-pool",
                        "rendered-tolerations: pods do not tolerate the pool's taint(s) [cloud.google.com/gke-queued]");
    }

    @Test
    void aProvisioningRequestForMoreNodesThanThePoolFails() {
        assertThat(failed(check(deployment("40Gi", "1", "l4-pool", TOLERATE_BOTH) + REST.replace("count: 10", "count: 12"))))
                .containsExactly("rendered-provisioning-request: ProvisioningRequest asks for 12 pod(s), above the pool's 10 nodes");
    }

    @Test
    void aServiceWithoutTheSourceRangesFails() {
        assertThat(failed(check(deployment("40Gi", "1", "l4-pool", TOLERATE_BOTH)
                + REST.replace("loadBalancerSourceRanges: [203.0.113.0/24, 198.51.100.0/24], ", ""))))
                .containsExactly("rendered-service: Service source ranges [] miss [203.0.113.0/24, 198.51.100.0/24]");
    }

    @Test
    void aServiceThatIgnoresTheReservedAddressFails() {
        assertThat(failed(check(deployment("40Gi", "1", "l4-pool", TOLERATE_BOTH)
                + REST.replace("networking.gke.io/load-balancer-ip-addresses: ai-inference-endpoint, ", ""))))
                .containsExactly("rendered-service-address: Service ai-inference has networking.gke.io/load-balancer-ip-addresses null, the stack reserves ai-inference-endpoint");
        assertThat(failed(check(deployment("40Gi", "1", "l4-pool", TOLERATE_BOTH)
                + REST.replace(", cloud.google.com/l4-rbs: enabled", ""))))
                .containsExactly("rendered-service-address: public Service ai-inference names address ai-inference-endpoint without cloud.google.com/l4-rbs: \"enabled\" (GKE's L4 controller that reads the annotation)");
    }
}
