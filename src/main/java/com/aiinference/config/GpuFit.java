package com.aiinference.config;

import static com.aiinference.config.ConfigKeys.*;

import com.aiinference.core.Check;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether one GPU holds the engine's settings, before anything is created: the model's weights at their precision
 * plus a KV cache for every parallel sequence at the full context length ({@code numParallel x contextLength}) must
 * fit the GPU's memory, or with vLLM the {@code gpuMemoryUtilization} share of it that vLLM takes. This is the worst
 * case (every sequence at its full context at once); activations and CUDA graphs are not counted.
 *
 * <p>Weights: Ollama's default tags are 4-bit (Q4_K_M), about 0.61 bytes per parameter (llama3.1:8b is 4.9 GB for
 * 8.03B parameters); vLLM loads 2 bytes per parameter (bfloat16/float16), 1 with fp8, about 0.5 with 4-bit AWQ, GPTQ
 * or bitsandbytes. KV cache: 2 bytes per value (f16) for both engines' defaults.
 */
public final class GpuFit {
    static final String CHECK = "gpu-memory-fits";
    /** Memory of one accelerator, bytes (NVIDIA L4: 24 GB GDDR6). */
    static final Map<String, Double> GPU_MEMORY_BYTES = Map.of("nvidia-l4", 24e9);
    static final double OLLAMA_Q4_BYTES_PER_PARAMETER = 4.92e9 / 8.03e9;
    static final double KV_BYTES_PER_VALUE = 2;

    private GpuFit() {}

    /** The check for these settings: PASS with the arithmetic, FAIL naming the keys, WARN when a figure is unknown. */
    public static Check check(Settings s) {
        java.util.function.Function<ConfigKey, String> k = key -> s.project() + ":" + key.name();
        var w = s.workload();
        var engine = s.engine();
        String accelerator = s.gpuPool().acceleratorType();
        Double gpuBytes = GPU_MEMORY_BYTES.get(accelerator);
        if (gpuBytes == null) {
            return Check.warn(CHECK, "GPU memory of " + accelerator + " is not known here (only nvidia-l4, 24 GB):"
                    + " not checked whether the model and its KV cache fit");
        }
        Optional<KnownModels.Model> known = KnownModels.find(w.model());
        if (known.isEmpty()) {
            return Check.warn(CHECK, "model " + w.model() + " is not in the known-model table (" + KnownModels.knownNames()
                    + "): its weights and KV cache against the " + gb(gpuBytes) + " " + accelerator + " are not checked");
        }
        KnownModels.Model m = known.get();
        double bytesPerParameter;
        String precision;
        if (engine.isVllm()) {
            switch (engine.quantization()) {
                case "fp8" -> { bytesPerParameter = 1; precision = "fp8"; }
                case "awq", "awq_marlin", "gptq", "gptq_marlin", "bitsandbytes" -> {
                    bytesPerParameter = 0.5;
                    precision = "4-bit " + engine.quantization();
                }
                default -> {
                    bytesPerParameter = 2;
                    precision = "auto".equals(engine.dtype()) ? "bfloat16" : engine.dtype();
                }
            }
        } else {
            bytesPerParameter = OLLAMA_Q4_BYTES_PER_PARAMETER;
            precision = "Ollama's 4-bit Q4_K_M";
        }
        double weights = m.parameters() * bytesPerParameter;
        long tokens = (long) w.numParallel() * w.contextLength();
        double perToken = m.kvBytesPerToken(KV_BYTES_PER_VALUE);
        double kv = tokens * perToken;
        double budget = engine.isVllm() ? gpuBytes * engine.gpuMemoryUtilization() : gpuBytes;
        String budgetText = engine.isVllm()
                ? String.format(Locale.ROOT, "%s x %s = %s (%s)", trim(engine.gpuMemoryUtilization()), gb(gpuBytes), gb(budget),
                        k.apply(GPU_MEMORY_UTILIZATION))
                : gb(gpuBytes) + " of the " + accelerator;
        String sum = String.format(Locale.ROOT, "%s weights (%s parameters at %s) + KV cache for %s x %s = %,d tokens"
                        + " at %s KiB each = %s", gb(weights), trimB(m.parameters()), precision, k.apply(NUM_PARALLEL) + " " + w.numParallel(),
                k.apply(CONTEXT_LENGTH) + " " + w.contextLength(), tokens, trim(perToken / 1024), gb(weights + kv));
        if (weights + kv > budget) {
            long fitTokens = (long) Math.max(0, (budget - weights) / perToken);
            return Check.fail(CHECK, m.family() + " on one " + accelerator + ": " + sum + " exceeds " + budgetText
                    + (fitTokens > 0 ? String.format(Locale.ROOT, "; at most %,d tokens of KV cache fit: lower %s or %s",
                    fitTokens, k.apply(NUM_PARALLEL), k.apply(CONTEXT_LENGTH)) : "; the weights alone do not fit")
                    + (engine.isVllm() && engine.quantization().isEmpty() ? ", or serve quantized weights (" + k.apply(QUANTIZATION) + ")" : ""));
        }
        return Check.pass(CHECK, m.family() + ": " + sum + " fits " + budgetText);
    }


    private static String gb(double bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }

    private static String trimB(double parameters) {
        return String.format(Locale.ROOT, "%.2fB", parameters / 1e9);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.replaceAll("\\.?0+$", "");
    }
}
