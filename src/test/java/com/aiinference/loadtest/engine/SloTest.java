package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.core.Check;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class SloTest {

    public static LoadTestResult result(LoadTestConfig config, long total, long ok, LatencySummary latency, LatencySummary ttft) {
        return new LoadTestResult(config, URI.create("http://10.0.0.1:8000/api/generate"),
                new LoadTestResult.Run(Instant.EPOCH, 10.0, 10.0, 0, 0, null), LoadTestResult.Requests.of(total, ok, 0),
                total == ok ? Map.of() : Map.of("server_busy_503", total - ok), latency, ttft, LatencySummary.EMPTY,
                LatencySummary.EMPTY, new LoadTestResult.Tokens(null, 1000, "server"),
                new LoadTestResult.Throughput(total / 10.0, Double.NaN, 100.0, Double.NaN, 50.0, WindowRates.METHOD),
                new LoadTestResult.Served(ok / 10.0, 8, null), List.of(), List.of(), List.of(), List.of(), null);
    }

    private static final LatencySummary LATENCY = new LatencySummary(100, 2700, 2650, 2900, 3100, 4000, 4500);
    private static final LatencySummary TTFT = new LatencySummary(100, 180, 170, 300, 450, 900, 1200);

    private static List<Check> evaluate(String slo, long total, long ok) {
        LoadTestConfig c = LoadTestConfig.builder().slo(Slo.parse(slo)).build();
        return result(c, total, ok, LATENCY, TTFT).sloOutcomes();
    }

    @Test
    void theIssuesExampleIsMetOrNotByEachObjective() {
        List<Check> o = evaluate("success>=99.9%,p95<5s,ttft_p95<1s", 1000, 999);
        assertThat(o).extracting(Check::passed).containsExactly(true, true, true);
        assertThat(o).extracting(Check::message).containsExactly("99.90%", "3.1s", "450ms");
        assertThat(evaluate("success>=99.9%,p95<3s,ttft_p95<=450ms", 1000, 998)).extracting(Check::passed)
                .containsExactly(false, false, true);
    }

    @Test
    void acceptsEveryMetricAndUnit() {
        List<Check> o = evaluate("error_rate<0.01, p50<2.7s, latency_max<5s, mean>2s, p99<=4000ms, ttft_p50<0.2s, rps>=10, tokens_per_s>99, itl_p95<1m", 100, 100);
        assertThat(o).extracting(Check::name).containsExactly("error_rate<0.01", "p50<2.7s", "latency_max<5s", "mean>2s",
                "p99<=4000ms", "ttft_p50<0.2s", "rps>=10", "tokens_per_s>99", "itl_p95<1m");
        assertThat(o).extracting(Check::passed).containsExactly(true, true, true, true, true, true, true, true, false);
        assertThat(o.get(8).message()).isEqualTo("no data");
    }

    @Test
    void badObjectivesNameWhatIsWrong() {
        assertThatThrownBy(() -> Slo.parse("p95 under 5s")).hasMessage(
                "--slo objective 'p95 under 5s' must look like METRIC<VALUE, e.g. success>=99.9%, p95<5s, ttft_p95<800ms, rps>=10");
        assertThatThrownBy(() -> Slo.parse("success>=120%")).hasMessage("--slo objective 'success>=120%': success cannot exceed 100%");
        assertThatThrownBy(() -> Slo.parse("success>=99s")).hasMessage(
                "--slo objective 'success>=99s': success is a percentage (99.9%) or a fraction (0.999), not s");
        assertThatThrownBy(() -> Slo.parse("rps>=10%")).hasMessage("--slo objective 'rps>=10%': rps is a plain number per second, without a unit");
        assertThatThrownBy(() -> Slo.parse("ttft_p42<1s")).hasMessageStartingWith("--slo objective 'ttft_p42<1s': unknown metric 'ttft_p42'");
        assertThat(Slo.parse(" ").isEmpty()).isTrue();
    }
}
