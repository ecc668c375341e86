package com.aiinference.loadtest.compare;

import static com.aiinference.loadtest.sweep.SweepReport.B;
import static com.aiinference.loadtest.sweep.SweepReport.H;
import static com.aiinference.loadtest.sweep.SweepReport.L;
import static com.aiinference.loadtest.sweep.SweepReport.R;
import static com.aiinference.loadtest.sweep.SweepReport.T;
import static com.aiinference.loadtest.sweep.SweepReport.W;
import static com.aiinference.loadtest.sweep.SweepReport.chartFrame;
import static com.aiinference.loadtest.sweep.SweepReport.sx;
import static com.aiinference.loadtest.sweep.SweepReport.sy;

import com.aiinference.core.Format;
import com.aiinference.loadtest.sweep.SweepResult;
import com.aiinference.loadtest.sweep.SweepStep;
import com.aiinference.report.HtmlReport;
import java.util.List;
import java.util.Locale;

/** A {@link Comparison} as Markdown text (stdout) and as one self-contained HTML page. */
public final class ComparisonReport {

    private ComparisonReport() {}

    /** The table and the verdict line. */
    public static String markdown(Comparison c) {
        StringBuilder sb = new StringBuilder();
        sb.append("### Compared: ").append(c.base()).append(" (base) with ").append(c.next()).append(" (new)\n\n");
        if (c.kind().equals("run")) {
            sb.append("| Figure | Base | New | Change | Threshold |\n| :--- | ---: | ---: | ---: | :--- |\n");
            for (Comparison.Figure f : c.figures()) {
                sb.append("| ").append(f.name()).append(" | ").append(Comparison.value(f.unit(), f.baseValue()))
                        .append(" | ").append(Comparison.value(f.unit(), f.newValue())).append(" | ")
                        .append(Comparison.percent(f.change())).append(" | ")
                        .append(f.threshold() == null ? "" : f.threshold() + (f.regressed() ? " **REGRESSED**" : " ok"))
                        .append(" |\n");
            }
        } else {
            sb.append("| ").append(c.knees().loadKey()).append(" | Req/s base | Req/s new | Change | Latency p95 base"
                    + " | Latency p95 new | Change | TTFT p95 base | TTFT p95 new | Change | Failed base | Failed new |\n");
            sb.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (Comparison.StepPair p : c.steps()) {
                sb.append("| ").append(load(c, p.load())).append(p.regressed() ? " **REGRESSED**" : "");
                for (String[] cells : stepCells(p)) {
                    for (String cell : cells) {
                        sb.append(" | ").append(cell);
                    }
                }
                sb.append(" |\n");
            }
            sb.append('\n').append("Knee: ").append(knee(c, c.knees().base())).append(" (base, SLO ")
                    .append(c.knees().baseSlo()).append(") -> ").append(knee(c, c.knees().next())).append(" (new, SLO ")
                    .append(c.knees().newSlo()).append(")\n");
        }
        sb.append('\n');
        if (c.thresholds().isEmpty()) {
            sb.append("No thresholds (--fail-if): nothing judged.\n");
        } else if (c.regressed()) {
            sb.append("**REGRESSED** beyond ").append(String.join(",", c.thresholds())).append(":\n");
            c.regressions().forEach(r -> sb.append("- ").append(r).append('\n'));
        } else {
            sb.append("**WITHIN THRESHOLDS** ").append(String.join(",", c.thresholds())).append('\n');
        }
        return sb.toString();
    }

