package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How many event loops the client runs: --threads, else one per CPU. */
class EventLoopsTest {
    private static final int CPUS = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Test
    void theDefaultIsOneLoopPerCpuAndThreadsSetsIt() {
        LoadTestConfig.Builder b = LoadTestConfig.builder();
        assertThat(b.users(50).build().eventLoops()).isEqualTo(CPUS);
        assertThat(b.rate(5).build().eventLoops()).isEqualTo(CPUS);
        assertThat(b.users(50).threads(3).build().eventLoops()).isEqualTo(3);
        assertThat(b.users(50).threads(1).build().eventLoops()).isEqualTo(1);
    }

    @Test
    void aBadThreadCountIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> LoadTestConfig.builder().threads(-1).build())
                .hasMessage("--threads must be between 1 and 256 (or 0: automatic), got -1");
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("loadtest", "--url", "http://127.0.0.1:9/api/generate", "--threads", "999");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("loadtest: --threads must be between 1 and 256 (or 0: automatic), got 999");
    }

    @Test
    void theLoopsAskedForCarryTheRunAndTravelToWorkers() {
        try (com.aiinference.simulate.SimulatedEngine fake = com.aiinference.simulate.SimulatedEngine.start(
                com.aiinference.simulate.SimulatedEngineConfig.defaults())) {
            LoadTestConfig c = LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).users(6).threads(3)
                    .maxTokens(0).duration(Duration.ofSeconds(1)).build();
            LoadTestResult r = LoadTestRunner.run(c, fake.generateUri(), new PrintWriter(new StringWriter()));
            assertThat(r.requests().succeeded()).isPositive().isEqualTo(r.requests().total());
            var spec = com.aiinference.loadtest.distributed.WorkerSpec.of(c, fake.generateUri(), 2);
            assertThat(spec.share(1).eventLoops()).isEqualTo(3);
        }
    }
}
