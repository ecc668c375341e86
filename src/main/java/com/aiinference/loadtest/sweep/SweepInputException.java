package com.aiinference.loadtest.sweep;

import com.aiinference.core.DomainException;

/**
 * A sweep's input is unusable: an empty or non-rising step list, or a sweep file that is not one, is damaged, or was
 * measured against another endpoint. One line naming what is wrong (exit 2 at the command line).
 */
public final class SweepInputException extends DomainException {
    private static final long serialVersionUID = 1L;

    public SweepInputException(String message) {
        super(message);
    }
}
