package com.aiinference.loadtest.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

class DistributionTest {
    private static Distribution tokens(String text) {
        return Distribution.parse("--input-tokens", text, Distribution.Unit.COUNT);
    }

    @Test
    void fixedUniformAndBoundedNormalDrawWithinTheirRange() {
        SplittableRandom r = new SplittableRandom(7);
        assertThat(tokens("128").sample(r)).isEqualTo(128);
        Distribution u = tokens("uniform:64:256");
        assertThat(DoubleStream.generate(() -> u.sample(r)).limit(2000)).allMatch(v -> v >= 64 && v <= 256);
        assertThat(u.mean()).isEqualTo(160);
        Distribution n = tokens("normal:200:50:min=150:max=260");
        double[] draws = DoubleStream.generate(() -> n.sample(r)).limit(5000).toArray();
        assertThat(DoubleStream.of(draws)).allMatch(v -> v >= 150 && v <= 260);
        assertThat(DoubleStream.of(draws).filter(v -> v == 150).count()).as("clamped at min").isPositive();
        assertThat(n.describe()).isEqualTo("normal:200:50:min=150:max=260");
    }

    @Test
    void theSameSeedDrawsTheSameValues() {
        Distribution n = tokens("normal:200:50");
        SplittableRandom a = new SplittableRandom(3);
        SplittableRandom b = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            assertThat(n.sample(a)).isEqualTo(n.sample(b));
        }
    }

    @Test
    void durationsAreMilliseconds() {
        assertThat(Distribution.parse("--think-time", "2s", Distribution.Unit.MILLIS).mean()).isEqualTo(2000);
        assertThat(Distribution.parse("--think-time", "uniform:500ms:1.5s", Distribution.Unit.MILLIS).mean()).isEqualTo(1000);
        assertThat(Distribution.parse("--think-time", "normal:3s:1s:min=0s", Distribution.Unit.MILLIS).min()).isZero();
    }

    @Test
    void badTextNamesTheOptionAndTheSyntax() {
        String syntax = " (a value like 128, uniform:LOW:HIGH, or normal:MEAN:STDDEV[:min=X][:max=Y])";
        assertThatThrownBy(() -> tokens("uniform:300:100"))
                .hasMessage("--input-tokens 'uniform:300:100': LOW 300 is above HIGH 100" + syntax);
        assertThatThrownBy(() -> tokens("normal:200")).hasMessage("--input-tokens 'normal:200': normal takes MEAN:STDDEV"
                + " and optional min=X, max=Y" + syntax);
        assertThatThrownBy(() -> tokens("zipf:1:2")).hasMessage("--input-tokens 'zipf:1:2': unknown distribution 'zipf'" + syntax);
        assertThatThrownBy(() -> tokens("12.5")).hasMessage("--input-tokens '12.5': '12.5' is not a whole number" + syntax);
        assertThatThrownBy(() -> tokens("normal:200:50:low=3"))
                .hasMessage("--input-tokens 'normal:200:50:low=3': 'low=3' is neither min=X nor max=Y" + syntax);
        assertThatThrownBy(() -> Distribution.parse("--think-time", "soon", Distribution.Unit.MILLIS))
                .hasMessage("--think-time 'soon': 'soon' is not a duration (500ms, 2s, 1m)" + syntax);
    }
}
