package com.aiinference.config;

/** The outcome of one named rule: what was checked and, when it failed, the one-line refusal. */
public record PolicyCheck(String name, boolean passed, String message) {
    public static PolicyCheck pass(String name, String message) {
        return new PolicyCheck(name, true, message);
    }

    public static PolicyCheck fail(String name, String message) {
        return new PolicyCheck(name, false, message);
    }
}
