package com.aiinference.loadtest.engine.archfixture;

import com.aiinference.report.ReportFiles;
import com.aiinference.report.archfixture.ReportThatCallsTheEngineBack;

/** Breaks the layers on purpose (test sources only): the engine writing a report, round a package loop. */
public final class EngineThatWritesAReport {
    private EngineThatWritesAReport() {}

    public static String write() {
        return ReportFiles.class.getSimpleName() + ReportThatCallsTheEngineBack.name();
    }

    public static String name() {
        return "engine";
    }
}
