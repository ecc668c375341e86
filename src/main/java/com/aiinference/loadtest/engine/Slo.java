package com.aiinference.loadtest.engine;

import com.aiinference.core.Check;
import com.aiinference.core.Format;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Service-level objectives a run must meet, such as {@code success>=99.9%,p95<5s,ttft_p95<1s}.
 *
 * <p>Grammar: objectives separated by commas, each {@code METRIC OP VALUE} with OP one of
 * {@code < <= > >=}. RunRecorder:
 * <ul>
 *   <li>{@code success} (share of requests that succeeded) and {@code error_rate}: {@code 99.9%} or {@code 0.999};</li>
 *   <li>{@code mean p50 p90 p95 p99 max} (end-to-end latency), the same prefixed {@code latency_}, {@code ttft_},
 *       {@code itl_}, {@code tpot_}: a duration with its unit ({@code 800ms}, {@code 5s}, {@code 1m});</li>
 *   <li>{@code rps} (requests/s) and {@code tokens_per_s} (output tokens/s): a number.</li>
 * </ul>
 */
public final class Slo {
    public static final Slo NONE = new Slo("", List.of());

    private static final Pattern OBJECTIVE = Pattern.compile("\\s*([a-z0-9_]+)\\s*(<=|>=|<|>)\\s*([0-9.]+)\\s*(%|ms|s|m)?\\s*");
    private static final List<String> STATS = List.of("mean", "p50", "p90", "p95", "p99", "max");

    private final String text;
    private final List<Objective> objectives;

    private Slo(String text, List<Objective> objectives) {
        this.text = text;
        this.objectives = List.copyOf(objectives);
    }

    /** One objective. {@code threshold} is in the metric's unit: a fraction, milliseconds, or per second. */
    public record Objective(String text, String metric, String op, double threshold, Unit unit) {
        boolean holds(double actual) {
            if (Double.isNaN(actual)) {
                return false;
            }
            return switch (op) {
                case "<" -> actual < threshold;
                case "<=" -> actual <= threshold;
                case ">" -> actual > threshold;
                case ">=" -> actual >= threshold;
                default -> throw new IllegalStateException(op);
            };
        }
    }

    /** What a metric is measured in. */
    public enum Unit { FRACTION, MILLIS, PER_SECOND }

    /** The measured value as the objective states it, e.g. {@code 99.95%}, {@code 2.71s}, {@code 18.2/s}. */
    static String measured(Objective objective, double actual) {
        if (Double.isNaN(actual)) {
            return "no data";
        }
        return switch (objective.unit()) {
            case FRACTION -> Format.share(actual);
            case MILLIS -> Format.millis(actual);
            case PER_SECOND -> String.format(Locale.ROOT, "%.1f/s", actual);
        };
    }

    /** Parses the {@code --slo} text; an error names the objective that is wrong. */
    public static Slo parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<Objective> list = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Matcher m = OBJECTIVE.matcher(part.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("--slo objective '" + part.trim()
                        + "' must look like METRIC<VALUE, e.g. success>=99.9%, p95<5s, ttft_p95<800ms, rps>=10");
            }
            String metric = m.group(1);
            String op = m.group(2);
            double value;
            try {
                value = Double.parseDouble(m.group(3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--slo objective '" + part.trim() + "': '" + m.group(3) + "' is not a number");
            }
            String unit = m.group(4);
            list.add(objective(part.trim(), metric, op, m.group(3), value, unit));
        }
        if (list.isEmpty()) {
            return NONE;
        }
        return new Slo(text.trim(), list);
    }

