package com.aiinference.loadtest.traffic;

import com.aiinference.core.DomainException;

/** A prompt file or a traffic option the load test cannot use; the message names the file or option and what is wrong. */
public final class TrafficInputException extends DomainException {
    private static final long serialVersionUID = 1L;

    public TrafficInputException(String message) {
        super(message);
    }
}
