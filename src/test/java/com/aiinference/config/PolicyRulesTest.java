package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.core.Check;
import com.aiinference.stack.StackRules;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rules whose inputs live outside the stack's config: the gateway sidecar the chart renders. */
class PolicyRulesTest {

    private static final Optional<PolicyRules.Sidecar> GATEWAY = Optional.of(new PolicyRules.Sidecar(
            Quantity.parse("500m").orElseThrow(), Quantity.parse("128Mi").orElseThrow()));

    /** The sidecar's numbers come from the pod the chart rendered: the stack reads the chart's own resources. */
    @Test
    void theGatewayCountedIsTheOneTheChartRenders() {
        List<Check> checks = StackRules.check(DevStack.settings("gatewayEnabled", "true"), DevStack.projectDir());
        assertThat(checks).filteredOn(c -> c.name().equals("memory-limit-fits-node")).extracting(Check::message)
                .containsExactly("memoryLimit 40Gi + gateway 128Mi fits the 43.4Gi allocatable on g2-standard-12 less 512Mi for DaemonSets (42.9Gi)");
        assertThat(StackRules.check(DevStack.settings("numParallel", "65"), DevStack.projectDir()))
                .filteredOn(c -> c.name().endsWith("-fits-node")).extracting(Check::status)
                .containsExactly(Check.Status.SKIP, Check.Status.SKIP);
    }

    /**
     * The GPU-fit judgement waits for the chart when the chart refuses one of its inputs: the numParallel caps (64 for
     * Ollama, 1024 for vLLM) are the chart schema's alone, so 65 is refused with Ollama and judged with vLLM.
     */
    @Test
    void theGpuFitWaitsForTheChartsBoundsOfNumParallel() {
        assertThat(gpuFit(DevStack.settings("numParallel", "65"))).extracting(Check::status, Check::message)
                .containsExactly(Check.Status.SKIP,
                        "not judged: the chart refuses ai-inference:numParallel (see chart-accepts-values)");
        String vllm = "meta-llama/Llama-3.1-8B-Instruct";
        assertThat(gpuFit(DevStack.settings("engine", "vllm", "model", vllm, "numParallel", "65")).status())
                .isEqualTo(Check.Status.FAIL);
        assertThat(gpuFit(DevStack.settings("engine", "vllm", "model", vllm, "numParallel", "1025")))
                .extracting(Check::status, Check::message).containsExactly(Check.Status.SKIP,
                        "not judged: the chart refuses ai-inference:numParallel (see chart-accepts-values)");
    }

    private static Check gpuFit(Settings s) {
        return StackRules.check(s, DevStack.projectDir()).stream().filter(c -> c.name().equals("gpu-memory-fits"))
                .findFirst().orElseThrow();
    }

    @Test
    void releasesCompareAsNumbers() {
        assertThat(PolicyRules.compareRelease("0.17.10", "0.17.1")).isPositive();
        assertThat(PolicyRules.compareRelease("1.0.0", "0.17.1")).isPositive();
        assertThat(PolicyRules.compareRelease("9.37.0", "9.37.0")).isZero();
    }

    @Test
    void withoutTheGatewayThePodOnlyNeedsOllamasResources() {
        Settings s = DevStack.settings("cpuRequest", "11.5", "memoryLimit", "42.8Gi", "memoryRequest", "40Gi",
                "gatewayEnabled", "false", "serviceType", "ClusterIP", "loadBalancerSourceRanges", "[]");
        List<Check> checks = PolicyRules.check(s, new PolicyRules.ChartVerdict(Optional.empty(), Set.of()));
        assertThat(checks).filteredOn(Check::failed).isEmpty();
        assertThat(checks).filteredOn(c -> c.name().equals("cpu-request-fits-node")).extracting(Check::message)
                .containsExactly("cpuRequest 11.5 fits the 11.9 CPU allocatable on g2-standard-12 less 200m for DaemonSets (11.7)");
    }

    @Test
    void theDevStackPassesWithTheGatewayCounted() {
        assertThat(PolicyRules.check(DevStack.settings(), new PolicyRules.ChartVerdict(GATEWAY, Set.of()))).filteredOn(c -> c.name().equals("cpu-request-fits-node"))
                .extracting(Check::message)
                .containsExactly("cpuRequest 8 + gateway 500m fits the 11.9 CPU allocatable on g2-standard-12 less 200m for DaemonSets (11.7)");
    }
}
