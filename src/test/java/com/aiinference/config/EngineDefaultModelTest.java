package com.aiinference.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.chart.ChartContract;
import org.junit.jupiter.api.Test;

/** An unset model is the engine's default, so switching engines takes one line. */
class EngineDefaultModelTest {

    @Test
    void theDevStackLeavesTheModelToTheEngine() {
        assertThat(DevStack.config()).doesNotContainKey("ai-inference:model");
        assertThat(DevStack.settings().workload().model()).isEqualTo(ChartContract.DEFAULT_MODEL).isEqualTo("llama3.1:8b");
        assertThat(DevStack.settings("engine", "vllm").workload().model())
                .isEqualTo(ChartContract.DEFAULT_VLLM_MODEL).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    }

    @Test
    void aModelThatIsSetIsKept() {
        assertThat(DevStack.settings("engine", "vllm", "model", "Qwen/Qwen2.5-7B-Instruct").workload().model())
                .isEqualTo("Qwen/Qwen2.5-7B-Instruct");
        assertThat(KnownModels.gatedOnHuggingFace("Qwen/Qwen2.5-7B-Instruct")).isFalse();
        assertThat(KnownModels.gatedOnHuggingFace("meta-llama/Llama-3.2-1B-Instruct")).isTrue();
    }
}
