package com.aiinference.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code gkeVersion} asks of GKE: nothing (the release channel's default, GKE's own choice), a minor such as
 * {@code 1.33} (resolved at deploy time to the newest patch the channel offers in the region), or an exact version
 * such as {@code 1.33.5-gke.1162000} (passed as is; channels drop patches within months, so this is fragile).
 */
public record GkeVersionPin(String text, Kind kind, int major, int minor, Optional<GkeVersion> exact) {
    private static final Pattern MINOR_FORM = Pattern.compile("(\\d+)\\.(\\d+)");

    public enum Kind { CHANNEL_DEFAULT, MINOR, EXACT }

    public static final GkeVersionPin CHANNEL_DEFAULT = new GkeVersionPin("", Kind.CHANNEL_DEFAULT, 0, 0, Optional.empty());

    public static Optional<GkeVersionPin> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.of(CHANNEL_DEFAULT);
        }
        Matcher m = MINOR_FORM.matcher(text);
        if (m.matches()) {
            return Optional.of(new GkeVersionPin(text, Kind.MINOR, Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)), Optional.empty()));
        }
        return GkeVersion.parse(text).map(v -> new GkeVersionPin(text, Kind.EXACT, v.major(), v.minor(), Optional.of(v)));
    }

    /** The {@code versionPrefix} that asks {@code getEngineVersions} for this minor's patches ({@code "1.33."}). */
    public Optional<String> versionPrefix() {
        return kind == Kind.MINOR ? Optional.of(major + "." + minor + ".") : Optional.empty();
    }

    /**
     * What can be said before GKE answers: {@code -1} every version this asks for is below {@code floor}, {@code 1}
     * every one is at or above it, {@code 0} it depends on the version GKE resolves (the channel's default, or a
     * minor that contains the floor).
     */
    public int against(GkeVersion floor) {
        return switch (kind) {
            case CHANNEL_DEFAULT -> 0;
            case EXACT -> exact.orElseThrow().compareTo(floor) >= 0 ? 1 : -1;
            case MINOR -> {
                int c = Integer.compare(major, floor.major());
                if (c == 0) {
                    c = Integer.compare(minor, floor.minor());
                }
                yield c;
            }
        };
    }

    @Override
    public String toString() {
        return kind == Kind.CHANNEL_DEFAULT ? "(the channel's default)" : text;
    }
}
