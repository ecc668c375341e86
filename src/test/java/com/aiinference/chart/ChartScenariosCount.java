package com.aiinference.chart;

import java.util.regex.Pattern;

/** Occurrences of a literal in a text. */
final class ChartScenariosCount {
    private ChartScenariosCount() {
    }

    static int of(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }
}
