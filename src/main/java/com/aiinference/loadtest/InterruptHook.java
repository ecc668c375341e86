package com.aiinference.loadtest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C stops a run instead of killing it: a shutdown hook raises the {@link LoadTestRunner.StopSignal} (no new
 * requests, those in flight count as aborted) and holds the JVM up to 15 s until {@link #close()} says the
 * command printed and wrote what was measured. Used by {@code loadtest} and {@code loadtest sweep}.
 */
final class InterruptHook implements AutoCloseable {
    private final LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;

    InterruptHook(String name) {
        this(name, () -> { });
    }

    /** The same, also running {@code alsoOnStop} (e.g. telling worker processes to stop). */
    InterruptHook(String name, Runnable alsoOnStop) {
        hook = new Thread(() -> {
            signal.stop("interrupted (Ctrl-C)");
            alsoOnStop.run();
            try {
                reported.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    LoadTestRunner.StopSignal signal() {
        return signal;
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
