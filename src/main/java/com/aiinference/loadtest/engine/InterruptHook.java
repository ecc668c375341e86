package com.aiinference.loadtest.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C stops a run instead of killing it: a shutdown hook raises the {@link LoadTestRunner.StopSignal} (no new
 * requests; those in flight are cut and counted apart, not as failures), runs what else must stop (worker processes,
 * the Job of {@code --in-cluster}), and holds the JVM until {@link #close()} says the command printed and wrote what
 * was measured, or the hold runs out. Used by {@code loadtest}, {@code loadtest sweep} and {@code verify}.
 */
public final class InterruptHook implements AutoCloseable {
    /** How long a Ctrl-C'd JVM waits for the report of a run in this process (or of local worker processes). */
    public static final Duration HOLD = Duration.ofSeconds(15);

    private final LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean interrupted;
    private Runnable alsoOnStop = () -> { };

    public InterruptHook(String name) {
        this(name, () -> { }, HOLD);
    }

    /**
     * The same, also running {@code alsoOnStop} on Ctrl-C (e.g. telling worker processes to stop), and holding the JVM
     * up to {@code hold} for the report.
     */
    public InterruptHook(String name, Runnable alsoOnStop, Duration hold) {
        this.alsoOnStop = alsoOnStop;
        hook = new Thread(() -> {
            interrupted = true;
            signal.stop("Ctrl-C");
            Runnable more;
            synchronized (this) {
                more = this.alsoOnStop;
            }
            more.run();
            try {
                reported.await(hold.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * What else to stop on Ctrl-C, known only once it exists (the Job of {@code --in-cluster}); run at once when the
     * user has already pressed Ctrl-C.
     */
    public void alsoOnStop(Runnable action) {
        boolean now;
        synchronized (this) {
            alsoOnStop = action;
            now = interrupted;
        }
        if (now) {
            action.run();
        }
    }

    public LoadTestRunner.StopSignal signal() {
        return signal;
    }

    /** Whether the user pressed Ctrl-C (the JVM is shutting down and exits with 130 once this hook is closed). */
    public boolean interrupted() {
        return interrupted;
    }

    /** The reports are out: let a Ctrl-C'd JVM exit, or take the hook away. */
    @Override
    public void close() {
        reported.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and has just been released
        }
    }
}
