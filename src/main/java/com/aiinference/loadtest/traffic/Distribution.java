package com.aiinference.loadtest.traffic;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A value drawn per request, session or pause: {@code 128} (fixed), {@code uniform:64:256} (every value between,
 * ends included), or {@code normal:200:50:min=50:max=400} (mean, standard deviation, optional bounds the draw is
 * clamped to). Values are numbers of a unit the option gives (tokens, turns, milliseconds).
 */
public sealed interface Distribution {

    /** One draw, never below {@link #min()}. */
    double sample(RandomGenerator random);

    double mean();

    /** The smallest value a draw can take. */
    double min();

    /** The distribution as it was written. */
    String describe();

    /** Always the same value. */
    record Fixed(double value, String describe) implements Distribution {
        @Override
        public double sample(RandomGenerator random) {
            return value;
        }

        @Override
        public double mean() {
            return value;
        }

        @Override
        public double min() {
            return value;
        }
    }

    /** Every value from {@code low} to {@code high} alike. */
    record Uniform(double low, double high, String describe) implements Distribution {
        @Override
        public double sample(RandomGenerator random) {
            return low == high ? low : low + random.nextDouble() * (high - low);
        }

        @Override
        public double mean() {
            return (low + high) / 2;
        }

        @Override
        public double min() {
            return low;
        }
    }

    /** Normal, clamped to [{@code low}, {@code high}]. */
    record Normal(double mean, double stddev, double low, double high, String describe) implements Distribution {
        @Override
        public double sample(RandomGenerator random) {
            return Math.max(low, Math.min(high, mean + stddev * random.nextGaussian()));
        }

        @Override
        public double min() {
            return low;
        }
    }

    /** How the option's numbers are read: a name for messages, and the parse of one value. */
    interface Unit {
        /** The value of {@code text}, or an {@link IllegalArgumentException} saying why not. */
        double parse(String text);

        /** Whole numbers of anything (tokens, turns). */
        Unit COUNT = text -> {
            if (!text.matches("\\d+")) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            return Double.parseDouble(text);
        };

        /** Durations in milliseconds: {@code 500ms}, {@code 2s}, {@code 1.5m}; a bare number is seconds. */
        Unit MILLIS = text -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?").matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (500ms, 2s, 1m)");
            }
            double v = Double.parseDouble(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> v;
                case "m" -> v * 60_000;
                default -> v * 1000;
            };
        };
    }

    /**
     * Parses {@code text} for {@code option}; a bad one is an {@link IllegalArgumentException} naming the option, the
     * text and the syntax.
     */
    static Distribution parse(String option, String text, Unit unit) {
        String syntax = " (a value like 128, uniform:LOW:HIGH, or normal:MEAN:STDDEV[:min=X][:max=Y])";
        String t = text.strip().toLowerCase(Locale.ROOT);
        String[] parts = t.split(":");
        try {
            switch (parts[0]) {
                case "uniform" -> {
                    if (parts.length != 3) {
                        throw new IllegalArgumentException("uniform takes LOW:HIGH");
                    }
                    double low = unit.parse(parts[1]);
                    double high = unit.parse(parts[2]);
                    if (low > high) {
                        throw new IllegalArgumentException("LOW " + parts[1] + " is above HIGH " + parts[2]);
                    }
                    return new Uniform(low, high, t);
                }
                case "normal" -> {
                    if (parts.length < 3 || parts.length > 5) {
                        throw new IllegalArgumentException("normal takes MEAN:STDDEV and optional min=X, max=Y");
                    }
                    double mean = unit.parse(parts[1]);
                    double sd = unit.parse(parts[2]);
                    double low = 0;
                    double high = Double.MAX_VALUE;
                    for (int i = 3; i < parts.length; i++) {
                        if (parts[i].startsWith("min=")) {
                            low = unit.parse(parts[i].substring(4));
                        } else if (parts[i].startsWith("max=")) {
                            high = unit.parse(parts[i].substring(4));
                        } else {
                            throw new IllegalArgumentException("'" + parts[i] + "' is neither min=X nor max=Y");
                        }
                    }
                    if (low > high) {
                        throw new IllegalArgumentException("min is above max");
                    }
                    return new Normal(mean, sd, low, high, t);
                }
                default -> {
                    if (parts.length != 1) {
                        throw new IllegalArgumentException("unknown distribution '" + parts[0] + "'");
                    }
                    return new Fixed(unit.parse(t), t);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + text + "': " + e.getMessage() + syntax);
        }
    }
}