    /** The page: verdict, (sweeps) both throughput-latency curves overlaid, the table. */
    public static String html(Comparison c) {
        StringBuilder sb = new StringBuilder(32 * 1024);
        String title = "Compared: " + c.base() + " with " + c.next();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(HtmlReport.escape(title)).append("</title>\n<style>\n").append(HtmlReport.CSS)
                .append(".base { stroke:#8a8f98; fill:none; stroke-width:2; } .new { stroke:#2f6fdb; fill:none; stroke-width:2; }\n")
                .append(".base-dot { fill:#8a8f98; } .new-dot { fill:#2f6fdb; }\n")
                .append("</style></head><body>\n<main>\n<header><div><h1>").append(HtmlReport.escape(title))
                .append("</h1><p class=\"sub\">base ").append(HtmlReport.escape(c.base())).append(" &middot; new ")
                .append(HtmlReport.escape(c.next())).append(" &middot; thresholds <code>")
                .append(HtmlReport.escape(c.thresholds().isEmpty() ? "none" : String.join(",", c.thresholds())))
                .append("</code></p></div><div class=\"badge ").append(c.regressed() ? "bad\">REGRESSED" : "ok\">"
                        + (c.thresholds().isEmpty() ? "NOT JUDGED" : "WITHIN THRESHOLDS")).append("</div></header>\n");
        if (c.regressed()) {
            sb.append("<section><h2>Regressions</h2><ul>");
            c.regressions().forEach(r -> sb.append("<li>").append(HtmlReport.escape(r)).append("</li>"));
            sb.append("</ul></section>\n");
        }
        if (c.kind().equals("run")) {
            sb.append("<section><h2>Figures</h2><table><tr><th>figure</th><th class=\"num\">base</th><th class=\"num\">new</th>"
                    + "<th class=\"num\">change</th><th>threshold</th></tr>");
            for (Comparison.Figure f : c.figures()) {
                sb.append("<tr><td>").append(HtmlReport.escape(f.name())).append("</td>");
                for (String v : List.of(Comparison.value(f.unit(), f.baseValue()), Comparison.value(f.unit(), f.newValue()),
                        Comparison.percent(f.change()))) {
                    sb.append("<td class=\"num\">").append(HtmlReport.escape(v)).append("</td>");
                }
                sb.append(f.threshold() == null ? "<td></td>" : "<td class=\"" + (f.regressed() ? "fail\">" : "pass\">")
                        + HtmlReport.escape(f.threshold()) + "</td>").append("</tr>");
            }
            sb.append("</table></section>\n");
        } else {
            sb.append("<section><h2>Throughput and latency</h2><p class=\"note\">One point per step, labelled with its ")
                    .append(HtmlReport.escape(c.knees().loadKey())).append(": requests/s it achieved against its end-to-end"
                            + " latency p95; grey the base sweep, blue the new one. Knee: ")
                    .append(HtmlReport.escape(knee(c, c.knees().base()))).append(" (base) and ")
                    .append(HtmlReport.escape(knee(c, c.knees().next()))).append(" (new).</p>")
                    .append(curves(c)).append("</section>\n");
            sb.append("<section><h2>Steps</h2><table><tr><th class=\"num\">").append(HtmlReport.escape(c.knees().loadKey()))
                    .append("</th>");
            for (String h : List.of("req/s base", "req/s new", "change", "latency p95 base", "latency p95 new", "change",
                    "TTFT p95 base", "TTFT p95 new", "change", "failed base", "failed new")) {
                sb.append("<th class=\"num\">").append(h).append("</th>");
            }
            sb.append("</tr>");
            for (Comparison.StepPair p : c.steps()) {
                sb.append("<tr><td class=\"num").append(p.regressed() ? " fail" : "").append("\">")
                        .append(HtmlReport.escape(load(c, p.load()))).append("</td>");
                for (String[] cells : stepCells(p)) {
                    for (String cell : cells) {
                        sb.append("<td class=\"num\">").append(HtmlReport.escape(cell)).append("</td>");
                    }
                }
                sb.append("</tr>");
            }
            sb.append("</table></section>\n");
        }
        sb.append("<footer>ai-inference loadtest compare</footer>\n</main></body></html>\n");
        return sb.toString();
    }

