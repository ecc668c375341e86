package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.io.NettyTransport;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.aiinference.testing.TransportProperty;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine and the simulator behave alike on both Netty transports (epoll on Linux, NIO elsewhere): under injected
 * faults every request the server received is in exactly one outcome, and the faults are the ones the server made.
 */
@Timeout(60)
class TransportParityTest {
    @RegisterExtension
    final TransportProperty transport = new TransportProperty();

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void everyRequestIsInExactlyOneOutcomeOnThisTransport(NettyTransport transport) {
        this.transport.set(transport.name().toLowerCase(java.util.Locale.ROOT));
        SimulatedEngineConfig faulty = SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(5), Duration.ofMillis(2)).withTokensPerAnswer(8)
                .withParallelism(64, 64)
                .withFaults(new SimulatedEngineConfig.Faults(0.1, 0.1, 0.05, 0.1, 0.1)).withSeed(7);
        try (SimulatedEngine fake = SimulatedEngine.start(faulty)) {
            LoadTestConfig config = LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).maxTokens(0)
                    .api(Api.OPENAI_CHAT).stream(true).users(16).duration(Duration.ofMillis(1500))
                    .timeout(Duration.ofMillis(1500)).build();
            LoadTestResult r = LoadTestRunner.run(config, fake.baseUri().resolve(Api.OPENAI_CHAT.path()),
                    new PrintWriter(new StringWriter()));
            SimulatedEngine.Stats s = fake.stats();
            assertThat(r.requests().total()).isEqualTo(s.generateRequests());
            assertThat(r.errors()).containsEntry(ErrorKind.TIMEOUT.key(), s.stalls())
                    .containsEntry(ErrorKind.STREAM_CUT.key(), s.cuts())
                    .containsEntry(ErrorKind.CONNECTION_RESET.key(), s.resets());
            assertThat(r.requests().succeeded() + r.errors().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.requests().total());
            assertThat(r.requests().succeeded()).isEqualTo(s.generateRequests() - s.busy() - s.resets() - s.stalls() - s.garbage() - s.cuts());
            assertThat(s.stalls() * s.cuts() * s.resets()).as("the faults happened").isPositive();
        }
    }
}
