package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.chart.ChartRenderer;
import com.aiinference.config.DevStack;
import com.aiinference.core.Check;
import com.aiinference.config.PolicyRules;
import com.aiinference.config.Settings;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's install-time rules mirrored in {@link PolicyRules}: for each config, the real chart (Helm through
 * helm-java) and the stack's rules agree, so nothing the stack accepts fails at the Helm release and nothing it
 * refuses would have installed.
 */
class ChartRuleMirrorTest {

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of(List.of("hpaPinned", "false", "hpaMinReplicas", "5"), "dws-fixed-replicas"),
                Arguments.of(List.of("hpaPinned", "false", "hpaMinReplicas", "8", "hpaMaxReplicas", "8"), "hpa-bounds"),
                Arguments.of(List.of("gatewayEnabled", "false"), "gateway"),
                Arguments.of(List.of("gatewayEnabled", "false", "internalLoadBalancer", "true", "apiKeysSecret", "my-keys"), "gateway"),
                Arguments.of(List.of("serviceType", "ClusterIP"), "service-options"),
                Arguments.of(List.of("serviceType", "ClusterIP", "loadBalancerSourceRanges", "[]", "internalLoadBalancer", "true"), "service-options"),
                Arguments.of(List.of("internalLoadBalancer", "true", "allowPublicAccess", "true"), "service-options"),
                Arguments.of(List.of("imageTag", "0.17.0"), "ollama-image-version"),
                Arguments.of(List.of("hpaEnabled", "false", "hpaMinReplicas", "1"), ""),
                Arguments.of(List.of("gatewayEnabled", "false", "internalLoadBalancer", "true"), ""),
                Arguments.of(List.of("serviceType", "ClusterIP", "loadBalancerSourceRanges", "[]"), ""),
                Arguments.of(List.of("keepAlive", "1h30m", "imageTag", "0.17.1"), ""),
                Arguments.of(List.of("gpuProvisioning", "on-demand", "hpaPinned", "false", "hpaMinReplicas", "5"), ""));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("configs")
    void theChartAndTheRulesAgree(List<String> overrides, String failingRule) {
        Settings s = DevStack.settings(overrides.toArray(String[]::new));
        List<String> failed = PolicyRules.check(s).stream().filter(Check::failed).map(Check::name).toList();
        var render = (Runnable) () -> ChartRenderer.projectChart()
                .template(s.workload().releaseName(), s.workload().namespace(), ChartValues.of(s, s.gpuPool().name()));
        if (failingRule.isEmpty()) {
            assertThat(failed).isEmpty();
            render.run();
        } else {
            assertThat(failed).containsExactly(failingRule);
            assertThatThrownBy(render::run).as("the chart refuses it too").isNotNull();
        }
    }
}
