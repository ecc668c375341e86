package com.aiinference.loadtest.compare;

import com.aiinference.core.DomainException;

/**
 * Two reports cannot be compared: a file that is not a load-test, verify or sweep JSON report, two reports of different
 * kinds, or a threshold that names no figure. One line naming what is wrong (exit 2 at the command line).
 */
public final class CompareInputException extends DomainException {
    private static final long serialVersionUID = 1L;

    public CompareInputException(String message) {
        super(message);
    }
}
