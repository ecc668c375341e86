package com.aiinference.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.artifact.versioning.ComparableVersion;

/** A GKE version such as {@code 1.32.2-gke.1652000}, ordered as GKE orders them (the gke build number last). */
public record GkeVersion(String text, int major, int minor, int patch, long gkeBuild) implements Comparable<GkeVersion> {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)-gke\\.(\\d+)");

    /** GKE's minimum for queued provisioning on flex-start VMs (docs.cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest). */
    public static final GkeVersion DWS_MINIMUM = parse("1.32.2-gke.1652000").orElseThrow();

    public static Optional<GkeVersion> parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new GkeVersion(text, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Long.parseLong(m.group(4))));
    }

    /** Maven's version ordering: numbers compare as numbers, so 1.32.10 follows 1.32.9 and the gke build counts last. */
    @Override
    public int compareTo(GkeVersion o) {
        return new ComparableVersion(text).compareTo(new ComparableVersion(o.text));
    }

    @Override
    public String toString() {
        return text;
    }
}
