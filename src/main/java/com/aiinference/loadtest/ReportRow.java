package com.aiinference.loadtest;

/** One row of the "Verified Results" table: metric, result (shown bold) and notes. {@code verify} adds its own. */
public record ReportRow(String metric, String result, String notes) {}
