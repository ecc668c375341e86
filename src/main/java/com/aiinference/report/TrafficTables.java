package com.aiinference.report;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.TrafficSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The traffic a run sent, as tables every writer shows: the lengths asked beside those the server counted (and the
 * prompt tokens its prefix cache saved), and for conversations one row per turn (TTFT grows with the context).
 */
public final class TrafficTables {
    private TrafficTables() {}

    /** The tables of {@code t}; none when the run sent its prompts in turn. */
    public static List<Report.Table> of(TrafficSummary t) {
        if (t == null) {
            return List.of();
        }
        List<Report.Table> tables = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        rows.add(lengths("input tokens, asked (client estimate)", t.inputAsked()));
        rows.add(lengths("input tokens, server count", t.inputServer()));
        rows.add(lengths("output tokens, asked (max)", t.outputAsked()));
        rows.add(lengths("output tokens, server count", t.outputServer()));
        if (t.cachedTokens() != null) {
            rows.add(lengths("input tokens from the prefix cache", t.cached()));
            rows.add(List.of("share of input tokens from the prefix cache", Format.count(t.cached().count()),
                    Double.isNaN(t.cachedShare()) ? "n/a" : Format.share(t.cachedShare()), "-", "-"));
        }
        tables.add(new Report.Table("Traffic: " + t.workload(), List.of("", "requests", "mean", "p50", "p95"), rows));
        if (!t.turns().isEmpty()) {
            List<List<String>> turns = new ArrayList<>();
            for (TrafficSummary.TurnRow r : t.turns()) {
                turns.add(List.of(String.valueOf(r.turn()), Format.count(r.count()), Format.millis(r.ttftP50Ms()),
                        Format.millis(r.ttftP95Ms()), Format.millis(r.latencyP50Ms()), tokens(r.inputTokensMean())));
            }
            tables.add(new Report.Table("Conversations: per turn", List.of("turn", "requests", "TTFT p50", "TTFT p95",
                    "latency p50", "input tokens (mean)"), turns));
        }
        return tables;
    }

    private static List<String> lengths(String name, TrafficSummary.Lengths l) {
        if (l.count() == 0) {
            return List.of(name, "0", "n/a", "n/a", "n/a");
        }
        return List.of(name, Format.count(l.count()), tokens(l.mean()), tokens(l.p50()), tokens(l.p95()));
    }

    private static String tokens(double v) {
        return Double.isNaN(v) ? "n/a" : Format.count(Math.round(v));
    }
}
