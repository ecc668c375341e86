package com.aiinference.report.archfixture;

import com.aiinference.loadtest.engine.archfixture.EngineThatWritesAReport;

/** The other half of the loop {@link EngineThatWritesAReport} starts (test sources only). */
public final class ReportThatCallsTheEngineBack {
    private ReportThatCallsTheEngineBack() {}

    public static String name() {
        return "report of " + EngineThatWritesAReport.name();
    }
}
