package com.aiinference.loadtest.sweep;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.report.HtmlReport;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A sweep as a Markdown table (stdout) and as one self-contained HTML page with the throughput-latency curve. */
public final class SweepReport {
    public static final int W = 900;
    public static final int H = 340;
    public static final int L = 64;
    public static final int R = 20;
    public static final int T = 34;
    public static final int B = 44;

    private SweepReport() {}

    /** The table of steps, the knee and why the sweep stopped. */
    public static String markdown(SweepResult s) {
        StringBuilder sb = new StringBuilder();
        sb.append("### Sweep (").append(s.target()).append(", ").append(s.openLoop() ? "open loop" : "closed loop")
                .append(", ").append(Format.duration(java.time.Duration.ofMillis((long) (s.stepSeconds() * 1000))))
                .append(" per step, ").append(s.model()).append(", ").append(s.replicas()).append(" replica")
                .append(s.replicas() == 1 ? "" : "s").append(")\n\n");
        sb.append("| ").append(s.openLoop() ? "Rate (req/s)" : "Concurrency")
                .append(" | Req/s | Output tok/s | TTFT p50 | TTFT p95 | Latency p50 | Latency p95 | Errors | SLO |\n");
        sb.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :--- |\n");
        Optional<SweepStep> knee = s.knee();
        for (SweepStep step : s.steps()) {
            boolean isKnee = knee.isPresent() && knee.get() == step;
            sb.append("| ").append(s.openLoop() ? Format.number(step.load()) : Long.toString((long) step.load()))
                    .append(isKnee ? " **knee**" : "")
                    .append(" | ").append(Format.number(step.requestsPerSecond()))
                    .append(" | ").append(Format.number(step.outputTokensPerSecond()))
                    .append(" | ").append(Format.millis(step.ttft().p50()))
                    .append(" | ").append(Format.millis(step.ttft().p95()))
                    .append(" | ").append(Format.millis(step.latency().p50()))
                    .append(" | ").append(Format.millis(step.latency().p95()))
                    .append(" | ").append(step.requests().failed()).append(" of ").append(step.requests().total())
                    .append(" | ").append(step.stoppedByUser() != null ? "stopped (not judged)"
                            : step.meets(s.slo()) ? "met" : "**broken**").append(" |\n");
        }
        sb.append('\n');
        sb.append("SLO: ").append(s.slo().toString()).append('\n');
        sb.append("Knee: ").append(knee.map(k -> s.loadKey() + " " + s.loadText(k.load())
                + " (highest load within the SLO: " + Format.number(k.requestsPerSecond()) + " req/s, latency p95 "
                + Format.millis(k.latency().p95()) + ")" + (s.cutByUser().isPresent() ? "; a lower bound: the sweep was stopped"
                + " before a step showed where the SLO breaks" : "")).orElse(s.cutByUser().isPresent()
                ? "none (the sweep was stopped during its first step)" : "none (the first step already broke the SLO)"))
                .append('\n');
        sb.append("Stopped: ").append(s.stopped()).append('\n');
        return sb.toString();
    }

