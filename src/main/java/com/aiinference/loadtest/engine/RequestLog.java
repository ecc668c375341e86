package com.aiinference.loadtest.engine;

import com.aiinference.io.UserFiles;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --save-requests FILE}: one JSON line per measured request, written as each one ends, for the user's own
 * analysis. Times are milliseconds since the run started (the report's {@code started_at}):
 * <pre>{"start_ms":10012.4,"ttft_ms":203.1,"end_ms":12851.0,"latency_ms":2838.6,"output_tokens":128,"input_tokens":26,"outcome":"ok"}</pre>
 * {@code start_ms} is the latency origin (the scheduled send time in an open loop), {@code ttft_ms} and
 * {@code latency_ms} count from it (null when there was no token), {@code input_tokens} is null when the server gave
 * no count, and {@code outcome} is {@code ok} or the {@link ErrorKind} key. Thread-safe.
 */
final class RequestLog implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();
    private final Path file;
    private final BufferedWriter writer;
    private final long startNanos;
    private IOException failure;

    private RequestLog(Path file, BufferedWriter writer, long startNanos) {
        this.file = file;
        this.writer = writer;
        this.startNanos = startNanos;
    }

    /** Opens (truncates) {@code file}, or returns null when {@code file} is null. */
    static RequestLog open(Path file, long startNanos) {
        if (file == null) {
            return null;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new RequestLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8), startNanos);
        } catch (IOException e) {
            throw new UserFiles.UserFileException("cannot write --save-requests " + file + ": " + e.getMessage(), e);
        }
    }

    /** One ended request (measured ones only). */
    void ended(RequestRecord r) {
        ended(r, 0, -1);
    }

    /**
     * One ended request of a workload: with its turn number in its conversation ({@code turn} 0: no workload, and
     * neither field is written) and the server's cached prompt tokens (-1: not given).
     */
    synchronized void ended(RequestRecord r, int turn, long cachedTokens) {
        if (!r.measured() || failure != null) {
            return;
        }
        try (JsonGenerator g = JSON.createGenerator(writer)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeNumberField("start_ms", ms(r.originNanos() - startNanos));
            if (r.firstTokenNanos() > 0) {
                g.writeNumberField("ttft_ms", ms(r.firstTokenNanos() - r.originNanos()));
            } else {
                g.writeNullField("ttft_ms");
            }
            g.writeNumberField("end_ms", ms(r.endNanos() - startNanos));
            g.writeNumberField("latency_ms", ms(r.endNanos() - r.originNanos()));
            g.writeNumberField("output_tokens", r.outputTokens());
            if (r.ok() && r.inputTokens() >= 0) {
                g.writeNumberField("input_tokens", r.inputTokens());
            } else {
                g.writeNullField("input_tokens");
            }
            g.writeStringField("outcome", r.ok() ? "ok" : r.errorKey());
            if (turn > 0) {
                g.writeNumberField("turn", turn);
                if (r.ok() && cachedTokens >= 0) {
                    g.writeNumberField("cached_tokens", cachedTokens);
                } else {
                    g.writeNullField("cached_tokens");
                }
            }
            g.writeEndObject();
            g.flush();
            writer.write('\n');
        } catch (IOException e) {
            failure = e;
        }
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new UserFiles.UserFileException("cannot write --save-requests " + file + ": " + failure.getMessage(), failure);
        }
    }
}
