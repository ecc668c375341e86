package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.config.DevStack;
import org.junit.jupiter.api.Test;

/** The plan's cost line: prices.yaml's list prices times what the stack runs. */
class CostEstimateTest {

    @Test
    void theDevStackCostsPerHourAndPerQueuedRun() {
        var cost = CostEstimate.of(DevStack.settings());
        // 10 x g2-standard-12 at $1.00044 = $10.0044; 10 x 200 GB x $0.10/730 h = $0.274; 3 x (e2-standard-4 $0.134012
        // + 100 GB disk $0.0137) = $0.443; GKE $0.10: $10.82 per hour, $0.54 without GPU nodes.
        assertThat(cost.heading()).startsWith("Cost (on-demand list prices in USD from prices.yaml, as of 2025 list prices, not re-read live; check the Pricing Calculator; ");
        assertThat(cost.lines().get(0)).isEqualTo("while the GPU nodes run  $10.82/h: 10 x g2-standard-12 $10.00 + their "
                + "200 GB pd-balanced disks $0.27 + system pool 3 x e2-standard-4 $0.44 + GKE fee $0.10");
        assertThat(cost.lines().get(1)).startsWith("without GPU nodes        $0.54/h");
        assertThat(cost.lines().get(2)).isEqualTo("for dwsMaxRunDurationSeconds 604800 (168 h)  1,680 GPU node-hours: "
                + "$1,726.77 for the GPU nodes, $1,818.01 with the rest");
        assertThat(cost.lines()).anyMatch(l -> l.startsWith("gpuProvisioning queued bills flex-start VMs below"));
        assertThat(cost.json()).containsEntry("perHourWithGpuNodes", 10.82).containsEntry("runHours", 168.0);
    }

    @Test
    void aShorterRunCostsLessAndAnUnknownRegionSaysSo() {
        assertThat(CostEstimate.of(DevStack.settings("dwsMaxRunDurationSeconds", "86400")).lines().get(2))
                .startsWith("for dwsMaxRunDurationSeconds 86400 (24 h)  240 GPU node-hours: $246.68 for the GPU nodes");
        var elsewhere = CostEstimate.of(DevStack.settings("region", "europe-west4", "gpuZones", "[\"europe-west4-a\"]"));
        assertThat(elsewhere.lines()).containsExactly(
                "no list price for region europe-west4 in prices.yaml (as of 2025 list prices, not re-read live; check the Pricing Calculator); see the Google Cloud Pricing Calculator");
        assertThat(elsewhere.json()).containsEntry("perHourWithGpuNodes", null);
    }
}