    /** The page (headline, the throughput-latency curve, the table), followed by the servers' signals over the sweep (null: none were read). */
    public static String html(SweepResult s, SweepSignals signals) {
        Optional<SweepStep> knee = s.knee();
        StringBuilder sb = new StringBuilder(32 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Sweep: ")
                .append(HtmlReport.escape(s.target())).append("</title>\n<style>\n").append(HtmlReport.CSS)
                .append(".knee { fill:var(--green); } .broken { fill:var(--red); } .slo-line { stroke:var(--red); stroke-dasharray:6 4; stroke-width:1.4; }\n")
                .append("</style></head><body>\n<main>\n<header><div><h1>Sweep: ").append(HtmlReport.escape(s.target()))
                .append("</h1><p class=\"sub\">").append(s.openLoop() ? "open loop, rate steps" : "closed loop, concurrency steps")
                .append(" &middot; ").append(HtmlReport.escape(Format.number(s.stepSeconds()))).append(" s per step &middot; ")
                .append(HtmlReport.escape(s.model())).append(" &middot; ").append(HtmlReport.escape(s.api()))
                .append(" &middot; ").append(s.replicas()).append(" replica").append(s.replicas() == 1 ? "" : "s")
                .append(" &middot; SLO <code>").append(HtmlReport.escape(s.slo().toString())).append("</code></p></div>")
                .append("<div class=\"badge ").append(knee.isPresent() ? "ok" : "bad").append("\">")
                .append(HtmlReport.escape(knee.map(k -> "KNEE AT " + s.loadKey().toUpperCase(Locale.ROOT) + " " + s.loadText(k.load()))
                        .orElse("NO STEP WITHIN THE SLO"))).append("</div></header>\n");
        sb.append("<section><h2>Throughput and latency</h2><p class=\"note\">One point per step, labelled with its ")
                .append(s.loadKey()).append(": requests/s it achieved against its end-to-end latency (p50 and p95).")
                .append(" Green: the knee (highest load within the SLO); red: a step that broke it.")
                .append(" Where latency climbs while throughput stays flat, the endpoint is saturated.</p>")
                .append(curve(s, knee)).append("</section>\n");
        sb.append("<section><h2>Steps</h2><table><tr><th class=\"num\">").append(s.openLoop() ? "rate" : "concurrency")
                .append("</th><th class=\"num\">req/s</th><th class=\"num\">output tok/s</th><th class=\"num\">TTFT p50</th><th class=\"num\">TTFT p95</th>")
                .append("<th class=\"num\">latency p50</th><th class=\"num\">latency p95</th><th class=\"num\">failed</th><th>SLO</th></tr>");
        for (SweepStep step : s.steps()) {
            boolean meets = step.meets(s.slo());
            sb.append("<tr><td class=\"num\">").append(HtmlReport.escape(s.loadText(step.load())))
                    .append(knee.isPresent() && knee.get() == step ? " (knee)" : "").append("</td>");
            for (String v : List.of(Format.number(step.requestsPerSecond()), Format.number(step.outputTokensPerSecond()),
                    Format.millis(step.ttft().p50()), Format.millis(step.ttft().p95()),
                    Format.millis(step.latency().p50()), Format.millis(step.latency().p95()),
                    step.requests().failed() + " of " + step.requests().total())) {
                sb.append("<td class=\"num\">").append(HtmlReport.escape(v)).append("</td>");
            }
            sb.append("<td class=\"").append(meets ? "pass\">met" : "fail\">broken").append("</td></tr>");
        }
        sb.append("</table><p class=\"note\">Stopped: ").append(HtmlReport.escape(s.stopped())).append("</p></section>\n");
        if (signals != null) {
            sb.append(HtmlReport.serverSection(signals.server(), signals.kneeReading()));
        }
        sb.append("<footer>ai-inference loadtest sweep &middot; started ").append(HtmlReport.escape(s.startedAt().toString()))
                .append("</footer>\n</main></body></html>\n");
        return sb.toString();
    }

    private static String curve(SweepResult s, Optional<SweepStep> knee) {
        double xMax = 0;
        double yMax = 0;
        for (SweepStep step : s.steps()) {
            xMax = Math.max(xMax, step.requestsPerSecond());
            yMax = Math.max(yMax, finite(step.latency().p95()));
        }
        double sloMs = latencyObjective(s.slo());
        if (!Double.isNaN(sloMs)) {
            yMax = Math.max(yMax, sloMs);
        }
        HtmlReport.Axis x = HtmlReport.Axis.of(0, Math.max(xMax * 1.05, 1e-3));
        HtmlReport.Axis y = HtmlReport.Axis.of(0, Math.max(yMax * 1.05, 1));
        StringBuilder sb = chartFrame(x, y);
        if (!Double.isNaN(sloMs)) {
            double py = sy(y, sloMs);
            sb.append(String.format(Locale.ROOT, "<line class=\"slo-line\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    + "<text class=\"marker-label\" x=\"%d\" y=\"%.1f\">SLO %s</text>", L, W - R, py, py, L + 6, py - 5,
                    HtmlReport.escape(Format.millis(sloMs))));
        }
        StringBuilder p50 = new StringBuilder();
        StringBuilder p95 = new StringBuilder();
        for (SweepStep step : s.steps()) {
            if (step.latency().isEmpty()) {
                continue;
            }
            double px = sx(x, step.requestsPerSecond());
            p50.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, sy(y, step.latency().p50())));
            p95.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, sy(y, step.latency().p95())));
        }
        sb.append("<polyline class=\"p50\" points=\"").append(p50.toString().trim()).append("\"/>");
        sb.append("<polyline class=\"p95\" points=\"").append(p95.toString().trim()).append("\"/>");
        for (SweepStep step : s.steps()) {
            if (step.latency().isEmpty()) {
                continue;
            }
            double px = sx(x, step.requestsPerSecond());
            double py = sy(y, step.latency().p95());
            String cls = knee.isPresent() && knee.get() == step ? "knee" : step.meets(s.slo()) ? "dot" : "broken";
            sb.append(String.format(Locale.ROOT, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\"/>"
                            + "<text class=\"marker-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                    cls, px, py, px, py - 9, HtmlReport.escape(s.loadText(step.load()))));
        }
        sb.append(String.format(Locale.ROOT, "<line class=\"p50\" x1=\"%d\" x2=\"%d\" y1=\"12\" y2=\"12\"/><text class=\"legend\" x=\"%d\" y=\"16\">latency p50</text>"
                + "<line class=\"p95\" x1=\"%d\" x2=\"%d\" y1=\"12\" y2=\"12\"/><text class=\"legend\" x=\"%d\" y=\"16\">latency p95</text>",
                W - R - 230, W - R - 216, W - R - 212, W - R - 115, W - R - 101, W - R - 97));
        sb.append(String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">throughput (requests/s)</text>"
                + "<text class=\"axis-label\" transform=\"rotate(-90)\" x=\"%d\" y=\"14\" text-anchor=\"middle\">end-to-end latency</text>",
                L + (W - L - R) / 2, H - 6, -(T + (H - T - B) / 2)));
        return sb.append("</svg>").toString();
    }

    /** The threshold of the SLO's first end-to-end latency objective (ms), NaN when it has none. */
    private static double latencyObjective(Slo slo) {
        for (Slo.Objective o : slo.objectives()) {
            if (o.unit() == Slo.Unit.MILLIS && !o.metric().startsWith("ttft_") && !o.metric().startsWith("itl_")
                    && !o.metric().startsWith("tpot_")) {
                return o.threshold();
            }
        }
        return Double.NaN;
    }

    private static double finite(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
    }

    /**
     * The throughput-latency chart's frame, shared by a sweep's curve and a comparison's two: the opening svg element,
     * latency grid lines and ticks, throughput ticks and the x axis.
     */
    public static StringBuilder chartFrame(HtmlReport.Axis x, HtmlReport.Axis y) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">", W, H));
        for (double v : y.ticks()) {
            double py = sy(y, v);
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", L, W - R, py, py))
                    .append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                            L - 6, py + 4, HtmlReport.escape(Format.millis(v))));
        }
        for (double v : x.ticks()) {
            sb.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    sx(x, v), H - B + 16, HtmlReport.escape(Format.number(v))));
        }
        sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", L, W - R, H - B, H - B));
        return sb;
    }

    public static double sx(HtmlReport.Axis x, double v) {
        return L + (v - x.min()) / (x.max() - x.min()) * (W - L - R);
    }

    public static double sy(HtmlReport.Axis y, double v) {
        return H - B - (v - y.min()) / (y.max() - y.min()) * (H - T - B);
    }
}
