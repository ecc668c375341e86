package com.aiinference.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSignalsTest {
    private static final ServerSignals.Platform VLLM = new ServerSignals.Platform("vllm", "vllm/vllm-openai:v0.11.0",
            "m", 16, "--max-num-seqs", "g2-standard-12", "nvidia-l4", "latest", 1);
    private static final ServerSignals.Platform OLLAMA = new ServerSignals.Platform("ollama", "ollama/ollama:0.12.0",
            "llama3.1:8b", 8, "OLLAMA_NUM_PARALLEL", null, null, null, 1);

    private static ServerSignals.Sample vllm(double t, double running, double waiting, double kv, double preempted) {
        return new ServerSignals.Sample(t, running, waiting, null, kv, null, preempted, 1.0);
    }

    private static ServerSignals.Sample ollama(double t, double inFlight) {
        return new ServerSignals.Sample(t, null, null, inFlight, null, null, null, 1.0);
    }

    private static ServerSignals of(ServerSignals.Platform p, List<ServerSignals.Sample> samples) {
        return ServerSignals.of(p, 1, List.of(new ServerSignals.Replica("pod-a", "node-a", "x", samples, List.of())));
    }

    @Test
    void aQueueGrowingWhileRunningHoldsAtTheLimitIsTheReading() {
        ServerSignals s = of(VLLM, List.of(vllm(0, 8, 0, 40, 0), vllm(1, 16, 2, 60, 0), vllm(2, 16, 9, 70, 0)));
        assertThat(s.reading()).isEqualTo("requests queued in vLLM (waiting up to 9.0 per replica, growing) while running"
                + " held at the parallel limit (--max-num-seqs 16)");
        // Only the window asked for is read: before the queue there is nothing to say.
        assertThat(s.reading(0, 0.5)).isNull();
    }

    @Test
    void aFullKvCacheAndPreemptionsAreNamed() {
        ServerSignals s = of(VLLM, List.of(vllm(0, 10, 0, 95, 0), vllm(1, 9, 0, 97, 3)));
        assertThat(s.reading()).isEqualTo("KV cache near full (97.0% at peak); 3.0 sequences preempted (the KV cache could"
                + " not hold them)");
    }

    @Test
    void ollamaQueuesShowAsMoreInFlightThanItsParallelSlots() {
        assertThat(of(OLLAMA, List.of(ollama(0, 4), ollama(1, 8))).reading()).isNull();
        assertThat(of(OLLAMA, List.of(ollama(0, 8), ollama(1, 14))).reading()).isEqualTo(
                "requests queued in Ollama: up to 14.0 in flight at one replica's gateway, over OLLAMA_NUM_PARALLEL 8");
    }

    @Test
    void theMarkdownReportHasAReplicaTableAndThePlatformLine() {
        ServerSignals s = ServerSignals.of(VLLM, 1, List.of(new ServerSignals.Replica("ai-inference-7c9-abcde", "n", "vllm /metrics",
                List.of(vllm(0, 16, 4, 92, 1)), List.of(new ServerSignals.Gap(1, "pod proxy to :8081/metrics: HTTP 503")))));
        String md = MarkdownReport.render(new Report(ReportVersion.current(), "loadtest", "t", null,
                new Report.Verdict(com.aiinference.core.Check.Status.PASS, "SLO MET", List.of()), "r", List.of(), List.of(),
                null, null, List.of(), List.of(), null).withServer(s));
        assertThat(md).contains("### Server signals (per replica, read every 1.0s)",
                "| ai-inference-7c9-abcde | vllm /metrics | 1 | 1 | 16.0 | 4.0 | - | 92.0 | 1.0 |",
                "Platform: engine vllm, image vllm/vllm-openai:v0.11.0, model m, --max-num-seqs 16, machine g2-standard-12,"
                        + " GPU nvidia-l4, driver latest, 1 replica.",
                "Server signals: requests queued in vLLM");
    }
}
