package com.aiinference.loadtest.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.aiinference.Main;
import com.aiinference.simulate.RoundRobinFront;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The sweep against the simulator's batching model finds the knee where the model puts it, and the capacity it
 * derives holds when run.
 *
 * <p>The replica: vLLM mode, 8 tokens per answer, TTFT 100 ms, ITL 20 ms + 4 ms per other sequence decoding, 256
 * sequences at once (no queueing in these steps). With c users each answer takes L(c) = 100 + 7 x (20 + 4 x (c - 1))
 * ms: 436 ms at 8, 660 at 16, 884 at 24, 1,108 at 32. The SLO p95 < 996 ms sits between 24 and 32 with 112 ms of
 * room on either side, so the model's knee among the steps 16, 24, 32, 40 is 24. Tolerance: the knee must be
 * exactly 24 (the next step either way is 224 ms of modelled latency away), and each step's median latency within
 * 20% of L(c). Few, long gaps keep the timers' lateness on a loaded machine (it only adds time, a few ms per token
 * at a load average of 20 on 2 cores) well inside the room.
 */
@Tag("timing")
@Timeout(180)
class SweepKneeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    static final SimulatedEngineConfig REPLICA = SimulatedEngineConfig.defaults().withModels(List.of(MODEL))
            .withEngine(SimulatedEngineConfig.Engine.VLLM).withTokensPerAnswer(8)
            .withTiming(Duration.ofMillis(100), Duration.ofMillis(20)).withBatching(Duration.ofMillis(4))
            .withParallelism(256, 0);
    private static final String SLO = "p95<996ms";

    @TempDir
    Path dir;

    /** The model's latency for {@code c} concurrent users, ms. */
    static double modelLatencyMs(int c) {
        return 100 + 7 * (20 + 4 * (c - 1));
    }

    private StringWriter out;
    private StringWriter err;

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /**
     * Realistic prompts move the knee for the right reason: at 0.2 ms of prefill per prompt token, 2,000-token prompts
     * add 400 ms before the first token, so L(c) + 400 < 996 ms holds at 8 users (836 ms) and breaks at 16 (1,060 ms),
     * where 100-token prompts (+20 ms) still hold at 16 (680 ms). The steps' TTFT shows why.
     */
    @Test
    void longerPromptsMoveTheKneeDownByTheirPrefillTime() throws Exception {
        SimulatedEngineConfig prefill = REPLICA.withPrefill(Duration.ofNanos(200_000));
        JsonNode shortPrompts = sweepWithInput(prefill, "100");
        JsonNode longPrompts = sweepWithInput(prefill, "2000");
        assertThat(shortPrompts.get("knee").toString()).isEqualTo("{\"concurrency\":16,\"rate\":null}");
        assertThat(longPrompts.get("knee").toString()).isEqualTo("{\"concurrency\":8,\"rate\":null}");
        double shortTtft = shortPrompts.get("steps").get(0).get("ttft_ms").get("p50").asDouble();
        double longTtft = longPrompts.get("steps").get(0).get("ttft_ms").get("p50").asDouble();
        assertThat(longTtft - shortTtft).as("prefill of 1,900 more prompt tokens at 8 users").isBetween(300.0, 600.0);
    }

    private JsonNode sweepWithInput(SimulatedEngineConfig config, String inputTokens) throws Exception {
        Path sweep = dir.resolve("sweep-" + inputTokens + ".json");
        try (SimulatedEngine replica = SimulatedEngine.start(config)) {
            int code = run("loadtest", "sweep", "--url", replica.baseUri().toString(), "--api", "openai-completions",
                    "--model", MODEL, "--concurrency", "8,16", "--step-duration", "2s", "--warmup", "500ms",
                    "--input-tokens", inputTokens, "--slo", SLO, "--replicas", "1", "--quiet",
                    "--report-json", sweep.toString());
            assertThat(code).as(out + "\n" + err).isZero();
        }
        return JSON.readTree(sweep.toFile());
    }

    @Test
    void theSweepFindsTheModelsKneeAndCapacityIsConfirmedAtThatManyReplicas() throws Exception {
        Path sweep = dir.resolve("sweep.json");
        try (SimulatedEngine replica = SimulatedEngine.start(REPLICA)) {
            int code = run("loadtest", "sweep", "--url", replica.baseUri().toString(), "--api", "openai-completions",
                    "--model", MODEL, "--concurrency", "16,24,32,40", "--step-duration", "2s", "--warmup", "500ms",
                    "--slo", SLO, "--replicas", "1", "--quiet", "--report-json", sweep.toString());
            assertThat(code).as(out + "\n" + err).isZero();
        }
        JsonNode root = JSON.readTree(sweep.toFile());
        assertThat(root.get("knee").toString()).as(out.toString()).isEqualTo("{\"concurrency\":24,\"rate\":null}");
        // It stops at the first step past the knee (the SLO breaks at 32), or already at the knee when the measured
        // requests/s (which count each step's drain tail) rose less than 5%: either way no step above 32 runs.
        assertThat(root.get("stopped").asText()).matches(
                "the SLO broke at concurrency 32 .*|throughput stopped rising at concurrency 24 .*");
        for (JsonNode step : root.get("steps")) {
            int c = step.get("concurrency").asInt();
            assertThat(step.get("latency_ms").get("p50").asDouble()).as("p50 at " + c)
                    .isCloseTo(modelLatencyMs(c), within(modelLatencyMs(c) * 0.20));
            assertThat(step.get("requests").get("failed").asLong()).isZero();
        }

        // 60 users at 24 per replica: 3 replicas (2.5 rounded up)
        assertThat(run("loadtest", "capacity", "--sweep", sweep.toString(), "--users", "60", "--output", "json")).isZero();
        JsonNode cap = JSON.readTree(out.toString());
        assertThat(cap.get("replicas").asInt()).isEqualTo(3);
        assertThat(cap.get("per_replica_concurrency").asDouble()).isEqualTo(24.0);

        // a separate run: 60 users against 3 replicas behind a round-robin front holds the SLO (20 each: 772 ms) ...
        assertThat(runBehindFront(3, 60)).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("**SLO MET**", "| " + SLO + " | slo | PASS |");
        // ... and one replica fewer does not (30 users each: L(30) = 1,052 ms modelled)
        assertThat(runBehindFront(2, 60)).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("**SLO NOT MET**", "| " + SLO + " | slo | **FAIL** |");
    }

    private int runBehindFront(int replicas, int users) {
        List<SimulatedEngine> fakes = new ArrayList<>();
        try {
            List<URI> bases = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                SimulatedEngine f = SimulatedEngine.start(REPLICA);
                fakes.add(f);
                bases.add(f.baseUri());
            }
            try (RoundRobinFront front = RoundRobinFront.start(bases, 0)) {
                return run("loadtest", "--url", front.baseUri().toString(), "--api", "openai-completions", "--model", MODEL,
                        "--users", Integer.toString(users), "--duration", "2s", "--warmup", "500ms", "--slo", SLO, "--quiet");
            }
        } finally {
            fakes.forEach(SimulatedEngine::close);
        }
    }
}
