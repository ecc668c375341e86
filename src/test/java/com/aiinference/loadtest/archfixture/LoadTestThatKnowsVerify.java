package com.aiinference.loadtest.archfixture;

import com.aiinference.cli.CliException;
import com.aiinference.verify.Moment;

/** Breaks the layers on purpose (test sources only): the load test reaching into verify and throwing a CLI error. */
public final class LoadTestThatKnowsVerify {
    private LoadTestThatKnowsVerify() {}

    public static String stage() {
        if (Moment.values().length == 0) {
            throw CliException.usage("no stages");
        }
        return Moment.RUN.label();
    }
}
