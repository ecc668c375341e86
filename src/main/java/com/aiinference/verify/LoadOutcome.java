package com.aiinference.verify;

import com.aiinference.loadtest.engine.LoadTestResult;
import java.util.List;

/**
 * What the load phase gave the verification: the run's result (the one summary every report shows) and its SLO
 * verdict, worded for the check that carries it.
 *
 * @param sloResults one line per SLO, e.g. {@code "p95<5s: met (2.91 s)"}, and why the load is not verified when it
 *                   was cut or incomplete
 */
public record LoadOutcome(LoadTestResult result, boolean sloMet, List<String> sloResults) {

    public LoadOutcome {
        sloResults = List.copyOf(sloResults);
    }
}
