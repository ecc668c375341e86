package com.aiinference.core;

/** How a one-line message quotes a value the user or a server gave. */
public final class Text {
    private Text() {}

    /**
     * At most {@code max} characters of {@code s}, the rest counted ({@code abc... (1,048,576 characters)}), so a
     * refusal never echoes megabytes.
     */
    public static String clip(String s, int max) {
        return s == null || s.length() <= max ? s
                : s.substring(0, max) + "... (" + String.format(java.util.Locale.ROOT, "%,d", s.length()) + " characters)";
    }
}
