package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The rates estimate the steady-state rate, without the bias of counting only the answers that end inside the window
 * (nothing ends in its first answer-length), on windows only a few answers long, closed and open loop, with and
 * without a warm-up. Requests are laid out on a clock here, as the engine would record them, so the expected rate is
 * known exactly: N / L for a closed loop of N users with answers of L seconds (Little's law), the arrival rate for an
 * open loop that keeps up.
 */
class SendWindowTest {
    private static final long S = 1_000_000_000L;

    /** A closed loop of {@code users} users with answers of {@code answerS} seconds, each started at its ramp slot. */
    private static WindowRates closedLoop(int users, double answerS, double rampS, double warmupS, double windowS) {
        LoadShape load = new LoadShape.ClosedLoop(users, Duration.ofNanos((long) (rampS * S)));
        long from = (long) (warmupS * S);
        long end = from + (long) (windowS * S);
        SendWindow w = new SendWindow(0, from, end, load);
        Histogram latency = RunSnapshot.runHistogram();
        long l = (long) (answerS * S);
        for (int u = 0; u < users; u++) {
            // Users send until the window ends; the answer in flight then finishes in the drain.
            for (long t = users == 1 ? 0 : (long) (rampS * S) * u / users; t < end; t += l) {
                w.ended(t, t + l, true, 100, 20);
                if (t >= from) {
                    latency.recordValue(l / 1000);
                }
            }
        }
        return w.rates(latency);
    }

    @Test
    void aClosedLoopReadsUsersOverAnswerLengthOnAWindowOfAFewAnswers() {
        // 50 users, 2.95 s answers, 10 s window, no warm-up: ends inside the window give 150 / 10 = 15 req/s.
        WindowRates r = closedLoop(50, 2.95, 0, 0, 10);
        assertThat(r.succeededPerSecond()).isCloseTo(50 / 2.95, within(1e-6));
        assertThat(r.requestsPerSecond()).isCloseTo(50 / 2.95, within(1e-6));
        assertThat(r.outputTokensPerSecond()).isCloseTo(100 * 50 / 2.95, within(1e-4));
        assertThat(r.inputTokensPerSecond()).isCloseTo(20 * 50 / 2.95, within(1e-4));
        assertThat(r.windowSeconds()).isEqualTo(10.0);
        // Guard: the count of answers that ended inside the window is 11% low here.
        assertThat(150 / 10.0).isLessThan(0.9 * 50 / 2.95);
    }

    @Test
    void aClosedLoopWithAWarmUpThatEndsMidAnswer() {
        // The warm-up ends 1.3 s into the second answer: the warm-up answer that ends inside the window is work in it.
        assertThat(closedLoop(8, 3.0, 0, 4.3, 7).succeededPerSecond()).isCloseTo(8 / 3.0, within(1e-6));
    }

    @Test
    void aRampUpInsideTheWindowIsNotReadAsALowerRate() {
        // 40 users started over 6 s, no warm-up, a 12 s window of 2 s answers: the full load's rate is 20 req/s.
        WindowRates r = closedLoop(40, 2.0, 6, 0, 12);
        assertThat(r.succeededPerSecond()).isCloseTo(20, within(1e-6));
        assertThat(r.effectiveSeconds()).isLessThan(r.windowSeconds());
        // A warm-up as long as the ramp-up: the window is all full load.
        WindowRates warm = closedLoop(40, 2.0, 6, 6, 12);
        assertThat(warm.effectiveSeconds()).isEqualTo(warm.windowSeconds());
        assertThat(warm.succeededPerSecond()).isCloseTo(20, within(1e-6));
    }

    /** Evenly spaced arrivals at {@code rate} from 0 with answers of {@code answerS} seconds. */
    private static WindowRates openLoop(double rate, double answerS, double warmupS, double windowS, Random jitter) {
        long from = (long) (warmupS * S);
        long end = from + (long) (windowS * S);
        SendWindow w = new SendWindow(0, from, end, new LoadShape.OpenLoop(rate));
        Histogram latency = RunSnapshot.runHistogram();
        double t = 0;
        while (t * S < end) {
            double l = answerS * (jitter == null ? 1 : 0.5 + jitter.nextDouble());
            long origin = (long) (t * S);
            w.ended(origin, origin + (long) (l * S), true, 10, 0);
            if (origin >= from) {
                latency.recordValue((long) (l * 1e6));
            }
            t += 1 / rate;
        }
        return w.rates(latency);
    }

    @Test
    void anOpenLoopThatStartedEmptyReadsItsArrivalRate() {
        // 3 s answers, no warm-up, a 9 s window: answers that ended inside give 2/3 of the rate.
        assertThat(openLoop(20, 3.0, 0, 9, null).succeededPerSecond()).isCloseTo(20, within(0.2));
        // Answers of 1.5 to 4.5 s: the build-up is taken over the measured lengths.
        assertThat(openLoop(20, 3.0, 0, 9, new Random(7)).succeededPerSecond()).isCloseTo(20, within(0.4));
        // With a warm-up longer than every answer, the window is all full load.
        WindowRates warm = openLoop(20, 3.0, 5, 9, new Random(7));
        assertThat(warm.effectiveSeconds()).isEqualTo(warm.windowSeconds());
        assertThat(warm.succeededPerSecond()).isCloseTo(20, within(0.4));
    }

    @Test
    void failuresAreRequestsButNotSuccessesAndAWindowWithoutSuccessHasNoRates() {
        SendWindow w = new SendWindow(0, 0, 10 * S, null);
        w.ended(0, 5 * S, false, 0, -1);
        assertThat(w.rates(null)).as("no successful work").isNull();
        w.ended(0, 20 * S, true, 10, -1);
        WindowRates r = w.rates(null);
        assertThat(r.requestsPerSecond()).isCloseTo(0.15, within(1e-9));
        assertThat(r.succeededPerSecond()).isCloseTo(0.05, within(1e-9));
        assertThat(r.inputTokensPerSecond()).isZero();
    }

    @Test
    void aRequestCountsForTheShareOfItsLifetimeInsideTheWindow() {
        assertThat(SendWindow.shareInside(0, 4 * S, S, 10 * S)).isEqualTo(0.75);
        assertThat(SendWindow.shareInside(8 * S, 12 * S, 0, 10 * S)).isEqualTo(0.5);
        assertThat(SendWindow.shareInside(11 * S, 12 * S, 0, 10 * S)).isZero();
        assertThat(SendWindow.shareInside(5 * S, 5 * S, 0, 10 * S)).as("an instant answer").isEqualTo(1);
        assertThat(SendWindow.openLoopShare(2, 0, 2)).isEqualTo(1.0);
        assertThat(SendWindow.openLoopShare(2, 3, 5)).isEqualTo(2.0);
    }
}
