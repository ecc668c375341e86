package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A closed loop of N users in steady state does N / mean latency requests per second (Little's law). Against a
 * server with long answers (about 0.6 s) and windows only 2.5 answers long, where counting the answers that end inside
 * the window reads 20% low, every rate must agree with Little's law within 3%: single runs with and without a
 * warm-up, and each step of a sweep. Both sides come from the same run, so a slow machine moves them together.
 */
@Tag("timing")
@Timeout(120)
class LittlesLawTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 10 tokens: first after 150 ms, then one every 50 ms; never queued. */
    private static final SimulatedEngineConfig LONG_ANSWERS = SimulatedEngineConfig.defaults().withTokensPerAnswer(10)
            .withTiming(Duration.ofMillis(150), Duration.ofMillis(50)).withParallelism(64, 0);

    @TempDir
    Path dir;

    private static LoadTestResult run(SimulatedEngine fake, int users, Duration warmup) {
        LoadTestConfig config = LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).users(users)
                .warmup(warmup).duration(Duration.ofMillis(1500)).build();
        return LoadTestRunner.run(config, fake.generateUri(), new PrintWriter(new StringWriter()));
    }

    private static double littlesLaw(double users, double meanLatencyMs) {
        return users / (meanLatencyMs / 1000);
    }

    @Test
    void aSingleRunReadsUsersOverMeanLatencyWithAndWithoutAWarmUp() {
        try (SimulatedEngine fake = SimulatedEngine.start(LONG_ANSWERS)) {
            for (Duration warmup : new Duration[] {Duration.ZERO, Duration.ofMillis(350)}) {
                LoadTestResult r = run(fake, 8, warmup);
                double expected = littlesLaw(8, r.latency().mean());
                assertThat(r.served().succeededPerS()).as("warm-up %s, mean latency %s ms", warmup, r.latency().mean())
                        .isCloseTo(expected, within(0.03 * expected));
                assertThat(r.throughput().requestsPerS()).isCloseTo(r.served().succeededPerS(), within(1e-9));
            }
        }
    }

    @Test
    void everySweepStepReadsUsersOverMeanLatency() throws Exception {
        Path report = dir.resolve("sweep.json");
        try (SimulatedEngine fake = SimulatedEngine.start(LONG_ANSWERS)) {
            CommandLine cl = Main.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(out, true));
            int code = cl.execute("loadtest", "sweep", "--url", fake.baseUri().toString(), "--concurrency", "4,12",
                    "--step-duration", "1500ms", "--warmup", "0s", "--min-gain", "0", "--slo", "p95<60s", "--quiet",
                    "--report-json", report.toString());
            assertThat(code).as(out.toString()).isZero();
        }
        JsonNode steps = JSON.readTree(report.toFile()).get("steps");
        assertThat(steps).hasSize(2);
        for (JsonNode step : steps) {
            double expected = littlesLaw(step.get("concurrency").asDouble(), step.get("latency_ms").get("mean").asDouble());
            assertThat(step.get("requests_per_s").asDouble()).as(step.toString()).isCloseTo(expected, within(0.03 * expected));
        }
    }
}
