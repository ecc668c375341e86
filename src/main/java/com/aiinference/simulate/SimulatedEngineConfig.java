package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link SimulatedEngine} behaves: which models it knows, how long its answers are and how fast they come,
 * how many it generates at once and how many it queues (Ollama's {@code OLLAMA_NUM_PARALLEL} and
 * {@code OLLAMA_MAX_QUEUE}), and which faults it injects.
 *
 * <p>Timing model, per answer of {@code n} tokens, once a generation slot is free: the first token is written
 * {@code timeToFirstToken} after the slot was taken, each further token {@link #interTokenDelay(int)} after the
 * previous one was due (times on the server's clock: a token written late by a busy machine does not push back the
 * ones after it), and the final {@code done} line right after the last token.
 *
 * <p>Batching: a GPU decodes every running sequence in one step, and a step takes longer the more sequences it
 * holds. The model: the delay before a sequence's next token is {@code interTokenDelay + interTokenDelayPerSequence
 * x (sequences decoding at that moment - 1)}. With {@code d} sequences decoding throughout, a client sees
 * TTFT = queue wait + timeToFirstToken and latency = TTFT + (n - 1) x (interTokenDelay + perSequence x (d - 1)), and
 * one replica's token rate d / (interTokenDelay + perSequence x (d - 1)) levels off towards 1 / perSequence:
 * latency grows with load while throughput flattens, which is the knee a sweep looks for. A per-sequence delay of 0
 * is the plain model (fixed delay whatever the load).
 *
 * @param port              TCP port on 127.0.0.1; 0 picks a free one
 * @param models            model names served; any other gets 404 like Ollama
 * @param tokensPerAnswer   natural answer length; a smaller {@code num_predict}/{@code max_tokens} cuts it
 *                          (done_reason {@code length})
 * @param timeToFirstToken  delay from taking a slot to the first token (prompt evaluation)
 * @param interTokenDelay   delay between tokens (decode speed)
 * @param numParallel       answers generated at once (OLLAMA_NUM_PARALLEL)
 * @param maxQueue          requests waiting for a slot before 503 "server busy" (OLLAMA_MAX_QUEUE)
 * @param faults            fractions of requests that fail on purpose
 * @param seed              seed of the fault draws, so a run is repeatable
 * @param version           what {@code GET /api/version} answers
 * @param engine            which server's API this fake speaks: Ollama's (and its OpenAI routes) or vLLM's
 * @param interTokenDelayPerSequence extra delay per token for each other sequence decoding at once (batching)
 * @param prefillPerToken   prompt evaluation time per prompt token (counted as a server would: characters / 4),
 *                          added to {@code timeToFirstToken}; with {@link Engine#VLLM}, tokens of a prefix seen before
 *                          (its prefix cache) cost nothing
 */
public record SimulatedEngineConfig(
        int port,
        List<String> models,
        int tokensPerAnswer,
        Duration timeToFirstToken,
        Duration interTokenDelay,
        int numParallel,
        int maxQueue,
        Faults faults,
        long seed,
        String version,
        Engine engine,
        Duration interTokenDelayPerSequence,
        Duration prefillPerToken) {

    public static final String DEFAULT_MODEL = ChartContract.DEFAULT_MODEL;

    /** The inference server a fake stands for. */
    public enum Engine {
        /**
         * Ollama: {@code /api/generate}, {@code /api/chat}, {@code /api/tags}, {@code /api/ps}, {@code /} and the OpenAI routes; a full
         * queue answers 503.
         */
        OLLAMA,
        /**
         * vLLM's OpenAI server: {@code /v1/completions}, {@code /v1/chat/completions}, {@code /v1/models},
         * {@code /health}, {@code /metrics} (Prometheus); {@code numParallel} is {@code --max-num-seqs}; requests
         * beyond it wait (vLLM has no queue limit, so {@code maxQueue} is not applied).
         */
        VLLM;

        /** The engine's name: the chart's {@code engine} value. */
        public String cliName() {
            return this == VLLM ? ChartContract.ENGINE_VLLM : ChartContract.ENGINE_OLLAMA;
        }
    }

    /** The Ollama fake with the plain timing model (no per-sequence delay). */
    public SimulatedEngineConfig(int port, List<String> models, int tokensPerAnswer, Duration timeToFirstToken,
                            Duration interTokenDelay, int numParallel, int maxQueue, Faults faults, long seed,
                            String version) {
        this(port, models, tokensPerAnswer, timeToFirstToken, interTokenDelay, numParallel, maxQueue, faults, seed,
                version, Engine.OLLAMA, Duration.ZERO, Duration.ZERO);
    }

    /** The fake with a per-sequence delay and no prefill time per prompt token. */
    public SimulatedEngineConfig(int port, List<String> models, int tokensPerAnswer, Duration timeToFirstToken,
                                 Duration interTokenDelay, int numParallel, int maxQueue, Faults faults, long seed,
                                 String version, Engine engine, Duration interTokenDelayPerSequence) {
        this(port, models, tokensPerAnswer, timeToFirstToken, interTokenDelay, numParallel, maxQueue, faults, seed,
                version, engine, interTokenDelayPerSequence, Duration.ZERO);
    }

    public SimulatedEngineConfig {
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
        Objects.requireNonNull(interTokenDelay, "interTokenDelay");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(interTokenDelayPerSequence, "interTokenDelayPerSequence");
        models = List.copyOf(models);
        Objects.requireNonNull(prefillPerToken, "prefillPerToken");
        if (prefillPerToken.isNegative()) {
            throw new IllegalArgumentException("the prefill time per prompt token must not be negative");
        }
        if (interTokenDelayPerSequence.isNegative()) {
            throw new IllegalArgumentException("the per-sequence inter-token delay must not be negative");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (models.isEmpty() || models.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("models must name at least one model, got " + models);
        }
        if (tokensPerAnswer < 1) {
            throw new IllegalArgumentException("tokens per answer must be at least 1, got " + tokensPerAnswer);
        }
        if (timeToFirstToken.isNegative() || interTokenDelay.isNegative()) {
            throw new IllegalArgumentException("time to first token and inter-token delay must not be negative");
        }
        if (numParallel < 1) {
            throw new IllegalArgumentException("parallel must be at least 1, got " + numParallel);
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("max queue must not be negative, got " + maxQueue);
        }
    }

    /** Ollama-like defaults that make a 128-token answer take about 2.7 s, as the seed's run measured. */
    public static SimulatedEngineConfig defaults() {
        return new SimulatedEngineConfig(0, List.of(DEFAULT_MODEL), 128, Duration.ofMillis(200), Duration.ofMillis(20),
                8, 512, Faults.NONE, 1L, "0.17.1");
    }

    public SimulatedEngineConfig withModels(List<String> v) {
        return toBuilder().models(v).build();
    }

    public SimulatedEngineConfig withTokensPerAnswer(int v) {
        return toBuilder().tokensPerAnswer(v).build();
    }

    public SimulatedEngineConfig withTiming(Duration ttft, Duration itl) {
        return toBuilder().timeToFirstToken(ttft).interTokenDelay(itl).build();
    }

    public SimulatedEngineConfig withParallelism(int parallel, int queue) {
        return toBuilder().numParallel(parallel).maxQueue(queue).build();
    }

    public SimulatedEngineConfig withFaults(Faults v) {
        return toBuilder().faults(v).build();
    }

    public SimulatedEngineConfig withSeed(long v) {
        return toBuilder().seed(v).build();
    }

    /** The same fake speaking {@code e}'s API. */
    public SimulatedEngineConfig withEngine(Engine e) {
        return toBuilder().engine(e).build();
    }

    /** The same fake with this extra delay per token for each other sequence decoding at once. */
    public SimulatedEngineConfig withBatching(Duration perSequence) {
        return toBuilder().interTokenDelayPerSequence(perSequence).build();
    }

    /** The same fake with this prompt evaluation time per prompt token. */
    public SimulatedEngineConfig withPrefill(Duration perToken) {
        return toBuilder().prefillPerToken(perToken).build();
    }

    /** The prefill time of a prompt of {@code tokens} tokens, {@code cached} of them from the prefix cache. */
    public Duration prefill(int tokens, int cached) {
        return prefillPerToken.multipliedBy(Math.max(0, tokens - cached));
    }

    private Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy with some settings changed; {@link #build()} validates the whole as the constructor does. */
    private static final class Builder {
        private int port;
        private List<String> models;
        private int tokensPerAnswer;
        private Duration timeToFirstToken;
        private Duration interTokenDelay;
        private int numParallel;
        private int maxQueue;
        private Faults faults;
        private long seed;
        private final String version;
        private Engine engine;
        private Duration interTokenDelayPerSequence;
        private Duration prefillPerToken;

        Builder(SimulatedEngineConfig c) {
            port = c.port;
            models = c.models;
            tokensPerAnswer = c.tokensPerAnswer;
            timeToFirstToken = c.timeToFirstToken;
            interTokenDelay = c.interTokenDelay;
            numParallel = c.numParallel;
            maxQueue = c.maxQueue;
            faults = c.faults;
            seed = c.seed;
            version = c.version;
            engine = c.engine;
            interTokenDelayPerSequence = c.interTokenDelayPerSequence;
            prefillPerToken = c.prefillPerToken;
        }

        Builder port(int v) { port = v; return this; }
        Builder models(List<String> v) { models = v; return this; }
        Builder tokensPerAnswer(int v) { tokensPerAnswer = v; return this; }
        Builder timeToFirstToken(Duration v) { timeToFirstToken = v; return this; }
        Builder interTokenDelay(Duration v) { interTokenDelay = v; return this; }
        Builder numParallel(int v) { numParallel = v; return this; }
        Builder maxQueue(int v) { maxQueue = v; return this; }
        Builder faults(Faults v) { faults = v; return this; }
        Builder seed(long v) { seed = v; return this; }
        Builder engine(Engine v) { engine = v; return this; }
        Builder interTokenDelayPerSequence(Duration v) { interTokenDelayPerSequence = v; return this; }
        Builder prefillPerToken(Duration v) { prefillPerToken = v; return this; }

        SimulatedEngineConfig build() {
            return new SimulatedEngineConfig(port, models, tokensPerAnswer, timeToFirstToken, interTokenDelay, numParallel,
                    maxQueue, faults, seed, version, engine, interTokenDelayPerSequence, prefillPerToken);
        }
    }

    /** The delay before a sequence's next token while {@code decoding} sequences (itself included) decode at once. */
    public Duration interTokenDelay(int decoding) {
        return interTokenDelay.plus(interTokenDelayPerSequence.multipliedBy(Math.max(0, decoding - 1)));
    }

    /**
     * Fractions (0..1) of generate requests that fail on purpose. They are drawn once per request in this
     * order, so their sum must not exceed 1.
     *
     * @param busy     answered 503 "server busy" at once, as a full Ollama queue does
     * @param reset    connection reset (TCP RST) halfway through the answer
     * @param stall    the answer stops halfway and the connection stays open, silent
     * @param garbage  a line that is not JSON halfway through the answer (the rest follows normally)
     * @param cut      the answer ends cleanly halfway, without the final {@code done} line / {@code [DONE]}
     */
    public record Faults(double busy, double reset, double stall, double garbage, double cut) {
        public static final Faults NONE = new Faults(0, 0, 0, 0, 0);

        public Faults {
            for (double f : new double[] {busy, reset, stall, garbage, cut}) {
                if (!(f >= 0 && f <= 1)) {
                    throw new IllegalArgumentException("fault fractions must be between 0 and 1, got " + f);
                }
            }
            if (busy + reset + stall + garbage + cut > 1.0 + 1e-9) {
                throw new IllegalArgumentException("fault fractions add up to more than 1 (100%)");
            }
        }

        public boolean any() {
            return busy + reset + stall + garbage + cut > 0;
        }
    }
}
