package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportsTest {
    private static final LoadTestConfig CONFIG = LoadTestConfig.builder().users(50).duration(Duration.ofSeconds(60)).build();
    private static final LoadTestResult RESULT = SloTest.result(CONFIG, 1000, 1000,
            new LatencySummary(1000, 2712, 2650, 2900, 3100, 4000, 4500), new LatencySummary(1000, 180, 170, 300, 450, 900, 1200));

    @Test
    void markdownTableHasTheSeedsRowsThenTheCallersRows() {
        String md = MarkdownReport.render(RESULT.withReplicasServed(10), List.of(new ReportRow("Restarts", "0", "no OOM kills")));
        assertThat(md).startsWith("""
                ### Verified Results (50 users, 60s, llama3.1:8b, ollama)

                | Metric | Result | Notes |
                | :--- | :--- | :--- |
                | **Stability** | **100%** | 1000/1000 requests succeeded; 0 failed |
                | **Latency** | **~2.71s** | p50 2.65s, p95 3.1s, p99 4s, max 4.5s; TTFT p95 450ms |
                | **Capacity** | **10 Replicas** | served traffic; 100 req/s, 100 output tok/s (server counts); peak 8 in flight |
                | **Restarts** | **0** | no OOM kills |
                """);
        assertThat(MarkdownReport.render(RESULT)).contains(
                "| **Capacity** | **100 req/s** | peak 8 in flight, 100 output tok/s (server counts); replicas serving are not visible from the client (run `verify`) |");
    }

    @Test
    void failuresAreListedByKind() {
        LoadTestResult r = SloTest.result(CONFIG, 1000, 990, RESULT.latency(), RESULT.ttft());
        assertThat(MarkdownReport.render(r)).contains("| **Stability** | **99.00%** | 990/1000 requests succeeded; 10 failed: server_busy_503 10 |",
                "Errors: server_busy_503 10");
        assertThat(r.toJson().path("errors").path("server_busy_503").asLong()).isEqualTo(10);
        assertThat(r.toJson().path("capacity").path("replicas_served").isNull()).isTrue();
        assertThat(r.withReplicasServed(7).toJson().path("capacity").path("replicas_served").asInt()).isEqualTo(7);
    }

    @Test
    void theSameShareReadsTheSameInTheTableTheSloLineAndTheHtml() {
        LoadTestConfig gated = CONFIG.toBuilder().slo(Slo.parse("success>=99%")).build();
        LoadTestResult r = SloTest.result(gated, 9, 8, RESULT.latency(), RESULT.ttft());
        assertThat(MarkdownReport.render(r)).contains("| **Stability** | **88.88%** | 8/9 requests succeeded",
                "SLO: FAIL success>=99% (88.88%)");
        assertThat(HtmlReport.render(r)).contains("88.88%").doesNotContain("88.9%");
    }

    @Test
    void nothingMeasuredShowsNotApplicableNot100Percent() {
        LoadTestResult r = SloTest.result(CONFIG, 0, 0, LatencySummary.EMPTY, LatencySummary.EMPTY);
        assertThat(MarkdownReport.render(r)).contains("| **Stability** | **n/a** | 0/0 requests: no request was measured: none was sent |")
                .doesNotContain("100%");
        assertThat(HtmlReport.render(r)).contains("NOTHING MEASURED").doesNotContain("NO ERRORS");
        assertThat(r.passed()).isFalse();
        assertThat(r.toJson().path("passed").asBoolean()).isFalse();
    }

    @Test
    void htmlAddsCallerSectionsAndEscapesText() {
        String html = HtmlReport.render(RESULT, List.of(new ReportRow("Pods", "10/10 <ready>", "")),
                List.of(new HtmlReport.Section("Cluster & pods", "<p>ok</p>")));
        assertThat(html).contains("<h2>Cluster &amp; pods</h2><p>ok</p>", "10/10 &lt;ready&gt;", "NO ERRORS");
    }

    @Test
    void percentagesAndDurationsReadNaturally() {
        assertThat(Reports.percent(1.0)).isEqualTo("100%");
        assertThat(Reports.percent(0.999)).isEqualTo("99.90%");
        assertThat(Reports.percent(0.9995)).isEqualTo("99.95%");
        assertThat(Reports.percent(0.99999)).as("a failure never rounds up to 100%").isEqualTo("99.99%");
        assertThat(Reports.percent(0.5)).isEqualTo("50.00%");
        assertThat(Reports.percent(0)).isEqualTo("0.00%");
        assertThat(Reports.percent(Double.NaN)).isEqualTo("n/a");
        // Every share of up to 400 requests: two decimals rounded down, exactly (as verify's table prints them).
        for (int total = 1; total <= 400; total++) {
            for (int ok = 0; ok <= total; ok++) {
                long hundredths = 10_000L * ok / total;
                String expected = ok == total ? "100%" : String.format(java.util.Locale.ROOT, "%d.%02d%%", hundredths / 100, hundredths % 100);
                assertThat(Reports.percent((double) ok / total)).as(ok + "/" + total).isEqualTo(expected);
            }
        }
        assertThat(Durations.formatMillis(2712.4)).isEqualTo("2.71s");
        assertThat(Durations.formatMillis(450)).isEqualTo("450ms");
        assertThat(Durations.parse("60")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.format(Duration.ofSeconds(125))).isEqualTo("2m05s");
    }
}
