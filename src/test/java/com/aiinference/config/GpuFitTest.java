package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.core.Check;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The GPU-fit check: weights at their precision plus the KV cache for numParallel x contextLength on one L4. */
class GpuFitTest {
    private static final String VLLM_8B = "meta-llama/Llama-3.1-8B-Instruct";

    private static Check fit(String... keyValues) {
        Settings s = SettingsParser.parse(DevStack.PROJECT, DevStack.with(keyValues),
                Set.of(DevStack.PROJECT + ":apiKeys", DevStack.PROJECT + ":hfToken"));
        List<Check> all = PolicyRules.check(s, new PolicyRules.ChartVerdict(java.util.Optional.empty(), Set.of()));
        return all.stream().filter(c -> c.name().equals("gpu-memory-fits")).findFirst().orElseThrow();
    }

    @Test
    void theSeedsOllamaSettingsFitAndParallel16Too() {
        Check seed = fit();
        assertThat(seed.status()).isEqualTo(Check.Status.PASS);
        assertThat(seed.message()).isEqualTo("Llama 3.1 8B: 4.9 GB weights (8.03B parameters at Ollama's 4-bit Q4_K_M)"
                + " + KV cache for ai-inference:numParallel 8 x ai-inference:contextLength 4096 = 32,768 tokens at 128 KiB"
                + " each = 9.2 GB fits 24.0 GB of the nvidia-l4");
        assertThat(fit("numParallel", "16").message()).contains("65,536 tokens at 128 KiB each = 13.5 GB fits 24.0 GB");
    }

    @Test
    void tooMuchParallelismTimesContextIsRefusedNamingTheKeys() {
        Check c = fit("numParallel", "64", "contextLength", "8192");
        assertThat(c.status()).isEqualTo(Check.Status.FAIL);
        assertThat(c.message()).isEqualTo("Llama 3.1 8B on one nvidia-l4: 4.9 GB weights (8.03B parameters at Ollama's"
                + " 4-bit Q4_K_M) + KV cache for ai-inference:numParallel 64 x ai-inference:contextLength 8192 = 524,288"
                + " tokens at 128 KiB each = 73.6 GB exceeds 24.0 GB of the nvidia-l4; at most 145,568 tokens of KV cache"
                + " fit: lower ai-inference:numParallel or ai-inference:contextLength");
    }

    @Test
    void vllmCountsBf16WeightsAgainstItsShareOfTheGpu() {
        Check ok = fit("engine", "vllm", "model", VLLM_8B);
        assertThat(ok.status()).isEqualTo(Check.Status.PASS);
        assertThat(ok.message()).isEqualTo("Llama 3.1 8B: 16.1 GB weights (8.03B parameters at bfloat16) + KV cache for"
                + " ai-inference:numParallel 8 x ai-inference:contextLength 4096 = 32,768 tokens at 128 KiB each = 20.4 GB"
                + " fits 0.9 x 24.0 GB = 21.6 GB (ai-inference:gpuMemoryUtilization)");
        Check tooMany = fit("engine", "vllm", "model", VLLM_8B, "numParallel", "64", "contextLength", "8192");
        assertThat(tooMany.status()).isEqualTo(Check.Status.FAIL);
        assertThat(tooMany.message()).endsWith("exceeds 0.9 x 24.0 GB = 21.6 GB (ai-inference:gpuMemoryUtilization);"
                + " at most 42,266 tokens of KV cache fit: lower ai-inference:numParallel or ai-inference:contextLength,"
                + " or serve quantized weights (ai-inference:quantization)");
        Check fp8 = fit("engine", "vllm", "model", VLLM_8B, "quantization", "fp8", "numParallel", "32", "contextLength", "2048");
        assertThat(fp8.status()).isEqualTo(Check.Status.PASS);
        assertThat(fp8.message()).contains("8.0 GB weights (8.03B parameters at fp8)", "= 16.6 GB fits 0.9 x 24.0 GB");
    }

    @Test
    void anUnknownModelIsAStatedWarningNotAGuess() {
        Check c = fit("model", "qwen2.5:7b");
        assertThat(c.status()).isEqualTo(Check.Status.WARN);
        assertThat(c.message()).startsWith("model qwen2.5:7b is not in the known-model table (")
                .endsWith("): its weights and KV cache against the 24.0 GB nvidia-l4 are not checked");
    }

    @Test
    void vllmNeedsAHuggingFaceIdAndTheTokenOnlyAsASecret() {
        // An Ollama name set explicitly is refused; an unset model is vLLM's own default (EngineDefaultModelTest).
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevStack.settings("engine", "vllm", "model", "llama3.1:8b"))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).containsExactly(
                        "ai-inference:model llama3.1:8b is an Ollama model name, but ai-inference:engine vllm serves a"
                                + " Hugging Face id such as meta-llama/Llama-3.1-8B-Instruct"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevStack.settings("engine", "vllm", "model", VLLM_8B,
                        "hfToken", "hf_abcdefghijklmnop"))
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).containsExactly(
                        "ai-inference:hfToken must be set as a secret: pulumi config set --secret hfToken <token>"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevStack.settings("engine", "tgi"))
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).contains(
                        "ai-inference:engine tgi is not one of ollama, vllm"));
    }
}
