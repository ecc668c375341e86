package com.aiinference.status;

import com.aiinference.kube.KubeAccess;
import com.aiinference.kube.KubeAccessException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Polls a {@link StatusInspector} until the platform is ready, has failed, or the wait is over, with one progress line
 * on {@code err}: rewritten in place on a terminal, printed once per change otherwise (CI logs). Used by {@code status
 * --wait} and {@code verify --wait-ready}.
 */
public final class StatusWatch {
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final StatusInspector inspector;
    private final Clock clock;
    private final Duration interval;

    public StatusWatch(StatusInspector inspector, Clock clock, Duration interval) {
        this.inspector = inspector;
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * @param first the status already read
     * @return the last status read: ready, failed, or whatever it was when {@code wait} ran out
     * @throws KubeAccessException when the API stopped answering and did not come back before the deadline
     */
    public PlatformStatus follow(PlatformStatus first, Duration wait, PrintWriter err) {
        Instant deadline = clock.instant().plus(wait);
        // The live line goes to stderr: rewrite it in place only when stderr is a terminal.
        boolean terminal = com.aiinference.io.Terminal.stderrIsInteractive();
        PlatformStatus status = first;
        String lastLine = null;
        KubernetesClientException lastError = null;
        while (true) {
            String line = liveLine(status);
            if (terminal) {
                err.print("\r" + line + "\u001b[K");
                err.flush();
            } else if (!withoutTime(line).equals(lastLine)) {
                // Plain lines: one per change of state, not one per poll (the time alone is no change).
                err.println(line);
                err.flush();
            }
            lastLine = withoutTime(line);
            if (status.ready() || status.failed() || !clock.instant().isBefore(deadline)) {
                break;
            }
            long left = Duration.between(clock.instant(), deadline).toMillis();
            try {
                Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                status = inspector.read();
                lastError = null;
            } catch (KubernetesClientException e) {
                // A control-plane upgrade or a network blip: keep the last state and try again until the deadline.
                lastError = e;
                if (!clock.instant().isBefore(deadline)) {
                    break;
                }
            }
        }
        if (terminal) {
            err.println();
            err.flush();
        }
        if (lastError != null) {
            throw new KubeAccessException("the Kubernetes API stopped answering while waiting: " + KubeAccess.firstLine(lastError));
        }
        return status;
    }

    /** One line: the time, the stage, the counts, the time left, the summary. */
    private static String withoutTime(String line) {
        return line.substring(line.indexOf("] ") + 2);
    }

    static String liveLine(PlatformStatus s) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(UTC_TIME.format(s.at())).append("] ").append(s.stage().name());
        s.request().ifPresent(r -> b.append(" | request ").append(r.phase().name().toLowerCase(Locale.ROOT)));
        b.append(" | nodes ").append(s.nodes().readable() ? s.nodes().joined() + "/" + s.nodes().expected() : "?")
                .append(" (GPUs on ").append(s.nodes().withGpus()).append(')')
                .append(" | pods ready ").append(s.pods().ready()).append('/').append(s.pods().expected());
        if (s.endpoint().loadBalancer()) {
            b.append(" | LB ").append(s.endpoint().assigned().isEmpty() ? "pending" : s.endpoint().assigned());
        }
        s.expiry().ifPresent(e -> b.append(" | nodes removed in ").append(StatusCommand.left(e.left())));
        b.append(" | ").append(s.summary());
        return b.toString();
    }
}
