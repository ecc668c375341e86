package com.aiinference.status.archfixture;

import com.aiinference.loadtest.engine.LoadShape;
import java.time.Duration;

/** Breaks the layers on purpose (test sources only): status reaching for the load engine. */
public final class StatusThatRunsALoad {
    private StatusThatRunsALoad() {}

    public static String load() {
        return new LoadShape.ClosedLoop(1, Duration.ZERO).describe();
    }
}
