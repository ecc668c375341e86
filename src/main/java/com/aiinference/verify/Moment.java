package com.aiinference.verify;

import java.util.Locale;

/**
 * When a verification check applies: the platform before the load, the run itself, the platform after it, or the run
 * against a baseline report ({@code verify --baseline}).
 */
public enum Moment {
    BEFORE, RUN, AFTER, BASELINE;

    /** Lower case, as the reports print it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
