package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.aiinference.report.MarkdownReport;
import com.aiinference.report.RunReport;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine against a {@link SimulatedEngine} on 127.0.0.1 whose timing and faults are known, so every figure can be
 * checked against what the server did: requests counted exactly. The two whose counts depend on the clock (a timeout
 * that must only end the stalled answers, a thousand streams opened within the run) are tagged {@code timing}; the
 * figures that are times are {@link LoadTestTimingTest}'s.
 */
@Timeout(60)
class LoadTestRunnerTest {

    static LoadTestConfig.Builder quick() {
        return LoadTestConfig.builder().progress(LoadTestConfig.Progress.QUIET).maxTokens(0);
    }

    static LoadTestResult run(LoadTestConfig config, URI target) {
        return LoadTestRunner.run(config, target, new PrintWriter(new StringWriter()));
    }

    @ParameterizedTest(name = "open loop {0}")
    @CsvSource({"false", "true"})
    void aRequestTheClientRefusesIsACountedClientErrorThatStopsTheRun(boolean openLoop) {
        // Built in code, the Header record does not apply --header's checks: the JDK refuses "Host" in header().
        LoadTestConfig.Builder b = quick().headers(List.of(new LoadTestConfig.Header("Host", "example.com")))
                .duration(Duration.ofSeconds(20));
        LoadTestConfig config = openLoop ? b.rate(50).build() : b.users(3).build();
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults())) {
            System.setErr(new java.io.PrintStream(captured, true));
            LoadTestResult r;
            try {
                r = run(config, fake.generateUri());
            } finally {
                System.setErr(stderr);
            }
            assertThat(r.abortReason()).isEqualTo("a request could not be sent: IllegalArgumentException: restricted header name: \"Host\"");
            assertThat(r.errors()).containsEntry(ErrorKind.CLIENT_ERROR.key(), 1L);
            assertThat(r.requests().succeeded() + r.errors().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.requests().total());
            assertThat(r.requests().succeeded()).isZero();
            assertThat(r.passed()).isFalse();
            assertThat(fake.requestsServed()).isZero();
            assertThat(captured.toString()).as("no stack trace from a dying thread").isEmpty();
        }
    }

    @Tag("timing")
    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"OLLAMA,true", "OLLAMA,false", "OPENAI_CHAT,true", "OPENAI_CHAT,false", "OPENAI_COMPLETIONS,true",
            "OPENAI_COMPLETIONS,false"})
    void everyRequestIsAccountedForExactlyUnderInjectedFaults(Api api, boolean stream) {
        // Answers take about 25 ms; the timeout only has to end the stalled ones, with room for a busy machine.
        SimulatedEngineConfig faulty = SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(5), Duration.ofMillis(2)).withTokensPerAnswer(8)
                .withParallelism(64, 64)
                .withFaults(new SimulatedEngineConfig.Faults(0.1, 0.1, 0.05, 0.1, 0.1)).withSeed(42);
        try (SimulatedEngine fake = SimulatedEngine.start(faulty)) {
            LoadTestResult r = run(quick().api(api).stream(stream).users(16).duration(Duration.ofMillis(800))
                    .timeout(Duration.ofMillis(1000)).build(), fake.baseUri().resolve(api.path()));
            SimulatedEngine.Stats s = fake.stats();

            assertThat(r.requests().total()).as("requests sent = requests the server received").isEqualTo(s.generateRequests());
            assertThat(r.requests().succeeded() + r.errors().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.requests().total());
            Map<String, Long> expected = new HashMap<>();
            put(expected, ErrorKind.SERVER_BUSY.key(), s.busy());
            put(expected, ErrorKind.CONNECTION_RESET.key(), s.resets());
            put(expected, ErrorKind.TIMEOUT.key(), s.stalls());
            put(expected, ErrorKind.MALFORMED_BODY.key(), s.garbage());
            put(expected, ErrorKind.STREAM_CUT.key(), s.cuts());
            assertThat(r.errors()).isEqualTo(expected);
            assertThat(r.requests().succeeded()).isEqualTo(s.generateRequests() - s.busy() - s.resets() - s.stalls() - s.garbage() - s.cuts());
            assertThat(s.resets() * s.stalls() * s.garbage() * s.cuts() * s.busy()).as("every fault happened").isPositive();
        }
    }

    private static void put(Map<String, Long> m, String k, long v) {
        if (v > 0) {
            m.put(k, v);
        }
    }

    @Test
    void unknownModelIs404ModelNotFoundAndUnknownPathIsHttp404() {
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults())) {
            LoadTestResult r = run(quick().model("mistral:7b").users(2).maxRequests(10).duration(Duration.ofSeconds(5)).build(),
                    fake.generateUri());
            assertThat(r.requests().total()).isEqualTo(10);
            assertThat(r.errors()).containsExactly(Map.entry("model_not_found_404", 10L));
            LoadTestResult wrongPath = run(quick().users(1).maxRequests(3).duration(Duration.ofSeconds(5)).build(),
                    fake.baseUri().resolve("/api/generat"));
            assertThat(wrongPath.errors()).containsExactly(Map.entry("http_404", 3L));
            assertThat(r.latency().isEmpty()).isTrue();
        }
    }

    @Test
    void maxRequestsStopsTheRunEarlyAtExactlyThatMany() {
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(10), Duration.ofMillis(1)).withTokensPerAnswer(3))) {
            long t0 = System.nanoTime();
            LoadTestResult r = run(quick().users(5).maxRequests(37).duration(Duration.ofSeconds(30)).build(), fake.generateUri());
            assertThat(r.requests().total()).isEqualTo(37);
            assertThat(fake.stats().generateRequests()).isEqualTo(37);
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void maxErrorRateAbortsEarlyAndCountsWhatWasInFlight() {
        SimulatedEngineConfig busy = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(50), Duration.ofMillis(5))
                .withFaults(new SimulatedEngineConfig.Faults(0.5, 0, 0, 0, 0));
        try (SimulatedEngine fake = SimulatedEngine.start(busy)) {
            long t0 = System.nanoTime();
            LoadTestResult r = run(quick().users(8).maxErrorRate(0.2).duration(Duration.ofSeconds(30)).build(), fake.generateUri());
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos());
            assertThat(r.aborted()).isTrue();
            assertThat(r.abortReason()).matches("error rate .* exceeded --max-error-rate 20.00%");
            assertThat(r.passed()).isFalse();
            assertThat(r.requests().succeeded() + r.errors().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.requests().total());
            assertThat(r.errors()).containsKey("server_busy_503");
        }
    }

    @Test
    void theUsersStopEndsTheRunAndCountsWhatWasCutApartNotAsFailures() throws Exception {
        SimulatedEngineConfig slow = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(300), Duration.ofMillis(10)).withTokensPerAnswer(10);
        try (SimulatedEngine fake = SimulatedEngine.start(slow)) {
            LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
            java.util.concurrent.CompletableFuture<LoadTestResult> run = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> LoadTestRunner.run(quick().users(6).duration(Duration.ofSeconds(30)).build(), fake.generateUri(),
                            new PrintWriter(new StringWriter()), signal));
            // All six answers are being generated (they take 300 ms + 9 x 10 ms), whatever the engine did before.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> fake.stats().peakActive() >= 6);
            signal.stop("Ctrl-C");
            LoadTestResult r = run.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.run().stopped()).isEqualTo(RunStop.byUser("Ctrl-C"));
            assertThat(r.aborted()).isFalse();
            assertThat(r.errors()).as("cut requests are not failures").isEmpty();
            assertThat(r.requests().stoppedByUser()).as("the six answers being generated").isEqualTo(6);
            assertThat(r.requests().failed()).isZero();
            assertThat(r.requests().succeeded()).isEqualTo(r.requests().total());
            assertThat(r.requests().total() + r.requests().stoppedByUser()).isEqualTo(fake.stats().generateRequests());
            assertThat(r.run().windowS()).as("the run's real length, not the 30s asked").isLessThan(10.0);
            String md = MarkdownReport.render(RunReport.of(r));
            assertThat(md).contains("stopped by the user (Ctrl-C) after ", "6 requests in flight were cut and are not counted")
                    .doesNotContain("aborted", "0.00%");
        }
    }

    /**
     * A stop that lands after a request was allowed to start but before it went out (a closed-loop user's next request,
     * started from the callback of the last one, on the event loop, while Ctrl-C is handled on another thread): that
     * request was never sent, so it is neither measured nor counted as cut. The server saw exactly what is counted.
     */
    @Test
    void aStopBetweenMayStartAndSendingCountsNoRequestTheServerNeverSaw() {
        SimulatedEngineConfig fast = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(5), Duration.ofMillis(1))
                .withTokensPerAnswer(3);
        try (SimulatedEngine fake = SimulatedEngine.start(fast)) {
            LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
            java.util.concurrent.atomic.AtomicInteger sends = new java.util.concurrent.atomic.AtomicInteger();
            signal.beforeSend = stopped -> {
                if (sends.incrementAndGet() == 4) {
                    // The run's own thread turns the signal into its stop while this request is on its way.
                    signal.stop("Ctrl-C");
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1)).until(stopped::getAsBoolean);
                }
            };
            LoadTestResult r = LoadTestRunner.run(quick().users(1).duration(Duration.ofSeconds(30)).build(),
                    fake.generateUri(), new PrintWriter(new StringWriter()), signal);
            assertThat(r.run().stopped()).isEqualTo(RunStop.byUser("Ctrl-C"));
            assertThat(r.requests().total()).as("the three answered before the stop").isEqualTo(3);
            assertThat(r.requests().stoppedByUser()).as("the fourth was never sent").isZero();
            assertThat(r.requests().total() + r.requests().stoppedByUser() + r.run().warmupRequests())
                    .isEqualTo(fake.stats().generateRequests());
        }
    }

    /**
     * Ctrl-C while requests wait for their connection to open: none of their bytes went out, so they are not counted
     * as cut (the server never saw them). A listener whose accept queue is full holds every connect (Linux drops the
     * SYN until the queue has room).
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void requestsCutWhileTheirConnectionOpensAreNotCountedAsSent() throws Exception {
        java.net.InetAddress loopback = java.net.InetAddress.getLoopbackAddress();
        List<java.net.Socket> queued = new java.util.ArrayList<>();
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, loopback)) {
            // Fill the accept queue (nothing accepts): the first connect that does not complete shows it is full.
            boolean holding = false;
            for (int i = 0; i < 8 && !holding; i++) {
                java.net.Socket s = new java.net.Socket();
                try {
                    s.connect(new java.net.InetSocketAddress(loopback, full.getLocalPort()), 300);
                    queued.add(s);
                } catch (java.net.SocketTimeoutException e) {
                    s.close();
                    holding = true;
                }
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(holding, "this kernel completes connects to a full accept queue");
            LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
            java.util.concurrent.CountDownLatch onItsWay = new java.util.concurrent.CountDownLatch(1);
            signal.beforeSend = stopped -> onItsWay.countDown();
            java.util.concurrent.CompletableFuture<LoadTestResult> run = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> LoadTestRunner.run(quick().rate(20).duration(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(20))
                            .build(), URI.create("http://127.0.0.1:" + full.getLocalPort() + "/api/generate"),
                            new PrintWriter(new StringWriter()), signal));
            assertThat(onItsWay.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            signal.stop("Ctrl-C");
            LoadTestResult r = run.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.run().stopped()).isEqualTo(RunStop.byUser("Ctrl-C"));
            assertThat(r.requests().stoppedByUser()).as("none was sent").isZero();
            assertThat(r.requests().total()).isZero();
            assertThat(r.errors()).isEmpty();
        } finally {
            for (java.net.Socket s : queued) {
                s.close();
            }
        }
    }

    @Test
    void aRunsSnapshotCarriesTheHistogramsItsSummariesCameFrom() {
        SimulatedEngineConfig timed = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(30), Duration.ofMillis(5))
                .withTokensPerAnswer(4);
        try (SimulatedEngine fake = SimulatedEngine.start(timed)) {
            LoadTestConfig config = quick().users(4).maxRequests(40).duration(Duration.ofSeconds(10)).build();
            RunSnapshot rec = LoadTestRunner.measure(config, fake.generateUri(), new PrintWriter(new StringWriter()),
                    new LoadTestRunner.StopSignal());
            LoadTestResult r = rec.toResult(config, fake.generateUri());
            assertThat(r.requests().succeeded()).isEqualTo(40);
            assertThat(rec.latency().getTotalCount()).isEqualTo(40);
            assertThat(rec.ttft().getTotalCount()).isEqualTo(40);
            assertThat(rec.itl().getTotalCount()).as("3 gaps per 4-token answer").isEqualTo(120L).isEqualTo(r.itl().count());
            assertThat(LatencySummary.ofMicros(rec.latency())).isEqualTo(r.latency());
            assertThat(LatencySummary.ofMicros(rec.tpot())).isEqualTo(r.tpot());
        }
    }

    @Tag("timing")
    @Test
    void holdsAThousandConcurrentStreams() {
        // Long answers, so that all 1000 are open together even though opening 1000 connections takes the JDK
        // client a second or two on a busy 2-core machine.
        SimulatedEngineConfig wide = SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(2500), Duration.ofMillis(20)).withTokensPerAnswer(10).withParallelism(1000, 0);
        try (SimulatedEngine fake = SimulatedEngine.start(wide)) {
            LoadTestResult r = run(quick().users(1000).duration(Duration.ofMillis(1500)).timeout(Duration.ofSeconds(20)).build(),
                    fake.generateUri());
            assertThat(r.requests().failed()).as("errors: %s", r.errors()).isZero();
            assertThat(r.served().peakInFlight()).isEqualTo(1000);
            assertThat(fake.stats().peakActive()).isEqualTo(1000);
            assertThat(r.requests().total()).isEqualTo(1000);
            assertThat(r.tokens().output()).isEqualTo(10_000);
            // 2.5 s + 9 x 20 ms = 2.68 s per answer at the server. Client and server share this JVM and, in CI,
            // two busy cores, so only "never early, not wildly late" is asserted here; bench/ measures the rest.
            assertThat(r.latency().p50()).isBetween(2680.0 - LoadTestTimingTest.EARLY_TOLERANCE_MS, 10_000.0);
            assertThat(r.ttft().p50()).isGreaterThanOrEqualTo(2500.0 - LoadTestTimingTest.EARLY_TOLERANCE_MS);
        }
    }

}
