package com.aiinference.core;

import java.util.Locale;

/**
 * One named check and its outcome, with the reason in words a person can act on. The one model of a check: config
 * rules, the plan's program and chart checks, verify's platform checks and the load test's SLO objectives all report
 * through it.
 */
public record Check(String name, Status status, String message) {

    /** FAIL fails the command (exit 1); WARN is reported but does not fail; SKIP means not applicable or not run. */
    public enum Status {
        PASS, FAIL, WARN, SKIP;

        /** Lower case, as JSON reports print it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Check {
        if (name == null || name.isBlank() || status == null || message == null) {
            throw new IllegalArgumentException("a check needs a name, a status and a message");
        }
    }

    public static Check pass(String name, String message) {
        return new Check(name, Status.PASS, message);
    }

    public static Check fail(String name, String message) {
        return new Check(name, Status.FAIL, message);
    }

    public static Check warn(String name, String message) {
        return new Check(name, Status.WARN, message);
    }

    public static Check skip(String name, String message) {
        return new Check(name, Status.SKIP, message);
    }

    /** PASS with {@code success} when {@code ok}, otherwise FAIL with {@code failure}. */
    public static Check of(String name, boolean ok, String success, String failure) {
        return ok ? pass(name, success) : fail(name, failure);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }

    public boolean passed() {
        return status == Status.PASS;
    }
}
