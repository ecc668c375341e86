package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The warm-up reads every API's synthetic answers and ends once the JIT's clock stands still. */
class EngineWarmupTest {
    private static LoadTestConfig config(Api api, boolean stream) {
        return LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).api(api).stream(stream).users(1).build();
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"OLLAMA,true", "OLLAMA,false", "OPENAI_CHAT,true", "OPENAI_CHAT,false", "OPENAI_COMPLETIONS,true",
            "OPENAI_COMPLETIONS,false"})
    void aJitThatHasSettledEndsTheWarmUpAfterTheMinimum(Api api, boolean stream) {
        // A clock that stands still: every synthetic answer was read (a refused one would stop the warm-up at once).
        int answers = EngineWarmup.run(config(api, stream), () -> false, () -> 42);
        assertThat(answers).isEqualTo(EngineWarmup.MIN_ANSWERS);
    }

    @Test
    void aJitStillCompilingKeepsTheWarmUpGoingUntilItSettles() {
        AtomicLong clock = new AtomicLong();
        // Compiles during the first 500 answers' checks (every call advances), then stands still.
        int[] calls = {0};
        int answers = EngineWarmup.run(config(Api.OLLAMA, true), () -> false,
                () -> ++calls[0] <= 5 ? clock.addAndGet(3) : clock.get());
        assertThat(answers).isEqualTo(5 * EngineWarmup.SETTLE_ANSWERS);
    }

    @Test
    void withoutAJitClockTheWarmUpRunsToItsBoundsAndAStopEndsIt() {
        int bounded = EngineWarmup.run(config(Api.OLLAMA, false), () -> false, () -> -1);
        assertThat(bounded).isPositive().isLessThanOrEqualTo(EngineWarmup.MAX_ANSWERS);
        assertThat(EngineWarmup.run(config(Api.OLLAMA, false), () -> true, () -> -1)).isZero();
    }
}
