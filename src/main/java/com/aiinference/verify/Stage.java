package com.aiinference.verify;

import java.util.Locale;

/** When a verification check applies: the platform before the load, the run itself, or the platform after it. */
public enum Stage {
    BEFORE, RUN, AFTER;

    /** Lower case, as the reports print it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
