package com.aiinference.report;

/**
 * The {@code version} field of every JSON report: the tool's version and the report schema's. The schema number
 * changes when a field is renamed or removed (adding a field keeps it).
 *
 * @param tool   the jar's Implementation-Version, or {@code dev} when run from classes
 * @param schema the report schema version
 */
public record ReportVersion(String tool, int schema) {
    /** Schema 2: snake_case everywhere, {@code version}, {@code verdict}, {@code load.config.load} shape, nulls for absent. */
    public static final int SCHEMA = 2;

    public static ReportVersion current() {
        String v = ReportVersion.class.getPackage().getImplementationVersion();
        return new ReportVersion(v == null ? "dev" : v, SCHEMA);
    }
}
