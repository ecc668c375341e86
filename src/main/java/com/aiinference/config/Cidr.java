package com.aiinference.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An IPv4 CIDR block ({@code 10.10.0.0/20}); host bits must be zero, as GCP and Kubernetes require. */
public record Cidr(String text, long base, int prefix) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

    public static Optional<Cidr> parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        long addr = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                return Optional.empty();
            }
            addr = (addr << 8) | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix > 32) {
            return Optional.empty();
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        if ((addr & ~mask & 0xFFFFFFFFL) != 0) {
            return Optional.empty();
        }
        return Optional.of(new Cidr(text, addr, prefix));
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean overlaps(Cidr other) {
        return base < other.base + other.size() && other.base < base + size();
    }

    public boolean isAnywhere() {
        return prefix == 0;
    }
}
