package com.aiinference.verify;

import java.io.PrintWriter;
import java.net.URI;

/** The load between the two snapshots: {@code loadtest}'s runner, configured by the same options and SLOs. */
public interface LoadPhase {
    LoadOutcome run(URI endpoint, PrintWriter progress);

    /** Concurrent users asked for (0 for an open-loop rate), for the report's title even when the load is skipped. */
    int users();

    /**
     * The pre-flight request ({@code loadtest}'s): empty when it answered (or is switched off), else why the load
     * cannot run. May record a warning for the report (a local endpoint with more load than a port-forward holds).
     */
    java.util.Optional<String> preflight(URI endpoint, PrintWriter log);
}
