package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadtest --workers N} black-box, with real worker JVMs against the simulator on 127.0.0.1: every request
 * is accounted for, bad counts are one line, and a worker killed mid-run is named while the others' results are
 * still reported.
 */
@Timeout(180)
class LocalWorkersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final CommandHarness cli = new CommandHarness();

    @TempDir
    Path dir;

    @Test
    void threeWorkerProcessesAccountForEveryRequestTheServerAnswered() throws Exception {
        Path json = dir.resolve("run.json");
        int code = cli.run("loadtest", "--url", cli.fake.generateUri().toString(), "--users", "6", "--duration", "2s",
                "--workers", "3", "--report-json", json.toString(), "--slo", "success>=99.9%");
        assertThat(code).as(cli.err.toString()).isZero();
        JsonNode report = JSON.readTree(json.toFile()).path("load");
        long total = report.path("requests").path("total").asLong();
        // Every request the server answered is counted: the workers' measured and warm-up ones, and the pre-flight one.
        assertThat(total).isPositive();
        assertThat(total + report.path("run").path("warmup_requests").asLong() + 1).isEqualTo(cli.fake.requestsServed());
        assertThat(report.path("requests").path("succeeded").asLong()).isEqualTo(total);
        long timelineSum = 0;
        for (JsonNode row : report.path("timeline")) {
            timelineSum += row.path("requests").asLong();
        }
        assertThat(timelineSum).isEqualTo(total);
        assertThat(report.path("tokens").path("output").asLong()).isEqualTo(10 * total);
        assertThat(report.path("capacity").path("peak_in_flight").asLong()).isBetween(1L, 6L);
        assertThat(cli.err.toString()).contains("6 users, 2s", "3 worker processes",
                "worker 1/3: ollama -> ", "worker 2/3: ollama -> ", "worker 3/3: ollama -> ", ", 2 users, 2s");
        assertThat(cli.out.toString()).contains("### Verified Results (6 users, 2s,", "| **Stability** | **100%** | " + total + "/" + total);
    }

    @Test
    void aWorkerThatDiesIsNamedAndTheOthersAreStillReported() throws Exception {
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cli.run("loadtest", "--url",
                cli.fake.generateUri().toString(), "--users", "3", "--duration", "4s", "--workers", "3", "--quiet"));
        // Wait until the load runs (all three started and said go), then kill one worker JVM as the OOM killer would.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> cli.fake.requestsServed() >= 3 || code.isDone());
        // The worker JVMs are this JVM's only children (the simulator runs in this JVM).
        List<ProcessHandle> workers = ProcessHandle.current().children().toList();
        assertThat(workers).hasSize(3);
        workers.get(1).destroyForcibly();
        assertThat(code.get(120, TimeUnit.SECONDS)).as(cli.err.toString()).isEqualTo(1);
        assertThat(cli.lastErrLine()).startsWith("loadtest: 1 of 3 workers failed: worker ").contains("died (exit 137)");
        assertThat(cli.out.toString()).contains("### Verified Results (3 users, 4s,", "gave no result, its requests are not in this report");
        assertThat(cli.out.toString()).doesNotContain("| **Stability** | **100%** | 0/0");
    }

    @Test
    void aBadWorkerCountIsOneLineBeforeAnythingStarts() {
        String url = cli.fake.generateUri().toString();
        assertThat(cli.run("loadtest", "--url", url, "--users", "4", "--workers", "0")).isEqualTo(2);
        assertThat(cli.lastErrLine()).isEqualTo("loadtest: --workers must be at least 1, got 0");
        assertThat(cli.run("loadtest", "--url", url, "--users", "4", "--workers", "5")).isEqualTo(2);
        assertThat(cli.lastErrLine()).isEqualTo("loadtest: --workers 5 is more than --users 4: every worker needs at least one user");
        assertThat(cli.run("loadtest", "--url", url, "--users", "40", "--workers", "33")).isEqualTo(2);
        assertThat(cli.lastErrLine()).isEqualTo("loadtest: --workers 33 is more than 32 processes on one machine (each is a JVM);"
                + " use --in-cluster for more");
        assertThat(cli.run("loadtest", "--url", url, "--rate", "5", "--max-requests", "2", "--workers", "3")).isEqualTo(2);
        assertThat(cli.lastErrLine()).isEqualTo("loadtest: --workers 3 is more than --max-requests 2: every worker needs at least one request");
        assertThat(cli.fake.requestsServed()).isZero();
    }
}
