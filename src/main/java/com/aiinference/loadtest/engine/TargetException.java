package com.aiinference.loadtest.engine;

import com.aiinference.core.DomainException;

/** No usable load target: no source given, two given, or a URL that is not an http(s) URL of the chosen API. */
public final class TargetException extends DomainException {
    private static final long serialVersionUID = 1L;

    public TargetException(String message) {
        super(message);
    }
}
