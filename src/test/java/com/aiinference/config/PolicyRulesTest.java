package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.core.Check;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Rules whose inputs live outside the stack's config: the chart's gateway defaults. */
class PolicyRulesTest {

    @Test
    @SuppressWarnings("unchecked")
    void gatewayResourcesAreTheChartDefaults() throws IOException {
        Map<String, Object> values;
        try (Reader r = Files.newBufferedReader(DevStack.projectDir().resolve("charts/ai-inference/values.yaml"))) {
            values = new Yaml().load(r);
        }
        var res = (Map<String, Map<String, Object>>) ((Map<String, Object>) values.get("gateway")).get("resources");
        assertThat(Quantity.parse(String.valueOf(res.get("requests").get("cpu"))).orElseThrow().value())
                .isEqualByComparingTo(PolicyRules.GATEWAY_CPU.value());
        assertThat(Quantity.parse(String.valueOf(res.get("limits").get("cpu"))).orElseThrow().value())
                .isEqualByComparingTo(PolicyRules.GATEWAY_CPU.value());
        assertThat(Quantity.parse(String.valueOf(res.get("requests").get("memory"))).orElseThrow().value())
                .isEqualByComparingTo(PolicyRules.GATEWAY_MEMORY_REQUEST.value());
        assertThat(Quantity.parse(String.valueOf(res.get("limits").get("memory"))).orElseThrow().value())
                .isEqualByComparingTo(PolicyRules.GATEWAY_MEMORY_LIMIT.value());
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
        List<Check> checks = PolicyRules.check(s);
        assertThat(checks).filteredOn(Check::failed).isEmpty();
        assertThat(checks).filteredOn(c -> c.name().equals("cpu-request-fits-node")).extracting(Check::message)
                .containsExactly("cpuRequest 11.5 fits the 11.9 CPU allocatable on g2-standard-12 less 200m for DaemonSets (11.7)");
    }

    @Test
    void theDevStackPassesWithTheGatewayCounted() {
        assertThat(PolicyRules.check(DevStack.settings())).filteredOn(c -> c.name().equals("cpu-request-fits-node"))
                .extracting(Check::message)
                .containsExactly("cpuRequest 8 + gateway 500m fits the 11.9 CPU allocatable on g2-standard-12 less 200m for DaemonSets (11.7)");
    }
}
