package com.aiinference.loadtest.distributed;

import com.aiinference.loadtest.engine.RunSnapshot;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.Optional;

/**
 * The lines a worker writes on stdout (its progress goes to stderr; in a pod both end up in the log, so the
 * coordinator looks for these prefixes): {@value #READY} once its spec is read and its target reachable, then at the
 * end {@value #RESULT_PREFIX} followed by its {@link RunSnapshot} as one line of JSON. A local worker started with
 * {@code --wait-for-go} starts its load when it reads {@value #GO} on stdin, and stops early on {@value #STOP} or
 * when stdin closes (the coordinator is gone).
 */
public final class WorkerProtocol {
    public static final String READY = "ai-inference-worker-ready";
    public static final String RESULT_PREFIX = "ai-inference-worker-result ";
    public static final String GO = "go";
    public static final String STOP = "stop";

    private WorkerProtocol() {}

    public static String resultLine(RunSnapshot m) {
        try {
            return RESULT_PREFIX + WorkerSpec.JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The measurements in the last result line of {@code lines} (a worker's stdout or a pod's log), if there is one.
     * A result line that does not parse is an {@link IllegalArgumentException}.
     */
    public static Optional<RunSnapshot> findResult(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            int at = line.indexOf(RESULT_PREFIX);
            if (at >= 0) {
                try {
                    return Optional.of(WorkerSpec.JSON.readValue(line.substring(at + RESULT_PREFIX.length()), RunSnapshot.class));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("its result line is not valid: " + e.getOriginalMessage());
                }
            }
        }
        return Optional.empty();
    }
}
