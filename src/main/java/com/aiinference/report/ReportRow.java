package com.aiinference.report;

/** One row of the "Verified Results" table: metric, result (shown bold) and notes, as plain text (no markup). */
public record ReportRow(String metric, String result, String notes) {}
