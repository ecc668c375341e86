package com.aiinference.loadtest.engine;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What a run's traffic was, beside how fast it was served: the lengths asked and the lengths the server counted, the
 * prompt tokens a prefix cache saved (where the server says), and, for conversations, each turn's figures. Measured
 * successes only.
 *
 * @param workload      the traffic as asked, in one line ({@code input uniform:64:256 tokens, 3 turns, ...})
 * @param inputAsked    prompt tokens per request as the client estimated them (characters over characters per token)
 * @param inputServer   prompt tokens per request as the server counted them (prompt_eval_count, usage.prompt_tokens)
 * @param outputAsked   num_predict / max_tokens per request
 * @param outputServer  answer tokens per request as the server counted them (eval_count, usage.completion_tokens)
 * @param cachedTokens  prompt tokens the server took from its prefix cache
 *                      (usage.prompt_tokens_details.cached_tokens), null when no answer gave the count
 * @param cachedShare   cached tokens over the prompt tokens of the answers that gave the count (NaN when none)
 * @param cached        cached prompt tokens per request, of the answers that gave the count
 * @param turns         one row per turn number (empty unless users hold conversations)
 */
public record TrafficSummary(String workload, Lengths inputAsked, Lengths inputServer, Lengths outputAsked,
                             Lengths outputServer, Long cachedTokens, double cachedShare, Lengths cached, List<TurnRow> turns) {
    public TrafficSummary {
        turns = List.copyOf(turns);
    }

    /** Mean, median and 95th percentile of a length in tokens over {@code count} requests (NaN when none). */
    public record Lengths(long count, double mean, double p50, double p95) {
        static final Lengths NONE = new Lengths(0, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * The requests that were turn {@code turn} of their conversation.
     *
     * @param inputTokensMean prompt tokens the server counted, mean (the context grows turn by turn)
     */
    public record TurnRow(int turn, long count, @JsonProperty("ttft_p50_ms") double ttftP50Ms,
                          @JsonProperty("ttft_p95_ms") double ttftP95Ms,
                          @JsonProperty("latency_p50_ms") double latencyP50Ms, double inputTokensMean) {}
}
