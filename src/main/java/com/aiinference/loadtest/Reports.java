package com.aiinference.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Number formatting shared by the reports, and writing report files. */
public final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {}

    /**
     * A share as every report shows it (Stability row, HTML card, SLO line, {@code verify}'s table): two decimals,
     * rounded down so a failure never shows as 100%: {@code 100%}, {@code 99.99%} (for 99.999%), {@code 88.88%},
     * {@code 0.00%}; {@code n/a} for NaN.
     */
    public static String percent(double fraction) {
        if (Double.isNaN(fraction)) {
            return "n/a";
        }
        if (fraction >= 1.0) {
            return "100%";
        }
        // The epsilon keeps an exact share such as 29/100 (0.29 * 10000 = 2899.9999999999995) from dropping a digit.
        double hundredths = Math.floor(fraction * 10_000 + 1e-6);
        return String.format(Locale.ROOT, "%.2f%%", hundredths / 100);
    }

    /** {@code 18.2}, {@code 1,234}. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Writes the JSON report ({@link LoadTestResult#toJson()}, or a caller's extended copy of it). */
    public static void writeJson(ObjectNode json, Path file) {
        try {
            createParent(file);
            Files.writeString(file, JSON.writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ReportException("cannot write JSON report " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes any text report. */
    public static void writeText(String text, Path file) {
        try {
            createParent(file);
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ReportException("cannot write report " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** A report could not be written. */
    public static final class ReportException extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        ReportException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
