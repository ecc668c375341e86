package com.aiinference.loadtest.sweep;

import com.aiinference.core.Format;
import com.aiinference.report.ServerSignals;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The servers' signals over a whole sweep, with each step's window on their time line (seconds since the first step
 * started) and what the signals show in it; {@code kneeReading} says why the knee is where it is, from the step past
 * it (or the knee's own step when it was the last).
 *
 * @param server      the signals and the platform
 * @param steps       each step's window and reading
 * @param kneeReading one line on the first step past the knee (queue growing at the parallel limit, KV cache full,
 *                    preemptions), or null when no knee was found or the signals show no limit there
 */
@JsonPropertyOrder({"knee_reading", "steps", "server"})
public record SweepSignals(ServerSignals server, List<StepWindow> steps, String kneeReading) {
    public SweepSignals {
        steps = List.copyOf(steps);
    }

    /** One step's window and what the signals show in it. */
    public record StepWindow(double load, double fromS, double toS, String reading) {}

    /** {@code windows}: each step's load and its [from, to] in seconds on the signals' time line. */
    public static SweepSignals of(ServerSignals server, Map<Double, double[]> windows, SweepResult result) {
        List<StepWindow> steps = new ArrayList<>();
        for (SweepStep step : result.steps()) {
            double[] w = windows.get(step.load());
            if (w != null) {
                steps.add(new StepWindow(step.load(), w[0], w[1], server.reading(w[0], w[1])));
            }
        }
        String knee = null;
        Optional<SweepStep> k = result.knee();
        if (k.isPresent()) {
            Optional<StepWindow> past = steps.stream().filter(s -> s.load() > k.get().load()).findFirst()
                    .or(() -> steps.stream().filter(s -> s.load() == k.get().load()).findFirst());
            knee = past.filter(s -> s.reading() != null).map(s -> "at " + result.loadKey() + " "
                    + result.loadText(s.load()) + ": " + s.reading()).orElse(null);
        }
        return new SweepSignals(server, steps, knee);
    }

    /** The Markdown lines a sweep's table is followed by. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("Why the knee (server signals): ").append(kneeReading == null ? "the signals show no limit" : kneeReading)
                .append('\n');
        sb.append(com.aiinference.report.MarkdownReport.platformLine(server.platform())).append('\n');
        if (server.gapCount() > 0) {
            sb.append("Server signals: ").append(Format.plural(server.gapCount(), "read", "reads")).append(" failed (gaps)\n");
        }
        return sb.toString();
    }
}
