package com.aiinference.loadtest;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as people type them on a command line ({@code 60}, {@code 60s}, {@code 1.5s}, {@code 250ms}, {@code 2m}, {@code 1h}). */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private Durations() {}

    /** Parses a duration; a bare number is seconds (the seed's {@code --duration 60}). */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 60, 60s, 1.5s, 250ms, 2m, 1h)");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = switch (unit) {
            case "ms" -> value * 1e6;
            case "s" -> value * 1e9;
            case "m" -> value * 60e9;
            case "h" -> value * 3600e9;
            default -> throw new IllegalStateException(unit);
        };
        if (nanos > 365 * 24 * 3600e9) {
            throw new IllegalArgumentException("'" + text + "' is longer than a year");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** Short human form: {@code 850ms}, {@code 2.71s}, {@code 60s}, {@code 2m}, {@code 3m05s}, {@code 1h}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000 || (ms < 120_000 && ms % 1000 == 0)) {
            return trim(String.format(Locale.ROOT, "%.2f", ms / 1000.0)) + "s";
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return s % 60 == 0 ? (s / 60) + "m" : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        long m = (s % 3600) / 60;
        return m == 0 ? (s / 3600) + "h" : String.format(Locale.ROOT, "%dh%02dm", s / 3600, m);
    }

    /** Milliseconds as the short human form. */
    public static String formatMillis(double ms) {
        if (Double.isNaN(ms)) {
            return "n/a";
        }
        if (ms < 10) {
            return trim(String.format(Locale.ROOT, "%.2f", ms)) + "ms";
        }
        if (ms < 1000) {
            return Math.round(ms) + "ms";
        }
        return format(Duration.ofNanos(Math.round(ms * 1e6)));
    }

    private static String trim(String decimal) {
        if (!decimal.contains(".")) {
            return decimal;
        }
        String s = decimal.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** picocli converter for {@link Duration} options. */
    public static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for fractions given as {@code 0.05} or {@code 5%}. */
    public static final class FractionConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            double f;
            try {
                f = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100.0
                        : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a fraction (examples: 0.05, 5%)");
            }
            if (!(f >= 0 && f <= 1)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not between 0 and 1 (0% and 100%)");
            }
            return f;
        }
    }
}
