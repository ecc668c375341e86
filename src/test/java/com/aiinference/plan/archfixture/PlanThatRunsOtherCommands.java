package com.aiinference.plan.archfixture;

import com.aiinference.loadtest.LoadTestCommand;
import com.aiinference.simulate.SimulatedEngine;

/**
 * Breaks the layers on purpose (test sources only): a production path that runs another package's command and the
 * simulator, and an error outside the domain family.
 */
public final class PlanThatRunsOtherCommands {
    private PlanThatRunsOtherCommands() {}

    public static Object[] both() {
        return new Object[] {new LoadTestCommand(), SimulatedEngine.class};
    }

    /** Not a DomainException: cli.ExitCodes would call it an internal error. */
    public static final class PlanBroke extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PlanBroke(String message) {
            super(message);
        }
    }
}
