package com.aiinference.loadtest.engine;

import org.HdrHistogram.Histogram;

/**
 * Mean and percentiles of one metric, in milliseconds ({@code NaN} when nothing was recorded).
 *
 * @param count how many values were recorded
 */
public record LatencySummary(long count, double mean, double p50, double p90, double p95, double p99, double max) {

    public static final LatencySummary EMPTY =
            new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** From a histogram of microseconds. */
    public static LatencySummary ofMicros(Histogram h) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(h.getTotalCount(), h.getMean() / 1000.0, ms(h, 50), ms(h, 90), ms(h, 95),
                ms(h, 99), h.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The named statistic: mean, p50, p90, p95, p99 or max. */
    public double get(String stat) {
        return switch (stat) {
            case "mean" -> mean;
            case "p50" -> p50;
            case "p90" -> p90;
            case "p95" -> p95;
            case "p99" -> p99;
            case "max" -> max;
            default -> throw new IllegalArgumentException("unknown statistic " + stat);
        };
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return count == 0;
    }
}
