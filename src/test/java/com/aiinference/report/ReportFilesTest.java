package com.aiinference.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.cli.Durations;
import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.WindowRates;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.engine.SloTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LoadTestConfig CONFIG = LoadTestConfig.builder().users(50).duration(Duration.ofSeconds(60)).build();
    private static final LoadTestResult RESULT = SloTest.result(CONFIG, 1000, 1000,
            new LatencySummary(1000, 2712, 2650, 2900, 3100, 4000, 4500), new LatencySummary(1000, 180, 170, 300, 450, 900, 1200));

    private static String markdown(LoadTestResult r) {
        return MarkdownReport.render(RunReport.of(r));
    }

    private static String html(LoadTestResult r) {
        return HtmlReport.render(RunReport.of(r));
    }

    private static JsonNode json(LoadTestResult r) throws Exception {
        return JSON.readTree(ReportFiles.toJson(RunReport.of(r)));
    }

    @Test
    void onlyColumnsOfFiguresAreRightAlignedAndAnEmptyTableSaysSo() {
        Report.Table pods = new Report.Table("Pods", List.of("Pod", "Node", "Ready", "Restarts", "Last termination", "Served"),
                List.of(List.of("pod-a", "gke-node-0", "yes → yes", "0 → 1", "-", "56"),
                        List.of("pod-b", "gke-node-1", "yes → no", "0 → 0", "-", "n/a")));
        assertThat(List.of(0, 1, 2, 3, 4, 5)).map(pods::figures).containsExactly(false, false, false, true, false, true);
        Report.Table latency = new Report.Table(null, List.of("", "p50", "max"),
                List.of(List.of("latency", "2.75s", "1m05s"), List.of("TTFT", "207ms", "n/a")));
        assertThat(latency.figures(1)).isTrue();
        assertThat(latency.figures(2)).isTrue();

        Report.Table empty = new Report.Table("Pods", pods.columns(), List.of());
        String html = HtmlReport.render(withTables(List.of(pods, empty)));
        assertThat(html).contains("<th>Node</th>", "<th class=\"num\">Restarts</th>", "<td>gke-node-0</td>",
                "<td class=\"num\">56</td>", "<tr><td colspan=\"6\">(none)</td></tr>");
        assertThat(MarkdownReport.render(withTables(List.of(pods))))
                .contains("| :--- | :--- | :--- | ---: | :--- | ---: |");
    }

    private static Report withTables(List<Report.Table> tables) {
        return new Report(ReportVersion.current(), "verify", "Pods", null,
                new Report.Verdict(com.aiinference.core.Check.Status.PASS, "VERIFIED", List.of()),
                "Verified Results", List.of(), List.of(), null, null, tables, List.of(), null);
    }

    @Test
    void markdownLeadsWithTheVerdictThenTheSeedsTable() {
        assertThat(markdown(RESULT)).startsWith("""
                ## Load test: http://10.0.0.1:8000/api/generate

                **NO ERRORS**: 50 users (closed loop) · 60s · llama3.1:8b · ollama (streaming) · started 1970-01-01 00:00:00Z

                ### Verified Results (50 users, 60s, llama3.1:8b, ollama)

                | Metric | Result | Notes |
                | :--- | :--- | :--- |
                | **Stability** | **100%** | 1,000/1,000 requests succeeded; 0 failed |
                | **Latency** | **~2.71s** | mean end-to-end; p50 2.65s, p95 3.1s, p99 4s, max 4.5s; TTFT p95 450ms |
                | **Capacity** | **100 req/s** | steady-state successes per second over the 10s send window (work done in it, warm-up included); peak 8 in flight; 100 output tok/s (server counts); replicas serving are not visible from the client (run verify) |
                """);
    }

    @Test
    void failuresAreListedByKindAndTheVerdictSaysNoSloJudgedThem() throws Exception {
        LoadTestResult r = SloTest.result(CONFIG, 1000, 990, RESULT.latency(), RESULT.ttft());
        assertThat(markdown(r)).contains("| **Stability** | **99.00%** | 990/1,000 requests succeeded; 10 failed: server_busy_503 10 |",
                "**10 FAILED**", "- 10 of 1,000 requests failed (server_busy_503 10); no --slo to judge them");
        assertThat(json(r).path("load").path("errors").path("server_busy_503").asLong()).isEqualTo(10);
        assertThat(json(r).path("load").path("capacity").path("replicas_served").isNull()).isTrue();
        assertThat(json(r.withReplicasServed(7)).path("load").path("capacity").path("replicas_served").asInt()).isEqualTo(7);
        assertThat(json(r).path("verdict").path("status").asText()).isEqualTo("warn");
    }

    @Test
    void theSameShareReadsTheSameInTheTableTheSloCheckAndTheHtml() {
        LoadTestConfig gated = CONFIG.toBuilder().slo(Slo.parse("success>=99%")).build();
        LoadTestResult r = SloTest.result(gated, 9, 8, RESULT.latency(), RESULT.ttft());
        assertThat(markdown(r)).contains("| **Stability** | **88.88%** | 8/9 requests succeeded",
                "| success>=99% | slo | **FAIL** | 88.88% |", "**SLO NOT MET**", "- SLO success>=99% not met: measured 88.88%");
        assertThat(html(r)).contains("88.88%").doesNotContain("88.9%");
    }

    @Test
    void nothingMeasuredShowsNotApplicableNot100Percent() throws Exception {
        LoadTestResult r = SloTest.result(CONFIG, 0, 0, LatencySummary.EMPTY, LatencySummary.EMPTY);
        assertThat(markdown(r)).contains("| **Stability** | **n/a** | 0/0 requests measured |", "**NOTHING MEASURED**")
                .doesNotContain("100%");
        assertThat(html(r)).contains("NOTHING MEASURED").doesNotContain("NO ERRORS");
        assertThat(r.passed()).isFalse();
        assertThat(json(r).path("verdict").path("status").asText()).isEqualTo("fail");
    }

    @Test
    void noCapacityIsPrintedWhenNothingSucceeded() {
        LoadTestResult r = SloTest.result(CONFIG, 7731, 0, LatencySummary.EMPTY, LatencySummary.EMPTY);
        assertThat(markdown(r)).contains("| **Capacity** | **n/a** | no request succeeded;").doesNotContain("req/s**");
    }

    @Test
    void htmlEscapesTextAndHasNoMarkdownInIt() {
        String html = HtmlReport.render(new Report(ReportVersion.current(), "verify", "Cluster & pods", null,
                new Report.Verdict(com.aiinference.core.Check.Status.FAIL, "NOT VERIFIED", List.of("pods <ready>: 8/10")),
                "Verified Results", List.of(new ReportRow("Pods", "8/10 <ready>", "")), List.of(), null, "no pod is ready",
                List.of(), List.of(), null));
        assertThat(html).contains("<h1>Cluster &amp; pods</h1>", "8/10 &lt;ready&gt;", "<li>pods &lt;ready&gt;: 8/10</li>",
                "no pod is ready");
        assertThat(html(RESULT)).doesNotContain("`");
    }

    @Test
    void histogramTooltipsNeverShowARangeWithEqualEnds() {
        LoadTestResult r = new LoadTestResult(CONFIG, URI.create("http://10.0.0.1:8000/api/generate"),
                new LoadTestResult.Run(Instant.EPOCH, 10, 10, 0, 0, null), LoadTestResult.Requests.of(3, 3, 0), Map.of(),
                RESULT.latency(), RESULT.ttft(), LatencySummary.EMPTY, LatencySummary.EMPTY,
                new LoadTestResult.Tokens(null, 0, "none"),
                new LoadTestResult.Throughput(0.3, Double.NaN, 0, Double.NaN, Double.NaN, WindowRates.METHOD),
                new LoadTestResult.Served(0.3, 1, null), List.of(), List.of(),
                List.of(new LoadTestResult.Bin(2845.0, 2846.0, 1), new LoadTestResult.Bin(2846.0, 2847.0, 2)), List.of(), null);
        Matcher m = Pattern.compile("<title>([^<]*) to ([^<:]*):").matcher(html(r));
        List<String> ranges = new ArrayList<>();
        while (m.find()) {
            ranges.add(m.group(1) + " to " + m.group(2));
            assertThat(m.group(1)).as(m.group()).isNotEqualTo(m.group(2));
        }
        assertThat(ranges).containsExactly("2.845s to 2.846s", "2.846s to 2.847s");
    }

    @Test
    void jsonIsSnakeCaseVersionedWithNullsForAbsentValues() throws Exception {
        JsonNode j = json(RESULT);
        assertThat(j.path("version").path("tool").asText()).isNotBlank();
        assertThat(j.path("version").path("schema").asInt()).isEqualTo(ReportVersion.SCHEMA);
        assertThat(j.path("command").asText()).isEqualTo("loadtest");
        JsonNode config = j.path("load").path("config");
        assertThat(config.path("slo").isNull()).as("no --slo is null, not \"\"").isTrue();
        assertThat(config.path("max_error_rate").isNull()).isTrue();
        assertThat(config.path("max_requests").isNull()).isTrue();
        assertThat(config.path("load").path("mode").asText()).isEqualTo("closed_loop");
        assertThat(config.path("load").path("users").asInt()).isEqualTo(50);
        assertThat(j.path("load").path("tokens").path("input").isNull()).isTrue();
        assertThat(j.path("load").path("throughput").path("input_tokens_per_s").isNull()).isTrue();
        assertThat(j.path("load").path("itl_ms").path("p50").isNull()).isTrue();
        assertThat(fieldNames(j)).allMatch(n -> n.matches("[a-z0-9_]+"), "snake_case");
        LoadTestConfig gated = CONFIG.toBuilder().slo(Slo.parse("p95<5s")).build();
        JsonNode check = json(SloTest.result(gated, 10, 10, RESULT.latency(), RESULT.ttft())).path("checks").get(0);
        assertThat(check.path("name").asText()).isEqualTo("slo");
        assertThat(check.path("checks").get(0).path("status").asText()).isEqualTo("pass");
    }

    @Test
    void anOpenLoopReadsAsARateEverywhere() throws Exception {
        LoadTestConfig open = CONFIG.toBuilder().rate(2.5).build();
        LoadTestResult r = SloTest.result(open, 10, 10, RESULT.latency(), RESULT.ttft());
        assertThat(markdown(r)).contains("### Verified Results (2.5 req/s open loop, 60s,", "2.5 req/s (open loop, Poisson arrivals)");
        assertThat(html(r)).contains("2.5 req/s (open loop, Poisson arrivals)");
        JsonNode load = json(r).path("load").path("config").path("load");
        assertThat(load.path("mode").asText()).isEqualTo("open_loop");
        assertThat(load.path("rate").asDouble()).isEqualTo(2.5);
        assertThat(load.has("users")).isFalse();
        LoadShape back = ReportFiles.json().treeToValue(load, LoadShape.class);
        assertThat(back).isEqualTo(new LoadShape.OpenLoop(2.5));
        assertThat(ReportFiles.json().treeToValue(json(RESULT).path("load").path("config").path("load"), LoadShape.class))
                .isEqualTo(new LoadShape.ClosedLoop(50, Duration.ZERO));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                names.add(e.getKey());
                names.addAll(fieldNames(e.getValue()));
            }
        } else if (n.isArray()) {
            n.forEach(x -> names.addAll(fieldNames(x)));
        }
        return names;
    }

    @Test
    void percentagesAndDurationsReadNaturally() {
        assertThat(Format.share(1.0)).isEqualTo("100%");
        assertThat(Format.share(0.999)).isEqualTo("99.90%");
        assertThat(Format.share(0.9995)).isEqualTo("99.95%");
        assertThat(Format.share(0.99999)).as("a failure never rounds up to 100%").isEqualTo("99.99%");
        assertThat(Format.share(0.5)).isEqualTo("50.00%");
        assertThat(Format.share(0)).isEqualTo("0.00%");
        assertThat(Format.share(Double.NaN)).isEqualTo("n/a");
        // Every share of up to 400 requests: two decimals rounded down, exactly (as verify's table prints them).
        for (int total = 1; total <= 400; total++) {
            for (int ok = 0; ok <= total; ok++) {
                long hundredths = 10_000L * ok / total;
                String expected = ok == total ? "100%" : String.format(java.util.Locale.ROOT, "%d.%02d%%", hundredths / 100, hundredths % 100);
                assertThat(Format.share((double) ok / total)).as(ok + "/" + total).isEqualTo(expected);
            }
        }
        assertThat(Format.millis(2712.4)).isEqualTo("2.71s");
        assertThat(Format.millis(450)).isEqualTo("450ms");
        assertThat(Format.millisRange(2845.2, 2849.9)).isEqualTo("2.845s to 2.85s".replace("2.85s", "2.850s"));
        assertThat(Format.millisRange(200, 260)).isEqualTo("200ms to 260ms");
        // A histogram bin narrower than the printed precision still shows two different ends, and every bin of the
        // same width the same digits.
        for (double from = 50; from < 70; from += 0.37) {
            String range = Format.millisRange(from, from + 0.37);
            assertThat(range).as(range).matches("\\d+\\.\\dms to \\d+\\.\\dms").doesNotMatch("(.+) to \\1");
        }
        assertThat(Format.millisRange(60.4, 61.4)).isEqualTo("60ms to 61ms");
        assertThat(Format.millisRange(65_230, 65_240)).isEqualTo("65.23s to 65.24s");
        assertThat(Format.millisRange(57.2, 57.6)).isEqualTo("57.2ms to 57.6ms");
        assertThat(Format.millisRange(57.21, 57.24)).isEqualTo("57.21ms to 57.24ms");
        assertThat(Format.millisRange(2845.2, 2845.7)).isEqualTo("2.8452s to 2.8457s");
        assertThat(Durations.parse("60")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Format.duration(Duration.ofSeconds(125))).isEqualTo("2m05s");
        // A measured time under two minutes keeps its fraction: never "1m" for 60.78 s.
        assertThat(Format.seconds(60.783)).isEqualTo("60.78s");
        assertThat(Format.seconds(90)).isEqualTo("90s");
        assertThat(Format.seconds(120)).isEqualTo("2m");
    }
}
