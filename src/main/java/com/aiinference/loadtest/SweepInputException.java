package com.aiinference.loadtest;

/** A sweep's input is unusable: an empty or non-rising step list, or a sweep file that is not one or not for this endpoint. */
public final class SweepInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SweepInputException(String message) {
        super(message);
    }
}
