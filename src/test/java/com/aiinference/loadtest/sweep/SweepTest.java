package com.aiinference.loadtest.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.loadtest.engine.LatencySummary;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.Slo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/** The sweep's stop rules and knee, on steps whose figures the test chooses (no network). */
class SweepTest {
    private static final URI TARGET = URI.create("http://127.0.0.1:9/v1/completions");
    private final StringWriter log = new StringWriter();

    static LoadTestConfig base(String slo) {
        return LoadTestConfig.builder().slo(Slo.parse(slo)).timeout(Duration.ofSeconds(10)).build();
    }

    /** A closed-loop step that measured {@code rps} requests/s and this p95 latency, all succeeded. */
    static SweepStep step(double users, double rps, double p95Ms) {
        return step(SweepResult.CONCURRENCY, users, rps, p95Ms);
    }

    /** A step at {@code load} under {@code loadKey} that measured {@code rps} requests/s and this p95 latency. */
    static SweepStep step(String loadKey, double load, double rps, double p95Ms) {
        LatencySummary lat = new LatencySummary(100, p95Ms * 0.9, p95Ms * 0.9, p95Ms, p95Ms, p95Ms, p95Ms);
        LatencySummary ttft = new LatencySummary(100, 100, 100, 120, 120, 130, 140);
        return at(loadKey, load, rps, rps * 100, lat, ttft, LoadTestResult.Requests.of(100, 100, 0), Map.of(), 10_000,
                (long) load, null, null);
    }

    /** A step with these figures, its load as {@code concurrency} or {@code rate}. */
    static SweepStep at(String loadKey, double load, double rps, double tokensPerS, LatencySummary latency,
                        LatencySummary ttft, LoadTestResult.Requests requests, Map<String, Long> errors,
                        long outputTokens, long peakInFlight, String aborted, String stoppedByUser) {
        boolean rate = SweepResult.RATE.equals(loadKey);
        return new SweepStep(rate ? null : (long) load, rate ? load : null, rps, tokensPerS, latency, ttft,
                LatencySummary.EMPTY, LatencySummary.EMPTY, requests, errors, outputTokens, 20, peakInFlight, aborted,
                stoppedByUser, null);
    }

    static com.fasterxml.jackson.databind.node.ObjectNode json(SweepResult r) {
        return com.aiinference.report.ReportFiles.json().valueToTree(r);
    }

    private SweepResult run(Sweep sweep, DoubleFunction<SweepStep> steps, List<Double> ran) {
        return sweep.run(TARGET, 2, "--replicas", (load, cfg) -> {
            ran.add(load);
            assertThat(cfg.duration()).isEqualTo(sweep.stepDuration());
            if (sweep.loadKey().equals(SweepResult.RATE)) {
                assertThat(cfg.load()).isEqualTo(new LoadShape.OpenLoop(load));
            } else {
                assertThat(cfg.load()).isEqualTo(new LoadShape.ClosedLoop((int) load, java.time.Duration.ZERO));
            }
            return steps.apply(load);
        }, new PrintWriter(log, true));
    }

