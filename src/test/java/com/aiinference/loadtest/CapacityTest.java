package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        SweepResult s = sweep(SweepResult.RATE, 2, "p95<3s", SweepTest.step(8, 8, 2000), SweepTest.step(16, 12, 4000));
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
        Files.writeString(report, "{\"config\":{},\"requests\":{\"total\":1}}");
        assertThatThrownBy(() -> SweepResult.read(report)).isInstanceOf(SweepInputException.class)
                .hasMessage(report + " is not a sweep report: no \"kind\": \"sweep\" (it is a single loadtest report;"
                        + " make a sweep with 'loadtest sweep --report-json FILE')");
        Path notJson = dir.resolve("x.json");
        Files.writeString(notJson, "steps: []");
        assertThatThrownBy(() -> SweepResult.read(notJson)).hasMessageStartingWith(notJson + " is not JSON (");
        assertThatThrownBy(() -> SweepResult.read(dir.resolve("missing.json"))).hasMessage("sweep file not found: " + dir.resolve("missing.json"));

        var json = sweep(SweepResult.CONCURRENCY, 1, "p95<5s", SweepTest.step(8, 4, 2000), SweepTest.step(16, 8, 2000)).toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("steps").get(1)).put("concurrency", 4);
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).hasMessage("s.json: steps do not rise (concurrency 8.0 then 4.0)");
        json.putArray("steps");
        assertThatThrownBy(() -> SweepResult.fromJson(json, "s.json")).hasMessage("s.json has no steps");
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
