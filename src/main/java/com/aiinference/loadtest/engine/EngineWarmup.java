package com.aiinference.loadtest.engine;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Runs the code that reads answers (HTTP framing, line splitting, JSON parsing, recording) on synthetic answers of
 * the run's API before the clock starts, until the JIT has compiled it, so the first requests of a run are not
 * timed by an interpreter. In-memory only (Netty's {@link EmbeddedChannel}); nothing is sent.
 *
 * <p>"Compiled" is read from the JVM's own compilation clock: after {@link #MIN_ANSWERS} answers, the warm-up ends
 * as soon as the JIT compiled nothing during the last {@link #SETTLE_ANSWERS} answers. Bounded in any case by
 * {@link #MAX_ANSWERS} answers, {@link #MAX_CPU_MILLIS} ms of this thread's CPU (a machine shared with the server
 * under test gives it less than a core) and {@link #MAX_WALL_MILLIS} ms.
 */
final class EngineWarmup {
    static final int MIN_ANSWERS = 200;
    static final int SETTLE_ANSWERS = 100;
    static final int MAX_ANSWERS = 2000;
    static final long MAX_CPU_MILLIS = 1500;
    static final long MAX_WALL_MILLIS = 5000;
    private static final int TOKENS = 20;

    private EngineWarmup() {}

    /** Returns how many synthetic answers were read; stops early once {@code stop} says so. */
    static int run(LoadTestConfig config, BooleanSupplier stop) {
        return run(config, stop, compilationClock());
    }

    /**
     * The JVM's total compilation time in ms ({@link CompilationMXBean#getTotalCompilationTime}), or -1 without one
     * (the warm-up then runs to its bounds).
     */
    static LongSupplier compilationClock() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return () -> -1;
        }
        return jit::getTotalCompilationTime;
    }

    /** The same, with the JIT's clock given ({@code compileMillis}, -1: unknown). */
    static int run(LoadTestConfig config, BooleanSupplier stop, LongSupplier compileMillis) {
        long start = System.nanoTime();
        long until = start + TimeUnit.MILLISECONDS.toNanos(MAX_WALL_MILLIS);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuClock = threads.isCurrentThreadCpuTimeSupported();
        long cpuUntil = cpuClock ? threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(MAX_CPU_MILLIS) : 0;
        byte[][] chunks = answer(config.api(), config.stream());
        RunRecorder metrics = new RunRecorder(start, start, Long.MAX_VALUE);
        HttpConnection.Pool keep = new HttpConnection.Pool() {
            @Override
            public void release(HttpConnection c) {
                // stays open for the next synthetic answer
            }

            @Override
            public void closed(HttpConnection c) {
                // nothing pooled
            }
        };
        HttpConnection connection = new HttpConnection(keep);
        EmbeddedChannel channel = new EmbeddedChannel(connection);
        int answers = 0;
        long compiledAtCheck = compileMillis.getAsLong();
        try {
            while (answers < MAX_ANSWERS && System.nanoTime() < until && !stop.getAsBoolean()
                    && (!cpuClock || answers % 50 != 0 || threads.getCurrentThreadCpuTime() < cpuUntil)) {
                long origin = System.nanoTime();
                AnswerParser parser = new AnswerParser(config.api());
                boolean measured = metrics.started(origin);
                boolean[] ok = new boolean[1];
                connection.send(new HttpConnection.Request(config.stream(), parser) {
                    @Override
                    void ended(String errorKey, long endNanos) {
                        ok[0] = errorKey == null;
                        metrics.finished(RequestRecord.of(measured, origin, endNanos, errorKey, parser));
                    }
                }, Unpooled.EMPTY_BUFFER);
                channel.releaseOutbound();
                for (byte[] chunk : chunks) {
                    channel.writeInbound(Unpooled.wrappedBuffer(chunk));
                }
                channel.releaseInbound();
                if (!ok[0] || !channel.isActive()) {
                    break; // a synthetic answer the parser refuses would be a bug here; the run itself will tell
                }
                answers++;
                if (answers % 100 == 0) {
                    metrics.tick(1, 1); // the reader side too: drains the recorders as a progress tick does
                }
                if (answers % SETTLE_ANSWERS == 0) {
                    long compiled = compileMillis.getAsLong();
                    if (answers >= MIN_ANSWERS && compiled >= 0 && compiled == compiledAtCheck) {
                        break; // the JIT had nothing left to compile over the last SETTLE_ANSWERS answers
                    }
                    compiledAtCheck = compiled;
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        return answers;
    }

    /** One answer of {@code api} in the wire's pieces: head with the first chunk, then one chunk per token. */
    static byte[][] answer(Api api, boolean stream) {
        String model = "\"warm:up\"";
        if (!stream) {
            String body = switch (api) {
                case OLLAMA -> "{\"model\":" + model + ",\"response\":\"warm up\",\"done\":true,\"eval_count\":"
                        + TOKENS + ",\"eval_duration\":400000000}";
                case OLLAMA_CHAT -> "{\"model\":" + model + ",\"message\":{\"role\":\"assistant\",\"content\":\"warm up\"},"
                        + "\"done\":true,\"eval_count\":" + TOKENS + ",\"eval_duration\":400000000}";
                case OPENAI_COMPLETIONS -> "{\"id\":\"w\",\"object\":\"text_completion\",\"created\":1,\"model\":" + model
                        + ",\"choices\":[{\"text\":\"warm up\",\"index\":0,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + TOKENS + ",\"total_tokens\":25}}";
                case OPENAI_CHAT -> "{\"id\":\"w\",\"object\":\"chat.completion\",\"created\":1,\"model\":" + model
                        + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"warm up\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":"
                        + TOKENS + ",\"total_tokens\":25}}";
            };
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            return new byte[][] {concat(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + b.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), b)};
        }
        byte[][] chunks = new byte[TOKENS + 2][];
        String type = api.ndjson() ? "application/x-ndjson" : "text/event-stream";
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < TOKENS; i++) {
            String word = " w" + i;
            String line = switch (api) {
                case OLLAMA -> "{\"model\":" + model + ",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":\"" + word
                        + "\",\"done\":false}\n";
                case OLLAMA_CHAT -> "{\"model\":" + model + ",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"" + word + "\"},\"done\":false}\n";
                case OPENAI_COMPLETIONS -> "data: {\"id\":\"w\",\"object\":\"text_completion\",\"created\":1,\"model\":"
                        + model + ",\"choices\":[{\"text\":\"" + word + "\",\"index\":0,\"finish_reason\":null}]}\n\n";
                case OPENAI_CHAT -> "data: {\"id\":\"w\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                        + model + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word
                        + "\"},\"finish_reason\":null}]}\n\n";
            };
            chunks[i] = chunk(line);
        }
        chunks[0] = concat(head, chunks[0]);
        String last = switch (api) {
            case OLLAMA -> "{\"model\":" + model + ",\"response\":\"\",\"done\":true,\"eval_count\":" + TOKENS
                    + ",\"eval_duration\":400000000}\n";
            case OLLAMA_CHAT -> "{\"model\":" + model + ",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                    + "\"eval_count\":" + TOKENS + ",\"eval_duration\":400000000}\n";
            case OPENAI_COMPLETIONS, OPENAI_CHAT -> "data: {\"id\":\"w\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
                    + "\"completion_tokens\":" + TOKENS + ",\"total_tokens\":25}}\n\ndata: [DONE]\n\n";
        };
        chunks[TOKENS] = chunk(last);
        chunks[TOKENS + 1] = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        return chunks;
    }

    private static byte[] chunk(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        return concat(concat((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1), data),
                "\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
