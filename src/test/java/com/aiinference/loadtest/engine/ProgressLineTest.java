package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The progress line says what the report will: no requests cut by Ctrl-C in "done", no rate over a few ms. */
class ProgressLineTest {
    private static final long S = 1_000_000_000L;

    private static RequestRecord ok(long start, long end, long tokens) {
        return new RequestRecord(true, start, start + S / 10, end, null, new long[0], 0, tokens, true, 0, 0, -1);
    }

    private static RequestRecord cut(long start, long end) {
        return new RequestRecord(true, start, 0, end, ErrorKind.STOPPED_BY_USER.key(), new long[0], 0, 0, false, 0, 0, -1);
    }

    @Test
    void requestsCutByTheUsersStopAreNotDone() {
        RunRecorder m = new RunRecorder(0, 0, 60 * S);
        for (int i = 0; i < 5; i++) {
            m.started(i);
            m.finished(ok(i, S + i, 10));
        }
        for (int i = 0; i < 3; i++) {
            m.started(2 * S);
            m.finished(cut(2 * S, 3 * S));
        }
        RunRecorder.Tick s = m.tick(1, 1);
        assertThat(s.measuredFinished()).isEqualTo(5);
        assertThat(s.inFlight()).isZero();
        // The run's measured length reaches the stop that cut them (3 s), not only the last counted answer (1 s).
        m.sendingStopped(3 * S);
        LoadTestResult r = m.measurements(java.time.Instant.EPOCH, RunStop.byUser("Ctrl-C"), new java.util.ArrayList<>())
                .toResult(LoadTestConfig.builder().users(8).build(), java.net.URI.create("http://127.0.0.1:9/api/generate"));
        assertThat(r.requests().total()).isEqualTo(5);
        assertThat(r.requests().stoppedByUser()).isEqualTo(3);
        assertThat(r.run().measuredS()).isCloseTo(3.0, within(1e-6));
        assertThat(r.run().measuredS()).isGreaterThanOrEqualTo(r.run().windowS());
    }

    @Test
    void theLastLineAMomentAfterATickShowsNoSpikeOfTokensPerSecond() {
        RunRecorder m = new RunRecorder(0, 0, 60 * S);
        m.started(0);
        m.finished(ok(0, S, 1000));
        assertThat(m.tick(10, 1).tokensPerSecond()).isCloseTo(100, within(0.01));
        // 20 tokens in the 5 ms between the last periodic tick and the run's end: 4,000 tok/s over that moment alone.
        m.started(S);
        m.finished(ok(S, 2 * S, 20));
        assertThat(m.tick(0.005, 1).tokensPerSecond()).isCloseTo(1020 / 10.005, within(0.01));
        // A full interval after it drops the older ones again.
        m.started(2 * S);
        m.finished(ok(2 * S, 3 * S, 30));
        assertThat(m.tick(1, 1).tokensPerSecond()).isCloseTo(30, within(0.01));
    }
}
