package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The merge of a distributed run, on recorded data: the same requests recorded by one process, and split over four
 * "workers" (each with its own {@link RunRecorder}, its measurements sent through JSON as a worker sends them), give the
 * same totals, errors, percentiles and time line.
 */
class RunSnapshotMergeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SECOND = 1_000_000_000L;
    private static final long NOW = System.nanoTime();
    private static final Instant START = Instant.parse("2026-11-30T10:00:00.250Z");
    private static final URI TARGET = URI.create("http://127.0.0.1:8000/api/generate");
    private static final LoadTestConfig CONFIG = LoadTestConfig.builder().users(40).duration(Duration.ofSeconds(20))
            .warmup(Duration.ofSeconds(3)).build();

    /** 6,000 requests over 23 s: lognormal latencies, streamed tokens, 2% errors of three kinds, some in the warm-up. */
    private static List<RequestRecord> recorded() {
        Random r = new Random(42);
        List<RequestRecord> out = new ArrayList<>();
        String[] kinds = {"timeout", "server_busy_503", "connection_reset"};
        for (int i = 0; i < 6000; i++) {
            long origin = (long) (r.nextDouble() * 21 * SECOND);
            long latency = (long) (Math.exp(r.nextGaussian() * 0.6 + Math.log(2.7)) * SECOND);
            long ttft = (long) (latency * (0.05 + 0.05 * r.nextDouble()));
            int tokens = 20 + r.nextInt(100);
            long[] itl = new long[tokens - 1];
            for (int k = 0; k < itl.length; k++) {
                itl[k] = (latency - ttft) / itl.length + r.nextInt(2_000_000);
            }
            String error = r.nextDouble() < 0.02 ? kinds[r.nextInt(kinds.length)] : null;
            boolean measured = origin >= 3 * SECOND;
            out.add(new RequestRecord(measured, origin, error == null ? origin + ttft : 0, origin + latency, error,
                    itl, error == null ? itl.length : 0, error == null ? tokens : 0, r.nextBoolean(),
                    error == null ? tokens : 0, error == null ? latency - ttft : 0, error == null ? tokens / 2 + 3 : -1));
        }
        return out;
    }

    /**
     * Records {@code records} (times from the run's start) as a process whose clock reads {@code base} at its start
     * would. The base is near this JVM's {@code System.nanoTime()}, which RunRecorder reads for the in-flight counts.
     */
    private static RunSnapshot record(List<RequestRecord> records, long offset, Instant startedAt) {
        long base = NOW + offset;
        RunRecorder m = new RunRecorder(base, base + 3 * SECOND, Long.MAX_VALUE);
        for (RequestRecord r : records) {
            assertThat(m.started(r.originNanos() + base)).isEqualTo(r.measured());
            m.finished(shift(r, base));
        }
        return m.measurements(startedAt, null, List.of());
    }

    private static RequestRecord shift(RequestRecord r, long base) {
        return new RequestRecord(r.measured(), r.originNanos() + base, r.firstTokenNanos() == 0 ? 0 : r.firstTokenNanos() + base,
                r.endNanos() + base, r.errorKey(), r.itlNanos(), r.itlCount(), r.outputTokens(), r.tokensFromServer(),
                r.serverEvalCount(), r.serverEvalDurationNanos(), r.inputTokens());
    }

    private static RunSnapshot viaJson(RunSnapshot m) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(m), RunSnapshot.class);
    }

    @Test
    void twoLoopsRecordingInTheirOwnShardsReportWhatOneWriterReports() throws Exception {
        List<RequestRecord> all = recorded();
        LoadTestResult single = record(all, 0, START).toResult(CONFIG, TARGET);

        // Two threads, each writing only its own shard (as each event loop does), at the same time.
        long base = NOW;
        RunRecorder m = new RunRecorder(base, base + 3 * SECOND, Long.MAX_VALUE, 2);
        Thread[] loops = new Thread[2];
        for (int shard = 0; shard < 2; shard++) {
            int mine = shard;
            loops[shard] = new Thread(() -> {
                for (int i = mine; i < all.size(); i += 2) {
                    RequestRecord r = all.get(i);
                    m.started(r.originNanos() + base);
                    m.finished(shift(r, base), mine);
                }
            });
        }
        for (Thread t : loops) {
            t.start();
        }
        for (Thread t : loops) {
            t.join();
        }
        LoadTestResult sharded = m.measurements(START, null, List.of()).toResult(CONFIG, TARGET);

        assertThat(sharded.requests().total()).isEqualTo(single.requests().total());
        assertThat(sharded.requests().succeeded()).isEqualTo(single.requests().succeeded());
        assertThat(sharded.errors()).isEqualTo(single.errors());
        assertThat(sharded.latency()).isEqualTo(single.latency());
        assertThat(sharded.ttft()).isEqualTo(single.ttft());
        assertThat(sharded.itl()).isEqualTo(single.itl());
        assertThat(sharded.tpot()).isEqualTo(single.tpot());
        assertThat(sharded.latencyHistogram()).isEqualTo(single.latencyHistogram());
        // The measured length reaches the last end, whichever shard saw it.
        assertThat(sharded.run().measuredS()).isEqualTo(single.run().measuredS());
    }

    @Test
    void fourWorkersReportWhatOneProcessReportsOnTheSameLatencies() throws Exception {
        List<RequestRecord> all = recorded();
        LoadTestResult single = record(all, 0, START).toResult(CONFIG, TARGET);

        List<RunSnapshot> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            List<RequestRecord> share = new ArrayList<>();
            for (int i = w; i < all.size(); i += 4) {
                share.add(all.get(i));
            }
            workers.add(viaJson(record(share, 1_000_000L * w, START)));
        }
        LoadTestResult merged = RunSnapshot.merge(workers, i -> "worker " + (i + 1)).toResult(CONFIG, TARGET);

        assertThat(single.requests().total()).isEqualTo(5_100L).isEqualTo(merged.requests().total());
        assertThat(merged.requests().succeeded()).isEqualTo(single.requests().succeeded());
        assertThat(merged.errors()).isEqualTo(single.errors()).containsOnlyKeys("timeout", "server_busy_503", "connection_reset");
        assertThat(merged.run().warmupRequests()).isEqualTo(single.run().warmupRequests()).isPositive();
        // The histograms are added bucket by bucket: every statistic is what one process computes, not an average.
        assertThat(merged.latency()).isEqualTo(single.latency());
        assertThat(merged.ttft()).isEqualTo(single.ttft());
        assertThat(merged.itl()).isEqualTo(single.itl());
        assertThat(merged.tpot()).isEqualTo(single.tpot());
        assertThat(merged.latencyHistogram()).isEqualTo(single.latencyHistogram());
        assertThat(merged.tokens().output()).isEqualTo(single.tokens().output());
        assertThat(merged.tokens().outputSource()).isEqualTo(single.tokens().outputSource()).isEqualTo("mixed");
        assertThat(merged.throughput().serverDecodeTokensPerS()).isCloseTo(single.throughput().serverDecodeTokensPerS(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(merged.run().measuredS()).isCloseTo(single.run().measuredS(), org.assertj.core.data.Offset.offset(0.01));
        assertThat(merged.timeline()).hasSameSizeAs(single.timeline());
        for (int t = 0; t < single.timeline().size(); t++) {
            LoadTestResult.TimelineRow a = single.timeline().get(t);
            LoadTestResult.TimelineRow b = merged.timeline().get(t);
            assertThat(List.of(b.second(), b.warmup(), b.requests(), b.failed(), b.outputTokens()))
                    .as("second %d", t).isEqualTo(List.of(a.second(), a.warmup(), a.requests(), a.failed(), a.outputTokens()));
            assertThat(List.of(b.latencyP50(), b.latencyP95(), b.latencyMax(), b.ttftP50(), b.ttftP95()))
                    .as("second %d", t).isEqualTo(List.of(a.latencyP50(), a.latencyP95(), a.latencyMax(), a.ttftP50(), a.ttftP95()));
        }
        long measuredRows = merged.timeline().stream().filter(r -> !r.warmup()).mapToLong(LoadTestResult.TimelineRow::requests).sum();
        assertThat(measuredRows).isEqualTo(merged.requests().total());
        assertThat(merged.samples()).hasSizeLessThanOrEqualTo(4000).hasSizeGreaterThan(3900);
    }

    @Test
    void averagingTheWorkersPercentilesWouldNotGiveTheSameAnswer() throws Exception {
        // Guards the test above: with unequal workers, an average of their p99s differs from the merged p99.
        List<RequestRecord> all = recorded();
        List<RequestRecord> fast = all.stream().filter(r -> r.endNanos() - r.originNanos() < 2 * SECOND).toList();
        List<RequestRecord> slow = all.stream().filter(r -> r.endNanos() - r.originNanos() >= 2 * SECOND).toList();
        LoadTestResult a = record(fast, 0, START).toResult(CONFIG, TARGET);
        LoadTestResult b = record(slow, 0, START).toResult(CONFIG, TARGET);
        LoadTestResult merged = RunSnapshot.merge(List.of(viaJson(record(fast, 0, START)), viaJson(record(slow, 0, START))),
                i -> "w" + i).toResult(CONFIG, TARGET);
        LoadTestResult single = record(all, 0, START).toResult(CONFIG, TARGET);
        assertThat(merged.latency().p99()).isEqualTo(single.latency().p99())
                .isNotCloseTo((a.latency().p99() + b.latency().p99()) / 2, org.assertj.core.data.Offset.offset(100.0));
    }

    @Test
    void workersThatStartedApartLineUpOnTheWallClock() throws Exception {
        List<RequestRecord> all = recorded();
        LoadTestResult single = record(all, 0, START).toResult(CONFIG, TARGET);
        // Worker 2 started 2 s later: its requests are 2 s earlier on its own clock.
        List<RequestRecord> early = new ArrayList<>();
        List<RequestRecord> late = new ArrayList<>();
        for (RequestRecord r : all) {
            if (r.originNanos() >= 5 * SECOND && late.size() < early.size()) {
                late.add(shift(r, -2 * SECOND));
            } else {
                early.add(r);
            }
        }
        RunSnapshot lateRun = record(late, 2 * SECOND, START.plusSeconds(2));
        lateRun = new RunSnapshot(lateRun.startedAtEpochNanos(), lateRun.measureFromNanos(), lateRun.lastMeasuredEndNanos(),
                lateRun.total(), lateRun.succeeded(), lateRun.errors(), lateRun.warmupRequests(), lateRun.latency(),
                lateRun.ttft(), lateRun.itl(), lateRun.tpot(), lateRun.outputTokens(), lateRun.withServerCount(),
                lateRun.withChunkCount(), lateRun.serverSpeedSum(), lateRun.serverSpeedCount(), lateRun.peakInFlight(),
                lateRun.stoppedByUser(), lateRun.inputTokens(), lateRun.inputTokensCounted(), lateRun.sendEndNanos(),
                lateRun.rates(),
                lateRun.seconds(), lateRun.samples(), lateRun.sampledFrom(), null, List.of("late"));
        LoadTestResult merged = RunSnapshot.merge(List.of(viaJson(record(early, 0, START)), viaJson(lateRun)),
                i -> "worker " + (i + 1)).toResult(CONFIG, TARGET);
        assertThat(merged.run().startedAt()).isEqualTo(START);
        assertThat(merged.requests().total()).isEqualTo(single.requests().total());
        assertThat(merged.tokens().input()).isPositive().isEqualTo(single.tokens().input());
        assertThat(merged.latency()).isEqualTo(single.latency());
        assertThat(merged.timeline()).hasSameSizeAs(single.timeline());
        for (int t = 0; t < single.timeline().size(); t++) {
            assertThat(merged.timeline().get(t).requests()).as("second %d", t).isEqualTo(single.timeline().get(t).requests());
            assertThat(List.of(merged.timeline().get(t).latencyP95())).as("second %d", t)
                    .isEqualTo(List.of(single.timeline().get(t).latencyP95()));
        }
        assertThat(merged.warnings()).containsExactly("late");
    }

    @Test
    void abortReasonsNameTheirWorkerAndOneRunIsItsOwnMerge() {
        RunRecorder m = new RunRecorder(0, 0, 0);
        RunSnapshot a = m.measurements(START, new RunStop(RunStop.Kind.MAX_ERROR_RATE, "--max-error-rate 5% exceeded"),
                List.of());
        RunSnapshot b = new RunRecorder(0, 0, 0).measurements(START, null, List.of());
        assertThat(RunSnapshot.merge(List.of(b, a), i -> "worker " + (i + 1) + "/2").abortReason())
                .isEqualTo("worker 2/2: --max-error-rate 5% exceeded");
        assertThat(RunSnapshot.merge(List.of(a), i -> "x")).isSameAs(a);
        assertThatThrownBy(() -> RunSnapshot.merge(List.of(), i -> "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorruptHistogramIsRefused() {
        assertThatThrownBy(() -> JSON.readValue("{\"latency\":\"bm90IGEgaGlzdG9ncmFt\"}", RunSnapshot.class))
                .hasMessageContaining("not an HdrHistogram encoding");
    }
}
