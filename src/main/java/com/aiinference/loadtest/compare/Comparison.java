package com.aiinference.loadtest.compare;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.sweep.SweepResult;
import com.aiinference.loadtest.sweep.SweepStep;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two runs (or two sweeps) side by side: every figure of the base and the new report with its change, and the
 * regressions beyond the {@code --fail-if} thresholds. One model read by the text, JSON and HTML writers
 * ({@link ComparisonReport}).
 *
 * @param kind        {@code run} (two loadtest/verify reports) or {@code sweep} (two sweep reports)
 * @param base        the base report's file
 * @param next        the new report's file
 * @param figures     runs: every figure; sweeps: empty
 * @param steps       sweeps: the steps side by side by load; runs: empty
 * @param knees       sweeps: the two knees; runs: null
 * @param thresholds  the {@code --fail-if} thresholds as written
 * @param regressions one line per figure beyond its threshold; empty when none
 */
@JsonPropertyOrder({"kind", "base", "new", "figures", "steps", "knees", "thresholds", "regressions"})
public record Comparison(
        String kind,
        String base,
        @com.fasterxml.jackson.annotation.JsonProperty("new") String next,
        List<Figure> figures,
        List<StepPair> steps,
        Knees knees,
        List<String> thresholds,
        List<String> regressions) {

    /** A threshold: {@code p95+10%} (fails when p95 rises by more than 10%), {@code throughput-5%} (falls by more). */
    public record Threshold(String text, String figure, boolean rise, double percent) {
        /** Whether {@code change} (a fraction: 0.12 is +12%) goes beyond this threshold. */
        boolean exceeded(double change) {
            return rise ? change > percent / 100 + 1e-12 : change < -percent / 100 - 1e-12;
        }
    }

    /**
     * One figure of both reports.
     *
     * @param name      the figure as {@code --fail-if} and {@code --slo} name it ({@code p95}, {@code ttft_p95}, {@code rps})
     * @param unit      {@code millis}, {@code fraction} or {@code per_second}
     * @param baseValue in the figure's unit (milliseconds, a fraction, per second); null when no data
     * @param newValue  the same for the new report
     * @param change    (new - base) / base; null when either has no data or the base is 0
     * @param threshold the threshold applied to it, or null
     * @param regressed whether it went beyond its threshold (or lost its data)
     */
    @JsonPropertyOrder({"name", "unit", "base_value", "new_value", "change", "threshold", "regressed"})
    public record Figure(String name, Slo.Unit unit, double baseValue, double newValue, double change,
                         String threshold, boolean regressed) {}

    /**
     * One load of a sweep comparison: the base step and the new step at it (either null when only one ran it); in JSON
     * each in its sweep report's own step shape ({@link SweepStep}, judged on its own sweep's SLO).
     */
    @JsonPropertyOrder({"load", "base_step", "new_step", "figures", "regressed"})
    public record StepPair(double load, @JsonProperty("base_step") SweepStep base,
                           @JsonProperty("new_step") SweepStep next, List<Figure> figures, boolean regressed) {}

    /** The two knees (null where a sweep has none) and the load they are measured in. */
    public record Knees(String loadKey, Double base, @com.fasterxml.jackson.annotation.JsonProperty("new") Double next,
                        String baseSlo, String newSlo) {}

    /** Figures every run and every sweep step has: their names are {@link Slo}'s metric names. */
    public static final Map<String, Slo.Unit> FIGURES = figureUnits();
    private static final Pattern THRESHOLD = Pattern.compile("\\s*([a-z0-9_]+)\\s*([+-])\\s*([0-9]+(?:\\.[0-9]+)?)\\s*%\\s*");
    /** {@code throughput} is the figure the issue names for requests per second ({@code rps}). */
    private static final String THROUGHPUT = "throughput";
    private static final String KNEE = "knee";

    private static Map<String, Slo.Unit> figureUnits() {
        Map<String, Slo.Unit> m = new LinkedHashMap<>();
        m.put("success", Slo.Unit.FRACTION);
        m.put("error_rate", Slo.Unit.FRACTION);
        m.put("rps", Slo.Unit.PER_SECOND);
        m.put("tokens_per_s", Slo.Unit.PER_SECOND);
        for (String prefix : List.of("", "ttft_", "itl_", "tpot_")) {
            for (String stat : List.of("mean", "p50", "p90", "p95", "p99", "max")) {
                m.put(prefix + stat, Slo.Unit.MILLIS);
            }
        }
        return m;
    }

    /**
     * Parses {@code --fail-if}: thresholds separated by commas, each {@code FIGURE+N%} or {@code FIGURE-N%}. An
     * unknown figure or a malformed threshold is an {@link CompareInputException} naming it.
     */
    public static List<Threshold> parse(String text, boolean sweep) {
        List<Threshold> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Matcher m = THRESHOLD.matcher(part.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new CompareInputException("--fail-if threshold '" + part.trim() + "' must look like FIGURE+N% or"
                        + " FIGURE-N%, e.g. p95+10%, ttft_p95+20%, throughput-5%");
            }
            String figure = m.group(1);
            boolean known = FIGURES.containsKey(figure) || figure.equals(THROUGHPUT) || (sweep && figure.equals(KNEE));
            if (!known) {
                throw new CompareInputException("--fail-if threshold '" + part.trim() + "': " + (figure.equals(KNEE)
                        ? "knee is a sweep's figure; these are run reports"
                        : "no figure '" + figure + "' (" + String.join(", ", FIGURES.keySet()) + ", throughput"
                                + (sweep ? ", knee" : "") + ")"));
            }
            out.add(new Threshold(part.trim(), figure.equals(THROUGHPUT) ? "rps" : figure, m.group(2).equals("+"),
                    Double.parseDouble(m.group(3))));
        }
        return out;
    }

    /** Two runs: every figure side by side, each judged on its threshold (if one names it). */
    public static Comparison ofRuns(ReportedRun base, ReportedRun next, List<Threshold> thresholds) {
        List<Figure> figures = figures(base, next, thresholds);
        List<String> regressions = new ArrayList<>();
        for (Figure f : figures) {
            if (f.regressed()) {
                regressions.add(describe(f));
            }
        }
        return new Comparison("run", base.source(), next.source(), figures, List.of(), null,
                thresholds.stream().map(Threshold::text).toList(), regressions);
    }

    /** Two sweeps: steps side by side by load (the thresholds applied at every load both ran), and the knees. */
    public static Comparison ofSweeps(String baseFile, SweepResult base, String newFile, SweepResult next,
                                      List<Threshold> thresholds) {
        if (!base.loadKey().equals(next.loadKey())) {
            throw new CompareInputException(newFile + " steps " + next.loadKey() + " but " + baseFile + " steps "
                    + base.loadKey() + ": sweeps of different load shapes cannot be compared step by step");
        }
        TreeMap<Double, SweepStep[]> byLoad = new TreeMap<>();
        for (SweepStep s : base.steps()) {
            byLoad.computeIfAbsent(s.load(), k -> new SweepStep[2])[0] = s;
        }
        for (SweepStep s : next.steps()) {
            byLoad.computeIfAbsent(s.load(), k -> new SweepStep[2])[1] = s;
        }
        List<StepPair> steps = new ArrayList<>();
        List<String> regressions = new ArrayList<>();
        for (var e : byLoad.entrySet()) {
            SweepStep b = e.getValue()[0];
            SweepStep n = e.getValue()[1];
            List<Figure> figures = b == null || n == null ? List.of() : figures(b, n, thresholds);
            boolean regressed = false;
            for (Figure f : figures) {
                if (f.regressed()) {
                    regressed = true;
                    regressions.add("at " + base.loadKey() + " " + base.loadText(e.getKey()) + ": " + describe(f));
                }
            }
            steps.add(new StepPair(e.getKey(), b, n, figures, regressed));
        }
        Double baseKnee = base.knee().map(SweepStep::load).orElse(null);
        Double newKnee = next.knee().map(SweepStep::load).orElse(null);
        for (Threshold t : thresholds) {
            if (t.figure().equals(KNEE) && baseKnee != null) {
                double change = newKnee == null ? -1 : (newKnee - baseKnee) / baseKnee;
                if (t.exceeded(change)) {
                    regressions.add("knee " + base.loadKey() + " " + base.loadText(baseKnee) + " -> "
                            + (newKnee == null ? "none" : base.loadText(newKnee)) + " (" + percent(change)
                            + ", limit " + t.text() + ")");
                }
            }
        }
        return new Comparison("sweep", baseFile, newFile, List.of(), steps,
                new Knees(base.loadKey(), baseKnee, newKnee, base.slo().toString(), next.slo().toString()),
                thresholds.stream().map(Threshold::text).toList(), regressions);
    }

    private static List<Figure> figures(Slo.Measured base, Slo.Measured next, List<Threshold> thresholds) {
        List<Figure> out = new ArrayList<>();
        for (var e : FIGURES.entrySet()) {
            Slo.Objective read = new Slo.Objective(e.getKey(), e.getKey(), "<", 0, e.getValue());
            double b = Slo.actual(read, base);
            double n = Slo.actual(read, next);
            double change = Double.isNaN(b) || Double.isNaN(n) || b == 0 ? Double.NaN : (n - b) / b;
            Optional<Threshold> t = thresholds.stream().filter(x -> x.figure().equals(e.getKey())).findFirst();
            boolean regressed = t.isPresent() && (Double.isNaN(n) && !Double.isNaN(b)
                    || !Double.isNaN(change) && t.get().exceeded(change));
            out.add(new Figure(e.getKey(), e.getValue(), b, n, change, t.map(Threshold::text).orElse(null), regressed));
        }
        return out;
    }

    private static String describe(Figure f) {
        return f.name() + " " + value(f.unit(), f.baseValue()) + " -> " + value(f.unit(), f.newValue()) + " ("
                + (Double.isNaN(f.change()) ? "no data" : percent(f.change())) + ", limit " + f.threshold() + ")";
    }

    /** A change as a signed percentage: {@code +12.5%}, {@code -3%}. */
    static String percent(double change) {
        if (Double.isNaN(change)) {
            return "n/a";
        }
        String p = String.format(Locale.ROOT, "%+.1f", change * 100);
        return (p.endsWith(".0") ? p.substring(0, p.length() - 2) : p) + "%";
    }

    /** A figure's value as the reports print it. */
    static String value(Slo.Unit unit, double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return switch (unit) {
            case FRACTION -> Format.share(v);
            case MILLIS -> Format.millis(v);
            case PER_SECOND -> Format.number(v) + "/s";
        };
    }

    /**
     * A run comparison as checks (verify's {@code baseline} group): one per figure a threshold names, failed when it
     * regressed; without thresholds the headline figures (success, rps, p95, ttft_p95), shown and not judged.
     */
    public List<com.aiinference.core.Check> checks() {
        List<com.aiinference.core.Check> out = new ArrayList<>();
        for (Figure f : figures) {
            String change = value(f.unit(), f.baseValue()) + " -> " + value(f.unit(), f.newValue()) + " ("
                    + (Double.isNaN(f.change()) ? "no data" : percent(f.change())) + ")";
            if (f.threshold() != null) {
                out.add(com.aiinference.core.Check.of(f.threshold(), !f.regressed(), change, change));
            } else if (thresholds.isEmpty() && List.of("success", "rps", "p95", "ttft_p95").contains(f.name())) {
                out.add(com.aiinference.core.Check.skip(f.name(), change + "; no --fail-if threshold"));
            }
        }
        return out;
    }

    @JsonIgnore
    public boolean regressed() {
        return !regressions.isEmpty();
    }
}
