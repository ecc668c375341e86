package com.aiinference.chart.archfixture;

import com.aiinference.config.Settings;

/** Breaks the layers on purpose (test sources only): the chart's contract reaching for the stack's settings. */
public final class ChartThatKnowsTheConfig {
    private ChartThatKnowsTheConfig() {}

    public static boolean vllm(Settings s) {
        return s.engine().isVllm();
    }
}
