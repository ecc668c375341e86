package com.aiinference.verify;

import java.io.PrintWriter;
import java.net.URI;

/** The load between the two snapshots: {@code loadtest}'s runner, configured by the same options and SLOs. */
public interface LoadPhase {
    LoadOutcome run(URI endpoint, PrintWriter progress);

    /** Concurrent users asked for (0 for an open-loop rate), for the report's title even when the load is skipped. */
    int users();
}
