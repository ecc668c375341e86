package com.aiinference.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The models whose shape the GPU-fit check knows: parameters, transformer layers, key/value heads and head size,
 * from each model's published {@code config.json} (Llama 3.1 8B: hidden 4096, 32 layers, 32 attention heads, 8 KV
 * heads, so head size 128; Llama 3.2 3B: hidden 3072, 28 layers, 24 heads, 8 KV heads, head 128; Llama 3.2 1B:
 * hidden 2048, 16 layers, 32 heads, 8 KV heads, head 64), under their Ollama and Hugging Face names. A model not
 * listed gets a stated warning, never a guess.
 */
public final class KnownModels {

    /**
     * One model's shape.
     *
     * @param family     display name
     * @param parameters weights, in parameters
     * @param layers     transformer layers
     * @param kvHeads    key/value heads (grouped-query attention)
     * @param headSize   dimension of one head
     * @param names      Ollama and Hugging Face names it is served under (lower case)
     */
    public record Model(String family, double parameters, int layers, int kvHeads, int headSize, List<String> names) {
        /** KV-cache bytes per token at {@code bytesPerValue}: keys and values, every layer, every KV head. */
        public double kvBytesPerToken(double bytesPerValue) {
            return 2.0 * layers * kvHeads * headSize * bytesPerValue;
        }
    }

    static final List<Model> MODELS = List.of(
            new Model("Llama 3.1 8B", 8.03e9, 32, 8, 128, List.of("llama3.1:8b", "llama3.1", "llama3.1:latest",
                    "meta-llama/llama-3.1-8b-instruct", "meta-llama/llama-3.1-8b", "meta-llama/meta-llama-3.1-8b-instruct")),
            new Model("Llama 3.2 3B", 3.21e9, 28, 8, 128, List.of("llama3.2:3b", "llama3.2", "llama3.2:latest",
                    "meta-llama/llama-3.2-3b-instruct", "meta-llama/llama-3.2-3b")),
            new Model("Llama 3.2 1B", 1.24e9, 16, 8, 64, List.of("llama3.2:1b",
                    "meta-llama/llama-3.2-1b-instruct", "meta-llama/llama-3.2-1b")));

    private KnownModels() {}

    /** The model served under {@code name}, if the table knows it. */
    public static Optional<Model> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return MODELS.stream().filter(m -> m.names().contains(n)).findFirst();
    }

    /**
     * Hugging Face organisations whose model repositories are gated (the license must be accepted and downloads need
     * a token): Meta's Llama, Google's Gemma, Mistral AI's.
     */
    static final List<String> GATED_PREFIXES = List.of("meta-llama/", "google/gemma", "mistralai/");

    /** Whether a Hugging Face id is from an organisation that gates its models. */
    public static boolean gatedOnHuggingFace(String id) {
        String n = id.toLowerCase(Locale.ROOT);
        return GATED_PREFIXES.stream().anyMatch(n::startsWith);
    }

    /** The names the table knows, for messages. */
    static String knownNames() {
        return String.join(", ", MODELS.stream().map(m -> m.names().get(0) + " / " + m.names().get(m.names().size() > 3 ? 3 : 1)).toList());
    }
}
