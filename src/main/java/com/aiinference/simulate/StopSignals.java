package com.aiinference.simulate;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Takes SIGINT and SIGTERM back from helm-java's Go runtime. Rendering the chart loads Helm as a Go shared library
 * in-process; the Go runtime installs its own handlers for INT and TERM over the JVM's, so after a render neither
 * Ctrl-C nor {@code kill} reaches the JVM's shutdown hooks and the process keeps running. Re-registering through
 * {@code sun.misc.Signal} (module jdk.unsupported, available with {@code --release 17}) makes the JVM's handler the
 * process's handler again; ours stops the command the normal way instead of exiting the JVM from a signal thread.
 */
final class StopSignals {

    private StopSignals() {}

    /** Installs {@code onStop} for INT and TERM; returns a description of what could not be installed, empty if all. */
    static List<String> install(Runnable onStop) {
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
}
