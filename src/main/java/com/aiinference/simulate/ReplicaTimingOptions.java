package com.aiinference.simulate;

import com.aiinference.loadtest.Durations;
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
            description = "Answers each replica generates at once (OLLAMA_NUM_PARALLEL). Default: ${DEFAULT-VALUE}.")
    int parallel;
}
