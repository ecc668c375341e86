package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.Main;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.RunSnapshot;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The worker spec (how the load is split) and the {@code worker} command that runs one share. */
@Timeout(60)
class WorkerSpecTest {
    private static final URI TARGET = URI.create("http://ai-inference.ai-inference.svc.cluster.local:8000/api/generate");

    @TempDir
    Path dir;

    @Test
    void usersAndRequestsSplitAsEvenlyAsWholeNumbersAllowAndAddUp() {
        LoadTestConfig whole = LoadTestConfig.builder().users(10).maxRequests(7).seed(5)
                .headers(List.of(LoadTestConfig.Header.parse("Authorization: Bearer k1"))).build();
        WorkerSpec spec = WorkerSpec.fromJson(WorkerSpec.of(whole, TARGET, 4).toJson());
        List<LoadTestConfig> shares = IntStream.range(0, 4).mapToObj(spec::share).toList();
        assertThat(shares).extracting(c -> ((LoadShape.ClosedLoop) c.load()).users()).containsExactly(3, 3, 2, 2);
        assertThat(shares).extracting(LoadTestConfig::maxRequests).containsExactly(2L, 2L, 2L, 1L);
        assertThat(shares).extracting(LoadTestConfig::seed).containsExactly(5L, 6L, 7L, 8L);
        assertThat(shares.get(3).headers()).containsExactly(new LoadTestConfig.Header("Authorization", "Bearer k1"));
        assertThat(shares.get(0).model()).isEqualTo(whole.model());
        assertThat(shares.get(0).duration()).isEqualTo(whole.duration());
        assertThat(spec.targetUri()).isEqualTo(TARGET);
    }

    @Test
    void theRateSplitsEvenly() {
        LoadTestConfig whole = LoadTestConfig.builder().rate(10).api(Api.OPENAI_CHAT).build();
        WorkerSpec spec = WorkerSpec.of(whole, TARGET, 4);
        assertThat(((LoadShape.OpenLoop) spec.share(2).load()).rate()).isEqualTo(2.5);
        assertThat(spec.share(2).api()).isEqualTo(Api.OPENAI_CHAT);
        assertThatThrownBy(() -> spec.share(4)).hasMessage("worker index 4 is outside 0..3");
    }

    @Test
    void aSpecFromAnotherProtocolVersionOrWithUnknownFieldsIsRefused() {
        String json = WorkerSpec.of(LoadTestConfig.builder().build(), TARGET, 2).toJson();
        assertThatThrownBy(() -> WorkerSpec.fromJson(json.replace("\"version\":1", "\"version\":9")))
                .hasMessageStartingWith("the worker spec has protocol version 9, this worker speaks 1");
        assertThatThrownBy(() -> WorkerSpec.fromJson(json.replace("\"workers\":2", "\"workers\":2,\"extra\":1")))
                .hasMessageStartingWith("the worker spec is not valid: Unrecognized field \"extra\"");
        assertThatThrownBy(() -> WorkerSpec.fromJson(json.replace("\"users\":50", "\"users\":1")))
                .hasMessage("--workers 2 is more than --users 1: every worker needs at least one user");
    }

    @Test
    void theWorkerCommandRunsItsShareAndPrintsOneResultLine() throws Exception {
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(20), Duration.ofMillis(2)).withTokensPerAnswer(5))) {
            LoadTestConfig whole = LoadTestConfig.builder().users(4).duration(Duration.ofMillis(800)).build();
            Path spec = dir.resolve("spec.json");
            Files.writeString(spec, WorkerSpec.of(whole, fake.generateUri(), 2).toJson());
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            assertThat(cl.execute("worker", "--spec", spec.toString(), "--index", "1")).as(err.toString()).isZero();
            List<String> lines = out.toString().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo(WorkerProtocol.READY);
            RunSnapshot m = WorkerProtocol.findResult(lines).orElseThrow();
            assertThat(m.total()).isPositive().isEqualTo(fake.requestsServed()).isEqualTo(m.succeeded());
            assertThat(m.latency().getTotalCount()).isEqualTo(m.total());
            assertThat(err.toString()).contains("worker 2/2: ollama -> " + fake.generateUri() + ", 2 users");

            err.getBuffer().setLength(0);
            assertThat(cl.execute("worker", "--spec", spec.toString(), "--index", "2")).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("worker: worker index 2 is outside 0..1");
            err.getBuffer().setLength(0);
            assertThat(cl.execute("worker", "--spec", dir.resolve("none.json").toString(), "--index", "0")).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("worker: --spec file not found: " + dir.resolve("none.json"));
        }
    }

    @Test
    void aResultLineThatDoesNotParseIsSaid() {
        assertThat(WorkerProtocol.findResult(List.of("progress", "more"))).isEmpty();
        assertThatThrownBy(() -> WorkerProtocol.findResult(List.of(WorkerProtocol.RESULT_PREFIX + "{\"total\":")))
                .hasMessageStartingWith("its result line is not valid: ");
    }
}
