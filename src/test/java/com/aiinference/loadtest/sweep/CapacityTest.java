package com.aiinference.loadtest.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.loadtest.CapacityCommand;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.report.ReportVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capacity answer from a sweep: arithmetic, assumptions, and the sweep files it refuses. */
class CapacityTest {
    @TempDir
    Path dir;

    static SweepResult sweep(String loadKey, int replicas, String slo, SweepStep... steps) {
        return new SweepResult("http://10.0.0.1:8000/v1/completions", "openai-completions", "meta-llama/Llama-3.1-8B-Instruct",
                loadKey, Slo.parse(slo), replicas, "--replicas", 20, 0, 128, 1, Instant.parse("2026-11-30T09:00:00Z"),
                List.of(steps), "the SLO broke");
    }

    @Test
    void replicasAreUsersOverThePerReplicaKneeRoundedUp() {
        // 2 replicas held 64 users within p95<5s (not 128): 32 per replica; 1000 / 32 = 31.25 -> 32
        SweepResult s = sweep(SweepResult.CONCURRENCY, 2, "p95<5s", SweepTest.step(32, 10, 3000),
                SweepTest.step(64, 20, 4500), SweepTest.step(128, 21, 9000));
        Capacity c = Capacity.of(s, 1000, null);
        assertThat(c.perReplicaConcurrency()).isEqualTo(32.0);
        assertThat(c.replicas()).isEqualTo(32);
        assertThat(c.derivation()).isEqualTo("knee at concurrency 64 over 2 replicas = 32.0 concurrent users per replica");
        assertThat(c.assumptions()).anyMatch(a -> a.startsWith("closed-loop users"))
                .anyMatch(a -> a.contains("spreads evenly"))
                .anyMatch(a -> a.contains("answers of 100 output tokens on average at the knee"));
        // exactly divisible: no extra replica
        assertThat(Capacity.of(s, 960, null).replicas()).isEqualTo(30);
        assertThat(Capacity.of(s, 961, null).replicas()).isEqualTo(31);
    }

    @Test
    void aStricterSloMovesTheKneeDown() {
        SweepResult s = sweep(SweepResult.CONCURRENCY, 1, "p95<5s", SweepTest.step(8, 4, 2000),
                SweepTest.step(16, 8, 3000), SweepTest.step(32, 9, 4800));
        assertThat(Capacity.of(s, 100, null).replicas()).isEqualTo(4); // 32 per replica
        Capacity strict = Capacity.of(s, 100, Slo.parse("p95<2500ms"));
        assertThat(strict.knee().load()).isEqualTo(8.0);
        assertThat(strict.replicas()).isEqualTo(13); // 100 / 8 = 12.5
        assertThat(strict.assumptions()).noneMatch(a -> a.contains("still held")); // the SLO broke above the knee
        assertThat(Capacity.of(s, 100, null).assumptions()).anyMatch(a -> a.contains("still held at the sweep's highest step"));
    }

    @Test
    void anOpenLoopSweepDerivesConcurrencyByLittlesLaw() {
        // knee at 8 req/s measured, mean latency 0.9 x 2000 ms = 1.8 s -> 14.4 in flight over 2 replicas = 7.2
        SweepResult s = sweep(SweepResult.RATE, 2, "p95<3s", SweepTest.step(SweepResult.RATE, 8, 8, 2000),
                SweepTest.step(SweepResult.RATE, 16, 12, 4000));
        Capacity c = Capacity.of(s, 1000, null);
        assertThat(c.perReplicaConcurrency()).isCloseTo(7.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.replicas()).isEqualTo(139);
        assertThat(c.derivation()).startsWith("Little's law at the knee (rate 8.0 req/s): 8.0 req/s x mean latency 1.8s = 14.4 requests in flight");
    }

    @Test
    void noStepWithinTheSloIsItsOwnFailure() {
        SweepResult s = sweep(SweepResult.CONCURRENCY, 1, "p95<1s", SweepTest.step(8, 4, 2000));
        assertThatThrownBy(() -> Capacity.of(s, 1000, null)).isInstanceOf(Capacity.NoStepWithinSloException.class)
                .hasMessage("no step of the sweep met p95<1s: the first, concurrency 8, p95<1s measured 2s;"
                        + " sweep lower loads, or more replicas per step");
    }