    private static Objective objective(String text, String metric, String op, String number, double value, String unit) {
        switch (metric) {
            case "success", "error_rate" -> {
                double fraction;
                if ("%".equals(unit)) {
                    // Decimal shift, not division: 99.9 / 100.0 is 0.9990000000000001 and would fail 999 of 1000.
                    fraction = new BigDecimal(number).movePointLeft(2).doubleValue();
                } else if (unit == null) {
                    fraction = value;
                } else {
                    throw new IllegalArgumentException("--slo objective '" + text + "': " + metric
                            + " is a percentage (99.9%) or a fraction (0.999), not " + unit);
                }
                if (fraction > 1) {
                    throw new IllegalArgumentException("--slo objective '" + text + "': " + metric + " cannot exceed 100%");
                }
                return new Objective(text, metric, op, fraction, Unit.FRACTION);
            }
            case "rps", "tokens_per_s" -> {
                if (unit != null) {
                    throw new IllegalArgumentException("--slo objective '" + text + "': " + metric
                            + " is a plain number per second, without a unit");
                }
                return new Objective(text, metric, op, value, Unit.PER_SECOND);
            }
            default -> {
                String stat = statOf(metric);
                if (stat == null) {
                    throw new IllegalArgumentException("--slo objective '" + text + "': unknown metric '" + metric
                            + "' (success, error_rate, p50..p99, max, mean, ttft_p95, itl_p95, tpot_p95, rps, tokens_per_s)");
                }
                double ms;
                if (unit == null || "%".equals(unit)) {
                    throw new IllegalArgumentException("--slo objective '" + text + "': " + metric
                            + " needs a time unit (ms, s or m), e.g. " + metric + op + "5s");
                }
                ms = switch (unit) {
                    case "ms" -> value;
                    case "s" -> value * 1000;
                    case "m" -> value * 60_000;
                    default -> throw new IllegalStateException(unit);
                };
                return new Objective(text, metric, op, ms, Unit.MILLIS);
            }
        }
    }

    /** For a latency metric name, its statistic ({@code p95}), or null when it is not a latency metric. */
    private static String statOf(String metric) {
        String rest = metric;
        for (String prefix : List.of("latency_", "ttft_", "itl_", "tpot_")) {
            if (metric.startsWith(prefix)) {
                rest = metric.substring(prefix.length());
                break;
            }
        }
        return STATS.contains(rest) ? rest : null;
    }

    /**
     * What an objective can be checked against: one run ({@link LoadTestResult}), or one step of a sweep read back
     * from its JSON (a sweep step).
     */
    public interface Measured {
        /** Measured requests and their success share. */
        LoadTestResult.Requests requests();

        /** Steady-state rates. */
        LoadTestResult.Throughput throughput();

        LatencySummary latency();

        LatencySummary ttft();

        LatencySummary itl();

        LatencySummary tpot();
    }

    /** The measured value of an objective's metric in its unit ({@code NaN} when there is no data). */
    public static double actual(Objective o, Measured r) {
        return switch (o.metric()) {
            case "success" -> r.requests().total() == 0 ? Double.NaN : r.requests().successShare();
            case "error_rate" -> r.requests().total() == 0 ? Double.NaN : 1.0 - r.requests().successShare();
            case "rps" -> r.throughput().requestsPerS();
            case "tokens_per_s" -> r.throughput().outputTokensPerS();
            default -> {
                String m = o.metric();
                String stat = statOf(m);
                LatencySummary s;
                if (m.startsWith("ttft_")) {
                    s = r.ttft();
                } else if (m.startsWith("itl_")) {
                    s = r.itl();
                } else if (m.startsWith("tpot_")) {
                    s = r.tpot();
                } else {
                    s = r.latency();
                }
                yield s.get(stat);
            }
        };
    }

    /**
     * Checks every objective against a result: one {@link Check} per objective, named by the objective as written
     * ({@code p95<5s}), PASS when met, its message the measured value ({@code 2.71s}, or {@code no data}).
     */
    public List<Check> evaluate(Measured result) {
        List<Check> out = new ArrayList<>();
        for (Objective o : objectives) {
            double a = actual(o, result);
            String measured = measured(o, a);
            out.add(Check.of(o.text(), o.holds(a), measured, measured));
        }
        return out;
    }

    public List<Objective> objectives() {
        return objectives;
    }

    public boolean isEmpty() {
        return objectives.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }
}
