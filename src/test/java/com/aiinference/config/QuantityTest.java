package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest
    @CsvSource({
        "40Gi, 42949672960",
        "512Mi, 536870912",
        "1G, 1000000000",
        "8, 8",
        "500m, 0.5",
        "1.5Gi, 1610612736",
    })
    void parsesKubernetesForms(String text, String value) {
        assertThat(Quantity.parse(text).orElseThrow().value()).isEqualByComparingTo(new BigDecimal(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"40GB", "40 Gi", "Gi", "-1Gi", "40gi", "", "4e3"})
    void refusesWhatKubernetesWouldNotTakeOrPeopleDoNotMean(String text) {
        assertThat(Quantity.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"10.10.0.0/20, true", "10.10.0.1/20, false", "300.0.0.0/8, false", "10.0.0.0/33, false", "0.0.0.0/0, true", "10.0.0.0, false"})
    void cidrsNeedZeroHostBits(String text, boolean valid) {
        assertThat(Cidr.parse(text).isPresent()).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({"1.32.2-gke.1652000, 0", "1.32.2-gke.1651999, -1", "1.33.0-gke.100, 1", "1.31.9-gke.9999999, -1"})
    void gkeVersionsOrderByBuildNumberLast(String text, int sign) {
        assertThat(Integer.signum(GkeVersion.parse(text).orElseThrow().compareTo(GkeVersion.DWS_MINIMUM))).isEqualTo(sign);
    }
}