    /** Req/s, latency p95, TTFT p95 (base, new, change each), then failed (base, new). */
    private static List<String[]> stepCells(Comparison.StepPair p) {
        SweepStep b = p.base();
        SweepStep n = p.next();
        return List.of(
                triple(b == null ? Double.NaN : b.requestsPerSecond(), n == null ? Double.NaN : n.requestsPerSecond(), false),
                triple(b == null ? Double.NaN : b.latency().p95(), n == null ? Double.NaN : n.latency().p95(), true),
                triple(b == null ? Double.NaN : b.ttft().p95(), n == null ? Double.NaN : n.ttft().p95(), true),
                new String[] {b == null ? "-" : failed(b), n == null ? "-" : failed(n)});
    }

    private static String[] triple(double b, double n, boolean millis) {
        double change = Double.isNaN(b) || Double.isNaN(n) || b == 0 ? Double.NaN : (n - b) / b;
        return new String[] {millis ? ms(b) : num(b), millis ? ms(n) : num(n), Comparison.percent(change)};
    }

    private static String failed(SweepStep s) {
        return s.requests().failed() + " of " + s.requests().total();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : Format.millis(v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : Format.number(v);
    }

    private static String load(Comparison c, double load) {
        return c.knees().loadKey().equals(SweepResult.RATE) ? Format.number(load) + " req/s" : Long.toString((long) load);
    }

    private static String knee(Comparison c, Double load) {
        return load == null ? "none" : c.knees().loadKey() + " " + load(c, load);
    }

    private static String curves(Comparison c) {
        double xMax = 0;
        double yMax = 0;
        for (Comparison.StepPair p : c.steps()) {
            for (SweepStep s : new SweepStep[] {p.base(), p.next()}) {
                if (s != null && !s.latency().isEmpty()) {
                    xMax = Math.max(xMax, s.requestsPerSecond());
                    yMax = Math.max(yMax, s.latency().p95());
                }
            }
        }
        HtmlReport.Axis x = HtmlReport.Axis.of(0, Math.max(xMax * 1.05, 1e-3));
        HtmlReport.Axis y = HtmlReport.Axis.of(0, Math.max(yMax * 1.05, 1));
        StringBuilder sb = chartFrame(x, y);
        for (int side = 0; side < 2; side++) {
            String cls = side == 0 ? "base" : "new";
            StringBuilder line = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (Comparison.StepPair p : c.steps()) {
                SweepStep s = side == 0 ? p.base() : p.next();
                if (s == null || s.latency().isEmpty()) {
                    continue;
                }
                double px = sx(x, s.requestsPerSecond());
                double py = sy(y, s.latency().p95());
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                dots.append(String.format(Locale.ROOT, "<circle class=\"%s-dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>"
                                + "<text class=\"marker-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                        cls, px, py, px, py - 8, HtmlReport.escape(load(c, p.load()))));
            }
            sb.append("<polyline class=\"").append(cls).append("\" points=\"").append(line.toString().trim()).append("\"/>")
                    .append(dots);
        }
        sb.append(String.format(Locale.ROOT, "<line class=\"base\" x1=\"%d\" x2=\"%d\" y1=\"12\" y2=\"12\"/><text class=\"legend\" x=\"%d\" y=\"16\">base p95</text>"
                + "<line class=\"new\" x1=\"%d\" x2=\"%d\" y1=\"12\" y2=\"12\"/><text class=\"legend\" x=\"%d\" y=\"16\">new p95</text>",
                W - R - 210, W - R - 196, W - R - 192, W - R - 100, W - R - 86, W - R - 82));
        sb.append(String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">throughput (requests/s)</text>"
                + "<text class=\"axis-label\" transform=\"rotate(-90)\" x=\"%d\" y=\"14\" text-anchor=\"middle\">end-to-end latency p95</text>",
                L + (W - L - R) / 2, H - 6, -(T + (H - T - B) / 2)));
        return sb.append("</svg>").toString();
    }
}
