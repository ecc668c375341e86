package com.aiinference.core;

import com.aiinference.report.ReportFiles;
import java.time.Duration;
import java.util.Locale;

/**
 * The one way each quantity is written in a report, whatever the writer (Markdown, HTML, stderr): a share, a
 * latency, a rate, a count. JSON carries the numbers themselves (see {@link ReportFiles#json()}).
 */
public final class Format {
    private Format() {}

    /**
     * A share: two decimals, rounded down so a failure never shows as 100%: {@code 100%}, {@code 99.99%} (for
     * 99.999%), {@code 88.88%}, {@code 0.00%}; {@code n/a} for NaN.
     */
    public static String share(double fraction) {
        if (Double.isNaN(fraction)) {
            return "n/a";
        }
        if (fraction >= 1.0) {
            return "100%";
        }
        // The epsilon keeps an exact share such as 29/100 (0.29 * 10000 = 2899.9999999999995) from dropping a digit.
        double hundredths = Math.floor(fraction * 10_000 + 1e-6);
        return String.format(Locale.ROOT, "%.2f%%", hundredths / 100);
    }

    /** A latency in milliseconds: {@code 0.42ms}, {@code 216ms}, {@code 2.83s}, {@code 65.2s}, {@code 2m05s}; {@code n/a} for NaN. */
    public static String millis(double ms) {
        if (Double.isNaN(ms)) {
            return "n/a";
        }
        if (ms < 10) {
            return trim(String.format(Locale.ROOT, "%.2f", ms)) + "ms";
        }
        if (ms < 1000) {
            return Math.round(ms) + "ms";
        }
        return duration(Duration.ofNanos(Math.round(ms * 1e6)));
    }

    /**
     * Two latencies that bound a range, with as many digits as the range's width needs for its ends to differ:
     * {@code 2.845s to 2.851s} where {@link #millis} would print {@code 2.85s to 2.85s}, {@code 57.2ms to 57.6ms}
     * where it would print {@code 57ms to 57ms}. The digits follow the width, so equal-width histogram bins all read
     * alike.
     */
    public static String millisRange(double fromMs, double toMs) {
        double width = Math.abs(toMs - fromMs);
        boolean seconds = fromMs >= 1000;
        // Decimals millis() prints, in its unit (s above 1000 ms, 1 s steps from two minutes), and the width in that unit.
        int shown = seconds ? (fromMs >= 120_000 ? -1 : 2) : (fromMs < 10 ? 2 : 0);
        double unitWidth = seconds ? width / 1000 : width;
        int needed = width <= 0 ? shown : (int) Math.ceil(-Math.log10(unitWidth) - 1e-9);
        if (needed <= shown) {
            return millis(fromMs) + " to " + millis(toMs);
        }
        int decimals = Math.min(Math.max(needed, 0), 9);
        String f = "%." + decimals + (seconds ? "fs" : "fms");
        return String.format(Locale.ROOT, f, seconds ? fromMs / 1000 : fromMs) + " to "
                + String.format(Locale.ROOT, f, seconds ? toMs / 1000 : toMs);
    }

    /** A duration: {@code 850ms}, {@code 2.71s}, {@code 60s}, {@code 2m}, {@code 3m05s}, {@code 1h}. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        // Under two minutes in seconds (62.15s, not a truncated 1m02s); from there whole seconds are precise enough.
        if (ms < 120_000) {
            return trim(String.format(Locale.ROOT, "%.2f", ms / 1000.0)) + "s";
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return s % 60 == 0 ? (s / 60) + "m" : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        long m = (s % 3600) / 60;
        return m == 0 ? (s / 3600) + "h" : String.format(Locale.ROOT, "%dh%02dm", s / 3600, m);
    }

    /** Seconds as a duration ({@link #duration}). */
    public static String seconds(double s) {
        return Double.isNaN(s) ? "n/a" : duration(Duration.ofMillis(Math.round(s * 1000)));
    }

    /** A rate or other measured number: {@code 18.2}, {@code 1,234}; {@code n/a} for NaN. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A count: {@code 1,050}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 1 restart}, {@code 2 restarts}. */
    public static String plural(long n, String one, String many) {
        return count(n) + " " + (n == 1 ? one : many);
    }

    private static String trim(String decimal) {
        if (!decimal.contains(".")) {
            return decimal;
        }
        String s = decimal.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
