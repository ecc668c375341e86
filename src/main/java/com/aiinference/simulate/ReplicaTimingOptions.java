package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.Durations;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a fake Ollama replica answers: shared by {@code simulate ollama} and {@code simulate cluster} so both stand
 * for the same replica. The defaults are timed like the seed's run (about 2.7 s for 128 tokens).
 */
public final class ReplicaTimingOptions {

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "128",
            description = "Tokens per answer; a smaller num_predict / max_tokens cuts it. Default: ${DEFAULT-VALUE}.")
    int tokens;

    @Option(names = "--ttft", paramLabel = "DURATION", defaultValue = "200ms", converter = Durations.Converter.class,
            description = "Time to first token once a slot is free. Default: ${DEFAULT-VALUE}.")
    Duration ttft;

    @Option(names = "--itl", paramLabel = "DURATION", defaultValue = "20ms", converter = Durations.Converter.class,
            description = "Delay between tokens. Default: ${DEFAULT-VALUE}.")
    Duration itl;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "8",
            description = "Answers each replica generates at once (OLLAMA_NUM_PARALLEL; vLLM's --max-num-seqs). Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = ChartContract.ENGINE_OLLAMA, converter = EngineConverter.class,
            description = "ollama (Ollama's API, 503 when the queue is full) or vllm (vLLM's OpenAI server: /v1/completions,"
                    + " /v1/chat/completions, /v1/models, /health, /metrics; requests beyond --parallel wait). Default: ${DEFAULT-VALUE}.")
    SimulatedEngineConfig.Engine engine;

    @Option(names = "--itl-per-seq", paramLabel = "DURATION", defaultValue = "0ms", converter = Durations.Converter.class,
            description = "Batching: each token waits --itl plus this for every other sequence decoding at once, so"
                    + " latency grows with load and throughput levels off at 1/this tokens/s per replica. Default: ${DEFAULT-VALUE}"
                    + " (fixed --itl whatever the load).")
    Duration itlPerSeq;

    @Option(names = "--prefill-per-token", paramLabel = "DURATION", defaultValue = "0.1ms", converter = Durations.Converter.class,
            description = "Prompt evaluation time per prompt token (characters / 4), added to --ttft, so TTFT grows with"
                    + " the prompt; with --engine vllm a prefix seen before (its prefix cache, blocks of 16 tokens) costs"
                    + " nothing and answers report usage.prompt_tokens_details.cached_tokens. Default: ${DEFAULT-VALUE}.")
    Duration prefillPerToken;

    /** The --engine value. */
    SimulatedEngineConfig.Engine engine() {
        return engine;
    }

    /** {@code --engine} by the chart's engine names ({@code ollama}, {@code vllm}): a bad value is a usage error. */
    static final class EngineConverter implements picocli.CommandLine.ITypeConverter<SimulatedEngineConfig.Engine> {
        @Override
        public SimulatedEngineConfig.Engine convert(String value) {
            for (SimulatedEngineConfig.Engine e : SimulatedEngineConfig.Engine.values()) {
                if (e.cliName().equals(value)) {
                    return e;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("--engine must be ollama or vllm, got '" + value + "'");
        }
    }

    /** A replica's configuration: these timings on top of {@code base}. */
    SimulatedEngineConfig apply(SimulatedEngineConfig base) {
        return base.withTokensPerAnswer(tokens).withTiming(ttft, itl).withEngine(engine()).withBatching(itlPerSeq)
                .withPrefill(prefillPerToken == null ? Duration.ZERO : prefillPerToken);
    }
}
