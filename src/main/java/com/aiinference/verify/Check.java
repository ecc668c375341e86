package com.aiinference.verify;

/** One verification check and its outcome, with the reason in words a person can act on. */
public record Check(String name, Stage stage, Status status, String detail) {

    /** When the check applies: the platform before the load, the run itself, or the platform after it. */
    public enum Stage { BEFORE, RUN, AFTER }

    /** FAIL makes verify exit 1; WARN is reported but does not fail; SKIP means not applicable or not measurable. */
    public enum Status { PASS, FAIL, WARN, SKIP }

    public static Check pass(String name, Stage stage, String detail) {
        return new Check(name, stage, Status.PASS, detail);
    }

    public static Check fail(String name, Stage stage, String detail) {
        return new Check(name, stage, Status.FAIL, detail);
    }

    public static Check warn(String name, Stage stage, String detail) {
        return new Check(name, stage, Status.WARN, detail);
    }

    public static Check skip(String name, Stage stage, String detail) {
        return new Check(name, stage, Status.SKIP, detail);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