    @Test
    void filesThatAreNotSweepsAreRefusedNamingWhy() throws Exception {
        Path report = dir.resolve("run.json");
        Files.writeString(report, "{\"version\":{\"tool\":\"dev\",\"schema\":2},\"command\":\"loadtest\",\"load\":{}}");
        assertThatThrownBy(() -> SweepResult.read(report)).isInstanceOf(SweepInputException.class)
                .hasMessage(report + " is not a sweep report: no \"kind\": \"sweep\" (it is a single loadtest report;"
                        + " make a sweep with 'loadtest sweep --report-json FILE')");
        Path notJson = dir.resolve("x.json");
        Files.writeString(notJson, "steps: []");
        assertThatThrownBy(() -> SweepResult.read(notJson)).hasMessageStartingWith(notJson + " is not JSON (");
        assertThatThrownBy(() -> SweepResult.read(dir.resolve("missing.json"))).hasMessage("sweep file not found: " + dir.resolve("missing.json"));

        var json = SweepTest.json(sweep(SweepResult.CONCURRENCY, 1, "p95<5s", SweepTest.step(8, 4, 2000), SweepTest.step(16, 8, 2000)));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("steps").get(1)).put("concurrency", 4);
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).hasMessage("s.json: steps do not rise (concurrency 8.0 then 4.0)");
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).putArray("steps");
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).hasMessage("s.json has no steps");
    }

    /** The sweep's JSON is the record itself: the version, the report conventions, and the files older sweeps wrote. */
    @Test
    void theSweepJsonHasTheReportConventionsAndOlderFilesStillRead() throws Exception {
        SweepResult open = sweep(SweepResult.RATE, 1, "p95<5s", SweepTest.step(SweepResult.RATE, 1, 1, 1000),
                SweepTest.step(SweepResult.RATE, 2, 2, 2000));
        var json = SweepTest.json(open);
        assertThat(json.get("version").get("schema").asInt()).isEqualTo(ReportVersion.SCHEMA);
        assertThat(json.get("mode").asText()).isEqualTo("open_loop");
        assertThat(json.get("steps").get(0).get("rate").asDouble()).isEqualTo(1.0);
        assertThat(json.get("steps").get(0).get("concurrency").isNull()).isTrue();
        assertThat(json.get("knee").toString()).isEqualTo("{\"concurrency\":null,\"rate\":2.0}");
        SweepResult back = SweepResult.fromJson(json, "s.json");
        assertThat(SweepTest.json(back)).isEqualTo(json);
        assertThat(back.openLoop()).isTrue();
        assertThat(back.knee()).get().extracting(SweepStep::load).isEqualTo(2.0);
        // a step's requests as sweeps wrote them before they were the run report's: the success share follows
        for (var step : json.get("steps")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) step.get("requests")).remove(List.of("stopped_by_user", "success_share"));
        }
        SweepResult older = SweepResult.fromJson(json, "s.json");
        assertThat(older.steps().get(1).requests().successShare()).isEqualTo(1.0);
        assertThat(older.knee(Slo.parse("success>=99.9%"))).get().extracting(SweepStep::load).isEqualTo(2.0);
        assertThat(SweepTest.json(older)).isEqualTo(SweepTest.json(back));

        // a file without the version field is not a sweep this tool wrote: one line, naming the file
        Path old = dir.resolve("old.json");
        Files.writeString(old, "{\"kind\":\"sweep\",\"target\":\"http://10.0.0.1:8000/v1/completions\",\"api\":\"openai-completions\","
                + "\"model\":\"m/m\",\"mode\":\"closed-loop\",\"slo\":\"p95<5s\",\"replicas\":2,\"replicas_source\":\"--replicas\","
                + "\"step_duration_s\":10.0,\"warmup_s\":2.0,\"max_tokens\":128,\"prompts\":1,\"started_at\":\"2026-11-30T10:54:00Z\","
                + "\"steps\":[{\"concurrency\":8,\"requests_per_s\":4.0,\"output_tokens_per_s\":400.0,\"latency_ms\":{\"count\":40,"
                + "\"mean\":1000.0,\"p50\":1000.0,\"p90\":1000.0,\"p95\":1000.0,\"p99\":1000.0,\"max\":1000.0},\"ttft_ms\":{\"count\":40,"
                + "\"mean\":100.0,\"p50\":100.0,\"p90\":null,\"p95\":null,\"p99\":null,\"max\":null},\"requests\":{\"total\":40,"
                + "\"succeeded\":40,\"failed\":0},\"errors\":{},\"output_tokens\":4000,\"duration_s\":10.0,\"peak_in_flight\":8,"
                + "\"aborted\":null,\"within_slo\":true}],\"knee\":{\"concurrency\":8},\"stopped\":\"every step ran\"}");
        assertThatThrownBy(() -> SweepResult.read(old)).isInstanceOf(SweepInputException.class)
                .hasMessage(old + " has no version.schema: not a sweep report this tool wrote (loadtest sweep --report-json)");

        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("version")).put("schema", ReportVersion.SCHEMA + 1);
        assertThatThrownBy(() -> SweepResult.fromJson(json, "new.json")).isInstanceOf(SweepInputException.class)
                .hasMessage("new.json is a sweep report of schema " + (ReportVersion.SCHEMA + 1) + ", newer than this tool"
                        + " reads (schema " + ReportVersion.SCHEMA + " and older): use the ai-inference that wrote it");
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("version")).put("schema", ReportVersion.SCHEMA);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("steps").get(1)).put("requests_per_s", "fast");
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).isInstanceOf(SweepInputException.class)
                .hasMessageStartingWith("s.json: steps[1].requests_per_s is not what sweep schema " + ReportVersion.SCHEMA
                        + " holds there (");
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("steps").get(1)).remove("requests_per_s");
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).hasMessage("s.json: steps[1] has no number 'requests_per_s'");
        ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("mode", "burst");
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).hasMessage("s.json: mode must be closed_loop or open_loop, got 'burst'");
    }

    /** Each damage a sweep file can have is one line naming the file and the place, never a default read over it. */
    @Test
    void aDamagedSweepFileIsRefusedNamingThePlace() {
        record Damage(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit, String message) {}
        List<Damage> damages = List.of(
                new Damage(j -> j.put("slo", "p95<fast"), "s.json: slo: --slo objective 'p95<fast' must look like METRIC<VALUE"),
                new Damage(j -> j.put("replicas", 0), "s.json: replicas must be at least 1, got 0"),
                new Damage(j -> j.remove("replicas"), "s.json: replicas must be at least 1, got null"),
                new Damage(j -> j.put("started_at", "yesterday"), "s.json: started_at is not a time: 'yesterday'"),
                new Damage(j -> j.withArray("steps").set(1, j.nullNode()), "s.json: steps[1] is not an object"),
                new Damage(j -> step(j, 1).remove("concurrency"), "s.json: steps[1] has no number 'concurrency'"),
                new Damage(j -> step(j, 1).put("rate", 2.0),
                        "s.json: steps[1] has both 'concurrency' and 'rate': a step has the one of its mode"),
                new Damage(j -> step(j, 0).remove("requests"), "s.json: steps[0] has no 'requests'"),
                new Damage(j -> step(j, 0).remove("output_tokens_per_s"), "s.json: steps[0] has no number 'output_tokens_per_s'"),
                new Damage(j -> ((com.fasterxml.jackson.databind.node.ObjectNode) step(j, 1).get("requests")).remove("total"),
                        "s.json: steps[1].requests.total is not what sweep schema " + ReportVersion.SCHEMA
                                + " holds there (Missing required creator property 'total'"),
                new Damage(j -> ((com.fasterxml.jackson.databind.node.ObjectNode) step(j, 1).get("requests")).putNull("succeeded"),
                        "s.json: steps[1].requests.succeeded is not what sweep schema " + ReportVersion.SCHEMA + " holds there ("),
                new Damage(j -> step(j, 1).put("requests", "many"), "s.json: steps[1].requests is not what sweep schema "
                        + ReportVersion.SCHEMA + " holds there ("),
                new Damage(j -> step(j, 0).put("latency_ms", 5), "s.json: steps[0].latency_ms is not what sweep schema "
                        + ReportVersion.SCHEMA + " holds there ("),
                new Damage(j -> j.put("steps", "none"), "s.json: steps is not what sweep schema " + ReportVersion.SCHEMA
                        + " holds there ("));
        for (Damage d : damages) {
            var json = SweepTest.json(sweep(SweepResult.CONCURRENCY, 1, "p95<5s", SweepTest.step(8, 4, 2000),
                    SweepTest.step(16, 8, 2000)));
            d.edit().accept(json);
            assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).as(d.message())
                    .isInstanceOf(SweepInputException.class).hasMessageStartingWith(d.message())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode step(com.fasterxml.jackson.databind.node.ObjectNode json, int i) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) json.get("steps").get(i);
    }

    @Test
    void aSweepOfAnotherEndpointIsRefused() {
        SweepResult s = sweep(SweepResult.CONCURRENCY, 1, "p95<5s", SweepTest.step(8, 4, 2000));
        CapacityCommand.requireSameEndpoint(s, java.net.URI.create("http://10.0.0.1:8000/v1/chat/completions"));
        assertThatThrownBy(() -> CapacityCommand.requireSameEndpoint(s, java.net.URI.create("http://10.0.0.2:8000/v1/completions")))
                .isInstanceOf(SweepInputException.class)
                .hasMessage("the sweep measured http://10.0.0.1:8000, not http://10.0.0.2:8000: sweep this endpoint first");
    }
}
