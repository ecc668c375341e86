package com.aiinference.verify;

import java.io.PrintWriter;
import java.net.URI;

/** The load between the two snapshots: {@code loadtest}'s runner, configured by the same options and SLOs. */
@FunctionalInterface
public interface LoadPhase {
    LoadOutcome run(URI endpoint, PrintWriter progress);
}
