package com.aiinference.chart;

import com.aiinference.core.DomainException;

/** Helm refused the chart or its values; the message is Helm's, folded to one line. */
public final class ChartException extends DomainException {
    private static final long serialVersionUID = 1L;

    public ChartException(String message, Throwable cause) {
        super(message, cause);
    }
}
