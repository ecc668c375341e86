package com.aiinference.report;

import com.aiinference.core.Check;
import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML page (inline CSS and SVG, no script, no network): headline figures, latency over time,
 * latency distribution, throughput over time, and the tables, all read from one {@link Report}.
 */
public final class HtmlReport {
    private static final int W = 900;
    private static final int H = 300;
    private static final int L = 64;
    private static final int R = 20;
    private static final int T = 34;
    private static final int B = 40;

    private HtmlReport() {}

    /** The page of a report: the verdict and its reasons first, then the load's figures and charts, then every table. */
    public static String render(Report r) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        LoadTestResult l = r.load();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(escape(r.verdict().headline() + " - " + r.title())).append("</title>\n<style>\n").append(CSS).append("</style></head><body>\n<main>\n");
        sb.append("<header><div><h1>").append(escape(r.title())).append("</h1><p class=\"sub\">")
                .append(escape(r.subtitle() == null ? "" : r.subtitle())).append("</p></div>");
        String badge = switch (r.verdict().status()) {
            case PASS -> "ok";
            case FAIL -> "bad";
            default -> "warn-badge";
        };
        sb.append("<div class=\"badge ").append(badge).append("\">").append(escape(r.verdict().headline())).append("</div></header>\n");
        if (!r.verdict().reasons().isEmpty()) {
            sb.append("<section class=\"verdict ").append(badge).append("\"><h2>").append(escape(r.verdict().headline()))
                    .append(": why</h2><ul>");
            for (String reason : r.verdict().reasons()) {
                sb.append("<li>").append(escape(reason)).append("</li>");
            }
            sb.append("</ul></section>\n");
        }
        if (l != null) {
            sb.append("<section class=\"cards\">");
            card(sb, "Success", Format.share(l.requests().successShare()),
                    Format.count(l.requests().succeeded()) + " / " + Format.count(l.requests().total()) + " requests");
            card(sb, "Latency p50", Format.millis(l.latency().p50()), "p95 " + Format.millis(l.latency().p95()));
            card(sb, "TTFT p95", Format.millis(l.ttft().p95()), "p50 " + Format.millis(l.ttft().p50()));
            card(sb, "Capacity", l.requests().succeeded() == 0 ? "n/a" : Format.number(l.served().succeededPerS()) + " req/s",
                    "peak " + l.served().peakInFlight() + " in flight");
            card(sb, "Output", Format.number(l.throughput().outputTokensPerS()) + " tok/s", l.tokenSourceLabel());
            sb.append("</section>\n");
        }
        sb.append("<section><h2>").append(escape(r.resultsTitle())).append("</h2>").append(resultsTable(r.results()));
        for (String note : r.notes()) {
            sb.append("<p class=\"warn\">").append(escape(note)).append("</p>");
        }
        sb.append("</section>\n");
        if (!r.checks().isEmpty()) {
            sb.append("<section><h2>Checks</h2><table><tr><th>Check</th><th>Stage</th><th>Result</th><th>Detail</th></tr>");
            for (Report.CheckGroup g : r.checks()) {
                for (Check c : g.checks()) {
                    String cls = c.failed() ? "fail" : c.passed() ? "pass" : "warn-text";
                    sb.append("<tr><td><code>").append(escape(c.name())).append("</code></td><td>").append(escape(g.name()))
                            .append("</td><td class=\"").append(cls).append("\">").append(c.status().name()).append("</td><td>")
                            .append(escape(c.message())).append("</td></tr>");
                }
            }
            sb.append("</table></section>\n");
        }
        if (r.loadSkipped() != null) {
            sb.append("<section><h2>Load not run</h2><p class=\"fail\">").append(escape(r.loadSkipped())).append("</p></section>\n");
        }
        for (Report.Table t : r.tables()) {
            sb.append("<section><h2>").append(escape(t.title())).append("</h2>").append(table(t)).append("</section>\n");
        }
        if (l != null) {
            sb.append("<section><h2>Latency over time</h2><p class=\"note\">Each dot is a request, placed when it ended")
                    .append(l.samples().size() < l.requests().total() ? " (a uniform sample of " + l.samples().size() + " of " + l.requests().total() + ")" : "")
                    .append("; lines are the p50 and p95 of each second, dashed the p50 time to first token").append(l.asked().warmupS() == 0 ? "" : "; the shaded band is the warm-up, left out of every figure")
                    .append(".</p>").append(latencyOverTime(l)).append("</section>\n");
            sb.append("<section><h2>Latency distribution</h2><p class=\"note\">Successful requests by end-to-end latency")
                    .append(l.asked().load() instanceof LoadShape.OpenLoop ? " (from the scheduled send time, queueing included)" : "").append(".</p>")
                    .append(distribution(l)).append("</section>\n");
            sb.append("<section><h2>Throughput and errors</h2><p class=\"note\">Requests that ended in each second; failures in red; the line is requests in flight.</p>")
                    .append(throughput(l)).append("</section>\n");
            sb.append("<section><h2>Load test details</h2>").append(table(RunReport.percentiles(l).withoutTitle()))
                    .append("<p>").append(escape(RunReport.details(l))).append("</p>");
            if (!l.errors().isEmpty()) {
                sb.append("<h3>Failures by kind</h3><table class=\"narrow\"><tr><th>kind</th><th class=\"num\">requests</th></tr>");
                for (Map.Entry<String, Long> e : l.errors().entrySet()) {
                    sb.append("<tr><td><code>").append(escape(e.getKey())).append("</code></td><td class=\"num\">")
                            .append(Format.count(e.getValue())).append("</td></tr>");
                }
                sb.append("</table>");
            }
            sb.append("</section>\n");
        }
        if (r.server() != null) {
            sb.append(serverSection(r.server(), null));
        }
        sb.append("<footer>ai-inference ").append(escape(r.command())).append(" &middot; ").append(escape(r.version().tool()))
                .append(" &middot; report schema ").append(r.version().schema()).append("</footer>\n</main></body></html>\n");
        return sb.toString();
    }

    private static void card(StringBuilder sb, String label, String value, String sub) {
        sb.append("<div class=\"card\"><div class=\"label\">").append(escape(label)).append("</div><div class=\"value\">")
                .append(escape(value)).append("</div><div class=\"sub\">").append(escape(sub)).append("</div></div>");
    }

    private static String resultsTable(List<ReportRow> rows) {
        StringBuilder sb = new StringBuilder("<table><tr><th>Metric</th><th>Result</th><th>Notes</th></tr>");
        for (ReportRow row : rows) {
            sb.append("<tr><td><b>").append(escape(row.metric())).append("</b></td><td><b>").append(escape(row.result()))
                    .append("</b></td><td>").append(escape(row.notes())).append("</td></tr>");
        }
        return sb.append("</table>").toString();
    }

    private static String table(Report.Table t) {
        StringBuilder sb = new StringBuilder("<table><tr>");
        for (int i = 0; i < t.columns().size(); i++) {
            sb.append(t.figures(i) ? "<th class=\"num\">" : "<th>").append(escape(t.columns().get(i))).append("</th>");
        }
        sb.append("</tr>");
        if (t.rows().isEmpty()) {
            sb.append("<tr><td colspan=\"").append(t.columns().size()).append("\">(none)</td></tr>");
        }
        for (List<String> row : t.rows()) {
            sb.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                sb.append(t.figures(i) ? "<td class=\"num\">" : "<td>").append(escape(row.get(i))).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }

    // ------------------------------------------------------------------ charts

    private static String latencyOverTime(LoadTestResult r) {
        List<LoadTestResult.TimelineRow> rows = r.timeline();
        if (rows.isEmpty() && r.samples().isEmpty()) {
            return "<p class=\"note\">No requests.</p>";
        }
        double xMax = Math.max(1, rows.size());
        double yMax = 0;
        for (LoadTestResult.Sample s : r.samples()) {
            yMax = Math.max(yMax, s.latencyMs());
        }
        for (LoadTestResult.TimelineRow row : rows) {
            if (!Double.isNaN(row.latencyP95())) {
                yMax = Math.max(yMax, row.latencyP95());
            }
        }
        Axis x = Axis.of(0, xMax);
        Axis y = Axis.of(0, Math.max(yMax, 1));
        StringBuilder sb = svgStart();
        warmupBand(sb, r, x);
        grid(sb, x, y, "s", true);
        for (LoadTestResult.Sample s : r.samples()) {
            double px = sx(x, s.endSecond());
            double py = sy(y, s.latencyMs());
            if (s.ok()) {
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" class=\"dot\"/>", px, py));
            } else {
                sb.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1fl5 5m0 -5l-5 5\" class=\"fail-mark\"/>", px - 2.5, py - 2.5));
            }
        }
        polyline(sb, rows, x, y, LoadTestResult.TimelineRow::ttftP50, "ttft");
        polyline(sb, rows, x, y, LoadTestResult.TimelineRow::latencyP50, "p50");
        polyline(sb, rows, x, y, LoadTestResult.TimelineRow::latencyP95, "p95");
        legend(sb, new String[] {"request", "p50", "p95", "TTFT p50", "failed"},
                new String[] {"dot", "p50", "p95", "ttft", "fail-mark"});
        sb.append(axisLabel("seconds since start", "latency"));
        return sb.append("</svg>").toString();
    }

    private static void polyline(StringBuilder sb, List<LoadTestResult.TimelineRow> rows, Axis x, Axis y,
                                 java.util.function.ToDoubleFunction<LoadTestResult.TimelineRow> value, String cls) {
        StringBuilder pts = new StringBuilder();
        for (LoadTestResult.TimelineRow row : rows) {
            double v = value.applyAsDouble(row);
            if (Double.isNaN(v) || row.warmup()) {
                continue;
            }
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx(x, row.second() + 0.5), sy(y, v)));
        }
        if (pts.length() > 0) {
            sb.append("<polyline class=\"").append(cls).append("\" points=\"").append(pts.toString().trim()).append("\"/>");
        }
    }

    private static String distribution(LoadTestResult r) {
        List<LoadTestResult.Bin> bins = r.latencyHistogram();
        if (bins.isEmpty()) {
            return "<p class=\"note\">No successful request.</p>";
        }
        double lo = bins.get(0).fromMs();
        double hi = bins.get(bins.size() - 1).toMs();
        long maxCount = bins.stream().mapToLong(LoadTestResult.Bin::count).max().orElse(1);
        Axis x = Axis.of(lo, hi);
        Axis y = Axis.of(0, Math.max(1, maxCount));
        StringBuilder sb = svgStart();
        grid(sb, x, y, "", false);
        for (LoadTestResult.Bin b : bins) {
            double x0 = sx(x, b.fromMs());
            double x1 = sx(x, b.toMs());
            double y0 = sy(y, b.count());
            sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: %s</title></rect>",
                    x0 + 0.5, y0, Math.max(0.5, x1 - x0 - 1), sy(y, 0) - y0, escape(Format.millisRange(b.fromMs(), b.toMs())),
                    Format.plural(b.count(), "request", "requests")));
        }
        String[] names = {"p50", "p95", "p99"};
        double[] values = {r.latency().p50(), r.latency().p95(), r.latency().p99()};
        double lastLabelX = -1000;
        int row = 0;
        for (int i = 0; i < names.length; i++) {
            double px = sx(x, Math.min(Math.max(values[i], lo), hi));
            // Markers closer than a label's width share the line: stack their labels instead of overprinting.
            row = Math.abs(px - lastLabelX) < 90 ? row + 1 : 0;
            lastLabelX = px;
            sb.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>", px, px, T, H - B));
            boolean right = px > W - R - 120;
            sb.append(String.format(Locale.ROOT, "<text class=\"marker-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s %s</text>",
                    right ? px - 4 : px + 4, T + 12 + row * 14, right ? "end" : "start", names[i],
                    escape(Format.millis(values[i]))));
        }
        sb.append(axisLabel("end-to-end latency", "requests"));
        return sb.append("</svg>").toString();
    }

    private static String throughput(LoadTestResult r) {
        List<LoadTestResult.TimelineRow> rows = r.timeline();
        if (rows.isEmpty()) {
            return "<p class=\"note\">No requests.</p>";
        }
        long maxReq = 1;
        long maxInFlight = 1;
        for (LoadTestResult.TimelineRow row : rows) {
            maxReq = Math.max(maxReq, row.requests());
            maxInFlight = Math.max(maxInFlight, row.inFlight());
        }
        Axis x = Axis.of(0, rows.size());
        Axis y = Axis.of(0, Math.max(maxReq, maxInFlight));
        StringBuilder sb = svgStart();
        warmupBand(sb, r, x);
        grid(sb, x, y, "s", false);
        StringBuilder pts = new StringBuilder();
        for (LoadTestResult.TimelineRow row : rows) {
            double x0 = sx(x, row.second());
            double x1 = sx(x, row.second() + 1);
            double w = Math.max(0.5, x1 - x0 - 1);
            long ok = row.requests() - row.failed();
            double yOk = sy(y, ok);
            sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x0 + 0.5, yOk, w, sy(y, 0) - yOk));
            if (row.failed() > 0) {
                double yF = sy(y, row.requests());
                sb.append(String.format(Locale.ROOT, "<rect class=\"bar-fail\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x0 + 0.5, yF, w, yOk - yF));
            }
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx(x, row.second() + 0.5), sy(y, row.inFlight())));
        }
        sb.append("<polyline class=\"inflight\" points=\"").append(pts.toString().trim()).append("\"/>");
        legend(sb, new String[] {"succeeded", "failed", "in flight"}, new String[] {"bar", "bar-fail", "inflight"});
        sb.append(axisLabel("seconds since start", "requests"));
        return sb.append("</svg>").toString();
    }

    /** The servers' own signals: the platform, the reading, then one chart per signal, a line per replica. */
    public static String serverSection(ServerSignals s, String kneeReading) {
        StringBuilder sb = new StringBuilder();
        sb.append("<section><h2>Server signals</h2>");
        if (kneeReading != null) {
            sb.append("<p class=\"warn\">Why the knee: ").append(escape(kneeReading)).append("</p>");
        }
        sb.append("<p class=\"note\">")
                .append(escape(MarkdownReport.platformLine(s.platform()))).append(" Each replica read every ")
                .append(escape(Format.number(s.intervalS()))).append("s through the Kubernetes API's pod proxy")
                .append(s.gapCount() == 0 ? "" : "; " + Format.plural(s.gapCount(), "read", "reads")
                        + " failed (gaps, marked red on the time axis)").append(".</p>");
        if (s.reading() != null && kneeReading == null) {
            sb.append("<p class=\"warn\">").append(escape(s.reading())).append("</p>");
        }
        sb.append(table(MarkdownReport.serverTable(s).withoutTitle()));
        signalChart(sb, s, "Requests in flight at each replica's gateway (running and queued in Ollama)",
                ServerSignals.Sample::inFlight, "in flight");
        signalChart(sb, s, "Requests running (vLLM's batch)", ServerSignals.Sample::running, "running");
        signalChart(sb, s, "Requests waiting for a slot (vLLM's queue)", ServerSignals.Sample::waiting, "waiting");
        signalChart(sb, s, "KV-cache use (vLLM), percent", ServerSignals.Sample::kvCachePct, "KV cache %");
        signalChart(sb, s, "Prefix-cache hits (vLLM), percent of prompt tokens", ServerSignals.Sample::prefixCacheHitPct,
                "hit %");
        signalChart(sb, s, "Preemptions (vLLM), per read", ServerSignals.Sample::preemptions, "preemptions");
        signalChart(sb, s, "Requests per second at each replica", ServerSignals.Sample::requestsPerS, "req/s");
        return sb.append("</section>\n").toString();
    }

    /** One signal over the run's time line, a line per replica; nothing when no replica gave it. */
    private static void signalChart(StringBuilder sb, ServerSignals s, String title,
                                    java.util.function.Function<ServerSignals.Sample, Double> value, String yLabel) {
        double xMax = 1;
        double yMax = 0;
        boolean any = false;
        for (ServerSignals.Replica r : s.replicas()) {
            for (ServerSignals.Sample p : r.samples()) {
                xMax = Math.max(xMax, p.tS());
                Double v = value.apply(p);
                if (v != null && !v.isNaN()) {
                    any = true;
                    yMax = Math.max(yMax, v);
                }
            }
            for (ServerSignals.Gap g : r.gaps()) {
                xMax = Math.max(xMax, g.tS());
            }
        }
        if (!any) {
            return;
        }
        Axis x = Axis.of(0, xMax);
        Axis y = Axis.of(0, Math.max(yMax, 1));
        StringBuilder svg = svgStart();
        grid(svg, x, y, "s", false);
        List<String> names = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        int i = 0;
        for (ServerSignals.Replica r : s.replicas()) {
            String cls = "series s" + (i++ % SERIES);
            StringBuilder pts = new StringBuilder();
            for (ServerSignals.Sample p : r.samples()) {
                Double v = value.apply(p);
                if (v != null && !v.isNaN()) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx(x, p.tS()), sy(y, v)));
                }
            }
            if (pts.length() > 0) {
                svg.append("<polyline class=\"").append(cls).append("\" points=\"").append(pts.toString().trim())
                        .append("\"><title>").append(escape(r.pod())).append("</title></polyline>");
                if (names.size() < 6) {
                    names.add(shortPod(r.pod()));
                    classes.add(cls);
                }
            }
            for (ServerSignals.Gap g : r.gaps()) {
                svg.append(String.format(Locale.ROOT, "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" width=\"3\" height=\"6\"><title>%s</title></rect>",
                        sx(x, g.tS()) - 1.5, H - B - 6, escape(r.pod() + " at " + Format.number(g.tS()) + "s: " + g.reason())));
            }
        }
        legend(svg, names.toArray(String[]::new), classes.toArray(String[]::new));
        svg.append(axisLabel("seconds since start", yLabel));
        sb.append("<h3>").append(escape(title)).append("</h3>").append(svg).append("</svg>");
    }

    /** Colours the per-replica lines cycle through. */
    private static final int SERIES = 6;

    /** A pod's name for a legend: its own suffix, after the Deployment's and ReplicaSet's (the full name on hover). */
    private static String shortPod(String pod) {
        int dash = pod.lastIndexOf('-');
        return dash < 0 || dash == pod.length() - 1 ? pod : pod.substring(dash + 1);
    }

    private static void warmupBand(StringBuilder sb, LoadTestResult r, Axis x) {
        double w = r.asked().warmupS();

        if (w > 0) {
            sb.append(String.format(Locale.ROOT, "<rect class=\"warmup\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/><text class=\"warmup-label\" x=\"%d\" y=\"%d\">warm-up</text>",
                    L, T, sx(x, Math.min(w, x.max)) - L, H - T - B, L + 4, T + 12));
        }
    }

    private static StringBuilder svgStart() {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">", W, H));
    }

    private static void grid(StringBuilder sb, Axis x, Axis y, String xUnit, boolean yIsMillis) {
        for (double v : y.ticks()) {
            double py = sy(y, v);
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", L, W - R, py, py));
            sb.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", L - 6, py + 4,
                    escape(yIsMillis ? Format.millis(v) : Format.number(v).replace(".0", ""))));
        }
        for (double v : x.ticks()) {
            double px = sx(x, v);
            String label = xUnit.equals("s") ? Format.number(v).replace(".0", "") + "s" : Format.millis(v);
            sb.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, H - B + 16, escape(label)));
        }
        sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", L, W - R, H - B, H - B));
    }

    private static String axisLabel(String xLabel, String yLabel) {
        return String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                + "<text class=\"axis-label\" transform=\"rotate(-90)\" x=\"%d\" y=\"14\" text-anchor=\"middle\">%s</text>",
                L + (W - L - R) / 2, H - 6, escape(xLabel), -(T + (H - T - B) / 2), escape(yLabel));
    }

    private static void legend(StringBuilder sb, String[] names, String[] classes) {
        int x = W - R - 100 * names.length;
        int top = 8;
        for (int i = 0; i < names.length; i++) {
            int lx = x + i * 100;
            String c = classes[i];
            if (c.equals("dot")) {
                sb.append(String.format(Locale.ROOT, "<circle class=\"dot legend-dot\" cx=\"%d\" cy=\"%d\" r=\"3.5\"/>", lx + 6, top + 4));
            } else if (c.equals("fail-mark")) {
                sb.append(String.format(Locale.ROOT, "<path class=\"fail-mark\" d=\"M%d %dl6 6m0 -6l-6 6\"/>", lx + 3, top + 1));
            } else if (c.startsWith("bar")) {
                sb.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"12\" height=\"9\"/>", c, lx, top));
            } else {
                sb.append(String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", c, lx, lx + 14, top + 4, top + 4));
            }
            sb.append(String.format(Locale.ROOT, "<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>", lx + 18, top + 9, escape(names[i])));
        }
    }

    private static double sx(Axis x, double v) {
        return L + (v - x.min) / (x.max - x.min) * (W - L - R);
    }

    private static double sy(Axis y, double v) {
        return H - B - (v - y.min) / (y.max - y.min) * (H - T - B);
    }

    /** An axis range widened to "nice" ticks (1, 2, 5 x 10^n). */
    public record Axis(double min, double max, double step) {
        public static Axis of(double lo, double hi) {
            if (hi <= lo) {
                hi = lo + 1;
            }
            double raw = (hi - lo) / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
            double min = Math.floor(lo / step) * step;
            double max = Math.ceil(hi / step) * step;
            return new Axis(min, max, step);
        }

        public List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            for (double v = min; v <= max + step / 2; v += step) {
                t.add(v);
            }
            return t;
        }
    }

    /** HTML-escapes text for element content and attribute values. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    public static final String CSS = """
            :root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --blue:#2f6fde; --orange:#e8833a; --red:#d64545; --green:#2f9e44; }
            * { box-sizing: border-box; }
            body { margin:0; background:#f5f7fa; color:var(--ink); font:15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            main { max-width: 980px; margin: 0 auto; padding: 28px 24px 40px; }
            header { display:flex; justify-content:space-between; align-items:flex-start; gap:16px; margin-bottom:18px; }
            h1 { font-size:22px; margin:0 0 4px; word-break: break-all; }
            h2 { font-size:17px; margin:0 0 4px; }
            h3 { font-size:15px; margin:18px 0 6px; }
            .sub { color:var(--muted); margin:0; font-size:13px; }
            .badge { font-weight:700; font-size:13px; letter-spacing:.04em; padding:8px 14px; border-radius:6px; white-space:nowrap; color:#fff; }
            .badge.ok { background:var(--green); } .badge.bad { background:var(--red); } .badge.warn-badge { background:#c77c02; }
            section.verdict.bad { border-left:6px solid var(--red); } section.verdict.warn-badge { border-left:6px solid #f0b429; }
            section.verdict ul { margin:6px 0 0; padding-left:20px; } .warn-text { color:#c77c02; font-weight:700; }
            .cards { display:grid; grid-template-columns: repeat(5, 1fr); gap:12px; margin-bottom:18px; }
            .card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
            .card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.05em; }
            .card .value { font-size:24px; font-weight:650; margin:2px 0; }
            .card .sub { font-size:12px; }
            section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:16px 18px; margin-bottom:16px; }
            .note { color:var(--muted); font-size:13px; margin:0 0 8px; }
            svg.chart { width:100%; height:auto; display:block; }
            .grid { stroke:var(--line); } .axis { stroke:#9aa5b1; }
            .tick, .legend, .axis-label, .marker-label, .warmup-label { font-size:11px; fill:var(--muted); }
            .axis-label { font-size:12px; }
            .dot { fill:var(--blue); fill-opacity:.45; } .legend-dot { fill-opacity:.8; }
            .fail-mark { stroke:var(--red); stroke-width:1.6; fill:none; }
            .p50 { fill:none; stroke:#1d4ed8; stroke-width:2.2; } .ttft { fill:none; stroke:#2f9e44; stroke-width:2; stroke-dasharray:5 3; } .p95 { fill:none; stroke:var(--orange); stroke-width:2.2; }
            .bar { fill:var(--blue); fill-opacity:.75; } .bar-fail { fill:var(--red); fill-opacity:.85; }
            .inflight { fill:none; stroke:#7b5ea7; stroke-width:2; }
            .series { fill:none; stroke-width:2; } .s0 { stroke:#1d4ed8; } .s1 { stroke:#e8833a; } .s2 { stroke:#2f9e44; }
            .s3 { stroke:#7b5ea7; } .s4 { stroke:#0f766e; } .s5 { stroke:#b45309; } .gap { fill:var(--red); }
            .marker { stroke:var(--ink); stroke-dasharray:4 3; stroke-width:1.2; } .marker-label { fill:var(--ink); font-weight:600; }
            .warmup { fill:#cbd2d9; fill-opacity:.35; }
            table { border-collapse:collapse; width:100%; font-size:14px; }
            table.narrow { width:auto; min-width:50%; }
            th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
            th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
            .num { text-align:right; font-variant-numeric: tabular-nums; }
            .pass { color:var(--green); font-weight:700; } .fail { color:var(--red); font-weight:700; }
            .warn { background:#fff8e1; border-left:4px solid #f0b429; padding:8px 12px; margin:12px 0 0; }
            code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:13px; }
            footer { color:var(--muted); font-size:12px; text-align:center; margin-top:8px; }
            @media (max-width: 760px) { .cards { grid-template-columns: repeat(2, 1fr); } }
            """;
}