    @Test
    void stopsAtTheFirstStepThatBreaksTheSloAndTheKneeIsTheStepBefore() {
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(8.0, 16.0, 32.0, 64.0, 128.0), Duration.ofSeconds(5), 0.05,
                base("p95<5s"));
        List<Double> ran = new ArrayList<>();
        // latency grows with load: 2.5 s per 8 users above 8 -> 32 is at 4.9 s, 64 at 6.9 s
        SweepResult r = run(sweep, load -> step(load, load / 2, 2500 + (load - 8) * 100), ran);
        assertThat(ran).containsExactly(8.0, 16.0, 32.0, 64.0);
        assertThat(r.knee()).get().extracting(SweepStep::load).isEqualTo(32.0);
        assertThat(r.stopped()).isEqualTo("the SLO broke at concurrency 64 (p95<5s measured 8.1s)");
        assertThat(json(r).get("knee").toString()).isEqualTo("{\"concurrency\":32,\"rate\":null}");
        assertThat(log.toString()).contains("sweep: step 4/5, concurrency 64: 32.0 req/s", "SLO broken");
    }

    @Test
    void stopsWhenThroughputStopsRising() {
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(8.0, 16.0, 32.0, 64.0), Duration.ofSeconds(5), 0.05,
                base("p95<60s"));
        List<Double> ran = new ArrayList<>();
        // throughput saturates at 10 req/s: 16 -> 10, 32 -> 10.3 (+3%, under 5%)
        SweepResult r = run(sweep, load -> step(load, load == 8 ? 5 : load == 16 ? 10 : 10.3, 1000 + load * 10), ran);
        assertThat(ran).containsExactly(8.0, 16.0, 32.0);
        assertThat(r.stopped()).startsWith("throughput stopped rising at concurrency 32 (10.3 req/s against 10.0 before; less than +5%)");
        // the flat step was still within the SLO: it is the highest load within it
        assertThat(r.knee()).get().extracting(SweepStep::load).isEqualTo(32.0);
    }

    @Test
    void kneeIsNullWhenTheFirstStepBreaksTheSlo() {
        Sweep sweep = new Sweep(SweepResult.RATE, List.of(1.0, 2.0), Duration.ofSeconds(5), 0.05, base("p95<1s"));
        SweepResult r = run(sweep, load -> step(SweepResult.RATE, load, load, 2000), new ArrayList<>());
        assertThat(r.knee()).isEmpty();
        assertThat(json(r).get("knee").isNull()).isTrue();
        assertThat(json(r).get("steps").get(0).get("rate").asDouble()).isEqualTo(1.0);
        assertThat(r.steps()).hasSize(1);
    }

    @Test
    void aStepWithNoSuccessBreaksTheSloEvenWithoutObjectives() {
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(1.0, 2.0), Duration.ofSeconds(5), 0.05, base(""));
        SweepResult r = run(sweep, load -> at(SweepResult.CONCURRENCY, load, 0, 0, LatencySummary.EMPTY,
                LatencySummary.EMPTY, LoadTestResult.Requests.of(5, 0, 0), Map.of("http_404", 5L), 0, 1, null, null),
                new ArrayList<>());
        assertThat(r.knee()).isEmpty();
        assertThat(r.stopped()).isEqualTo("the SLO broke at concurrency 1 (no request succeeded (5 sent))");
    }

    @Test
    void anInterruptedStepEndsTheSweep() {
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(1.0, 2.0, 4.0), Duration.ofSeconds(5), 0.05, base("p95<5s"));
        SweepStep first = step(1, 1, 1000);
        SweepStep cut = at(SweepResult.CONCURRENCY, 2, 2, 20, first.latency(), first.ttft(),
                LoadTestResult.Requests.of(3, 2, 0), Map.of("aborted", 1L), 20, 2, "interrupted (Ctrl-C)", null);
        SweepResult r = run(sweep, load -> load == 1 ? first : cut, new ArrayList<>());
        assertThat(r.steps()).hasSize(2);
        assertThat(r.stopped()).isEqualTo("step 2 (concurrency 2) was stopped: interrupted (Ctrl-C)");
        assertThat(r.knee()).get().extracting(SweepStep::load).isEqualTo(1.0);
    }

    @Test
    void aStepTheUserStoppedIsNotJudgedEndsTheSweepAndCapacityRefusesIt() throws Exception {
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(1.0, 2.0, 4.0), Duration.ofSeconds(5), 0.05, base("p95<5s"));
        SweepStep first = step(1, 1, 1000);
        // Within the SLO by its figures, but cut: it must not become the knee.
        SweepStep cut = at(SweepResult.CONCURRENCY, 2, 2, 20, first.latency(), first.ttft(),
                LoadTestResult.Requests.of(3, 3, 0), Map.of(), 20, 2, null, "Ctrl-C");
        List<Double> ran = new ArrayList<>();
        SweepResult r = run(sweep, load -> load == 1 ? first : cut, ran);
        assertThat(ran).containsExactly(1.0, 2.0);
        assertThat(r.stopped()).isEqualTo("stopped by the user (Ctrl-C) during step 2 (concurrency 2): that step was cut"
                + " and is not judged, and no step after it ran");
        assertThat(r.knee()).get().extracting(SweepStep::load).isEqualTo(1.0);
        assertThat(SweepReport.markdown(r)).contains("| stopped (not judged) |", "a lower bound: the sweep was stopped");
        SweepResult back = SweepResult.read(write(r));
        assertThat(back.cutByUser()).get().extracting(SweepStep::stoppedByUser).isEqualTo("Ctrl-C");
        assertThat(json(r).at("/steps/1/within_slo").isNull()).isTrue();
        assertThatThrownBy(() -> Capacity.of(back, 1000, null)).isInstanceOf(SweepInputException.class)
                .hasMessage("the sweep was stopped by the user during its step at concurrency 2: it never showed where"
                        + " the SLO breaks, so its knee is not known; run the sweep to its end");
    }

    private java.nio.file.Path write(SweepResult r) throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("sweep", ".json");
        f.toFile().deleteOnExit();
        java.nio.file.Files.writeString(f, json(r).toString());
        return f;
    }

    @Test
    void theWholeSweepIsBoundedByItsStepsBounds() {
        LoadTestConfig base = base("p95<5s").toBuilder().warmup(Duration.ofSeconds(2)).build();
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(8.0, 16.0, 32.0), Duration.ofSeconds(20), 0.05, base);
        // each step: 2 s warm-up + 20 s + 10 s timeout
        assertThat(sweep.maxRunTime()).isEqualTo(Duration.ofSeconds(3 * 32));
    }

    @Test
    void badStepListsAreRefusedWithOneLine() {
        LoadTestConfig b = base("p95<5s");
        assertThatThrownBy(() -> new Sweep(SweepResult.CONCURRENCY, List.of(), Duration.ofSeconds(1), 0.05, b))
                .isInstanceOf(SweepInputException.class).hasMessage("--concurrency has no steps");
        assertThatThrownBy(() -> new Sweep(SweepResult.CONCURRENCY, List.of(8.0, 16.0, 16.0), Duration.ofSeconds(1), 0.05, b))
                .hasMessage("--concurrency steps must rise from low to high, got 16 then 16 (8,16,16)");
        assertThatThrownBy(() -> new Sweep(SweepResult.RATE, List.of(4.0, 2.0), Duration.ofSeconds(1), 0.05, b))
                .hasMessage("--rates steps must rise from low to high, got 4 then 2 (4,2)");
        assertThatThrownBy(() -> new Sweep(SweepResult.CONCURRENCY, List.of(0.0, 2.0), Duration.ofSeconds(1), 0.05, b))
                .hasMessage("--concurrency steps must be more than 0, got 0");
        assertThatThrownBy(() -> new Sweep(SweepResult.CONCURRENCY, List.of(1.5, 2.0), Duration.ofSeconds(1), 0.05, b))
                .hasMessage("--concurrency steps are whole numbers of users, got 1.5");
    }

    @Test
    void theJsonRoundTripsAndKeepsTheContractFields() {
        Sweep sweep = new Sweep(SweepResult.CONCURRENCY, List.of(8.0, 16.0), Duration.ofSeconds(5), 0.05, base("p95<5s"));
        SweepResult r = run(sweep, load -> step(load, load / 2, 1000), new ArrayList<>());
        var json = json(r);
        assertThat(json.get("replicas").asInt()).isEqualTo(2);
        var s0 = json.get("steps").get(0);
        assertThat(s0.get("concurrency").asLong()).isEqualTo(8);
        assertThat(s0.get("requests_per_s").asDouble()).isEqualTo(4.0);
        assertThat(s0.get("output_tokens_per_s").asDouble()).isEqualTo(400.0);
        assertThat(s0.get("latency_ms").get("p95").asDouble()).isEqualTo(1000.0);
        assertThat(s0.get("ttft_ms").get("p50").asDouble()).isEqualTo(100.0);
        assertThat(s0.get("requests").toString())
                .isEqualTo("{\"total\":100,\"succeeded\":100,\"failed\":0,\"stopped_by_user\":0,\"success_share\":1.0}");
        SweepResult back = SweepResult.fromJson(json, "test");
        assertThat(back.steps()).hasSize(2);
        assertThat(back.knee()).get().extracting(SweepStep::load).isEqualTo(16.0);
        assertThat(back.steps().get(1).latency().p95()).isEqualTo(1000.0);
        assertThat(back.slo().toString()).isEqualTo("p95<5s");
        assertThat(SweepReport.markdown(back)).contains("| 16 **knee** | 8.0 | 800 |", "Knee: concurrency 16");
        assertThat(SweepReport.html(back, null)).contains("<svg", "KNEE AT CONCURRENCY 16", "throughput (requests/s)", "SLO 5s");
    }
}
