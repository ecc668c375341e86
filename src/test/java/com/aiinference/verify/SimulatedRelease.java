package com.aiinference.verify;

import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A simulated release for tests: fake replicas (fast Ollama by default), the mock API server, and its outputs file. */
public final class SimulatedRelease implements AutoCloseable {
    public final List<SimulatedEngine> replicas = new ArrayList<>();
    public final SimulatedCluster cluster;
    public final Path outputs;

    public SimulatedRelease(SimulatedCluster.Spec spec, Path dir) {
        // Short answers so a 1 s run holds hundreds of requests: ~8 tokens at 2 ms after a 5 ms first token.
        this(spec, dir, Duration.ofMillis(2));
    }

    /** With {@code interToken} between the 8 tokens of each answer (longer answers are in flight when a pod dies). */
    public SimulatedRelease(SimulatedCluster.Spec spec, Path dir, Duration interToken) {
        this(spec, SimulatedEngineConfig.defaults().withModels(List.of(spec.model())).withTokensPerAnswer(8)
                .withTiming(Duration.ofMillis(5), interToken), dir);
    }

    /** Replicas of {@code engine} (each its own seed) behind the spec's simulated cluster. */
    public SimulatedRelease(SimulatedCluster.Spec spec, SimulatedEngineConfig engine, Path dir) {
        try {
            for (int i = 0; i < spec.replicas(); i++) {
                replicas.add(SimulatedEngine.start(engine.withSeed(i + 1L)));
            }
            cluster = SimulatedCluster.start(spec, replicas.stream().map(SimulatedEngine::baseUri).toList());
        } catch (RuntimeException e) {
            replicas.forEach(SimulatedEngine::close);
            throw e;
        }
        outputs = dir.resolve("outputs.json");
        writeOutputs(cluster.outputs());
    }

    /** Rewrites the outputs file with some keys changed (e.g. what the stack claims versus what runs). */
    void overrideOutputs(Map<String, Object> changes) {
        Map<String, Object> o = new java.util.LinkedHashMap<>(cluster.outputs());
        o.putAll(changes);
        writeOutputs(o);
    }

    private void writeOutputs(Map<String, Object> o) {
        try {
            Files.writeString(outputs, new ObjectMapper().writeValueAsString(o));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        cluster.close();
        replicas.forEach(SimulatedEngine::close);
    }
}
