package com.aiinference.signals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    /** The shape of vLLM V1's /metrics: HELP/TYPE lines, labelled samples, counters with .0, escapes in values. */
    private static final String VLLM = """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 16.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
            vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.925
            vllm:request_success_total{finished_reason="stop",model_name="m"} 10.0
            vllm:request_success_total{finished_reason="length",model_name="m"} 5.0
            vllm:num_preemptions_total{model_name="m"} 2.0
            vllm:prefix_cache_queries_total{model_name="m"} 1000.0
            vllm:prefix_cache_hits_total{model_name="m"} 250.0
            odd{path="a \\"quoted\\" \\\\ value, with } inside"} +Inf 1712345678000
            """;

    @Test
    void readsSamplesWithLabelsAndSumsOverLabelSets() {
        PrometheusText page = PrometheusText.parse(VLLM);
        assertThat(page.sum("vllm:num_requests_running")).contains(16.0);
        assertThat(page.sum("vllm:request_success_total")).contains(15.0);
        assertThat(page.sum("absent")).isEmpty();
        assertThat(page.sumOfFirst("vllm:gpu_cache_usage_perc", "vllm:kv_cache_usage_perc")).contains(0.925);
        assertThat(page.samples().get("odd").get(0).labels()).isEqualTo(Map.of("path", "a \"quoted\" \\ value, with } inside"));
        assertThat(page.samples().get("odd").get(0).value()).isInfinite();
    }

    @Test
    void vllmFiguresAreTheSchedulersGaugesAndCounters() {
        assertThat(SignalSampler.vllm(VLLM)).containsEntry("running", 16.0).containsEntry("waiting", 3.0)
                .containsEntry("kv_cache_pct", 92.5).containsEntry("preemptions", 2.0).containsEntry("prefix_queries", 1000.0)
                .containsEntry("prefix_hits", 250.0).containsEntry("requests", 15.0);
        // vLLM before V1 named the KV-cache gauge differently.
        assertThat(SignalSampler.vllm("vllm:num_requests_running 1\nvllm:gpu_cache_usage_perc 0.5\n"))
                .containsEntry("kv_cache_pct", 50.0).doesNotContainKey("waiting");
    }

    @Test
    void aPageThatIsNotTheTextFormatIsRejectedWithItsLine() {
        assertThatThrownBy(() -> PrometheusText.parse("<html>\n<body>502 Bad Gateway</body>"))
                .hasMessage("not the Prometheus text format: line 1 has no metric name: '<html>'");
        assertThatThrownBy(() -> PrometheusText.parse("# ok\nm{a=\"1\"} twelve\n"))
                .hasMessageContaining("line 2 has a value that is not a number");
        assertThatThrownBy(() -> PrometheusText.parse("m{a=\"1} 3\n")).hasMessageContaining("unterminated label value");
        assertThatThrownBy(() -> SignalSampler.vllm("other_metric 1\n"))
                .hasMessage("no vllm:num_requests_running on the page (is this vLLM's /metrics?)");
    }

    @Test
    void theGatewaysInFlightIsNginxsWritingLessTheReadItself() {
        String page = "Active connections: 7 \nserver accepts handled requests\n 20 20 145 \nReading: 0 Writing: 4 Waiting: 3 \n";
        assertThat(SignalSampler.gateway(page)).containsEntry("in_flight", 3.0).containsEntry("requests", 145.0);
        assertThatThrownBy(() -> SignalSampler.gateway("{\"kind\":\"Status\"}")).hasMessageStartingWith("not an nginx stub_status page");
    }
}
