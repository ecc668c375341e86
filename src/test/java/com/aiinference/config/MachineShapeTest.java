package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MachineShapeTest {

    private static double gib(java.math.BigDecimal bytes) {
        return bytes.doubleValue() / (1L << 30);
    }

    @Test
    void g2Standard12LeavesAbout43_4GiBAllocatable() {
        MachineShape m = MachineShape.byName("g2-standard-12").orElseThrow();
        // 48 GiB: 25% of 4 + 20% of 4 + 10% of 8 + 6% of 32 = 4.52 GiB reserved, plus the 100 MiB eviction threshold.
        assertThat(gib(m.allocatableMemoryBytes())).isCloseTo(48 - 4.52 - 100.0 / 1024, within(1e-9));
        assertThat(Quantity.formatGiB(m.allocatableMemoryBytes())).isEqualTo("43.4Gi");
        assertThat(m.acceleratorType()).isEqualTo("nvidia-l4");
        assertThat(m.acceleratorCount()).isEqualTo(1);
    }

    @Test
    void sixteenGiBFillsTheFirstThreeBandsExactly() {
        MachineShape m = MachineShape.byName("g2-standard-4").orElseThrow();
        double reserved = 0.25 * 4 + 0.20 * 4 + 0.10 * 8;
        assertThat(gib(m.allocatableMemoryBytes())).isCloseTo(16 - reserved - 100.0 / 1024, within(1e-9));
    }

    @Test
    void largeMachinesReserveTwoPercentAbove128GiB() {
        MachineShape m = MachineShape.byName("g2-standard-48").orElseThrow(); // 192 GiB, 4 x L4
        double reserved = 1 + 0.8 + 0.8 + 0.06 * 112 + 0.02 * 64;
        assertThat(gib(m.allocatableMemoryBytes())).isCloseTo(192 - reserved - 100.0 / 1024, within(1e-9));
        assertThat(m.acceleratorCount()).isEqualTo(4);
    }

    @Test
    void cpuReservationFollowsGkeTable() {
        // 12 cores: 6% of 1 + 1% of 1 + 0.5% of 2 + 0.25% of 8 = 0.1 core reserved.
        assertThat(MachineShape.byName("g2-standard-12").orElseThrow().allocatableCpu().doubleValue())
                .isCloseTo(11.9, within(1e-9));
    }

    @Test
    void generalPurposeShapesHaveNoGpus() {
        assertThat(MachineShape.byName("e2-standard-4").orElseThrow().hasGpus()).isFalse();
        assertThat(MachineShape.byName("g2-standard-13")).isEmpty();
    }
}
