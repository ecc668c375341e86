package com.aiinference.loadtest.engine;

/**
 * A run's steady-state rates, estimated from the work done inside its send window ({@link SendWindow}): each
 * request counts for the share of its lifetime inside the window, divided by the window's effective length (the
 * window weighted by how full the load was).
 *
 * @param windowSeconds          the send window's length
 * @param effectiveSeconds       its length weighted by how full the load was (equal to it once every sender is busy)
 * @param requestsPerSecond      requests (successes and failures)
 * @param succeededPerSecond     successes: the capacity figure
 * @param outputTokensPerSecond  output tokens of successes
 * @param inputTokensPerSecond   prompt tokens of successes as the server counted them (0 when it gave none)
 */
public record WindowRates(double windowSeconds, double effectiveSeconds, double requestsPerSecond,
                         double succeededPerSecond, double outputTokensPerSecond, double inputTokensPerSecond) {

    /** How every report states the method, once. */
    public static final String METHOD = "work done inside the send window (each request counts for the share of its"
            + " time inside it, warm-up requests included) per second of the window while the load was fully on";

    /** Runs that sent at the same time (workers of one run), as one: their rates add. */
    WindowRates plus(WindowRates o) {
        return new WindowRates(Math.max(windowSeconds, o.windowSeconds), Math.max(effectiveSeconds, o.effectiveSeconds),
                requestsPerSecond + o.requestsPerSecond, succeededPerSecond + o.succeededPerSecond,
                outputTokensPerSecond + o.outputTokensPerSecond, inputTokensPerSecond + o.inputTokensPerSecond);
    }
}
