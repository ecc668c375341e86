package com.aiinference.chart;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Takes SIGINT and SIGTERM back from helm-java's Go runtime. Rendering a chart loads Helm as a Go shared library
 * in-process; the Go runtime installs its own handlers for INT and TERM over the JVM's, so after a render neither
 * Ctrl-C nor {@code kill} reaches the JVM's shutdown hooks and the process keeps running. Re-registering through
 * {@code sun.misc.Signal} (module jdk.unsupported, available with {@code --release 17}) makes a JVM handler the
 * process's handler again. {@link ChartRenderer} restores the JVM's usual behaviour after every Helm call; a
 * long-running command can then install its own stop handler with {@link #install}.
 */
public final class HelmSignals {

    private HelmSignals() {}

    /** Installs {@code onStop} for INT and TERM; returns a description of what could not be installed, empty if all. */
    public static List<String> install(Runnable onStop) {
        List<String> failed = new ArrayList<>();
        SignalHandler handler = signal -> onStop.run();
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // the JVM runs with -Xrs or the signal is unknown on this OS: keep whatever is there
                failed.add("SIG" + name + ": " + e.getMessage());
            }
        }
        return failed;
    }

    /**
     * What the JVM does on INT or TERM without Helm loaded: run the shutdown hooks and exit 128 + the signal number
     * (130 for Ctrl-C, 143 for {@code kill}). The exit runs on its own thread, as the JVM's own handler does.
     */
    static void restoreJvmDefault() {
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    Thread exit = new Thread(() -> System.exit(128 + signal.getNumber()), "signal-" + name);
                    exit.start();
                });
            } catch (IllegalArgumentException e) {
                // -Xrs: the JVM leaves signals alone on purpose; so do we
            }
        }
    }
}
