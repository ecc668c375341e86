package com.aiinference.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity as the user wrote it ({@code 40Gi}, {@code 500Mi}, {@code 8}, {@code 500m}),
 * with its value in base units (bytes or cores), computed by fabric8's {@code Quantity}. Only the forms people write
 * for memory and CPU are accepted (fabric8 alone would also take {@code 1e3} or a bare sign); {@code 40GB} or
 * {@code 40 Gi} are refused rather than guessed.
 */
public record Quantity(String text, BigDecimal value) implements Comparable<Quantity> {
    private static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?");
    private static final BigDecimal GI = BigDecimal.valueOf(1L << 30);

    public static Optional<Quantity> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        // The form is checked strictly above; the arithmetic is fabric8's, the Kubernetes client's own quantity model.
        BigDecimal value = new io.fabric8.kubernetes.api.model.Quantity(text).getNumericalAmount();
        return Optional.of(new Quantity(text, value));
    }

    public static Quantity ofGiB(double gib) {
        BigDecimal v = BigDecimal.valueOf(gib).multiply(GI);
        return new Quantity(formatGiB(v), v);
    }

    public double gib() {
        return value.divide(GI, 6, RoundingMode.HALF_UP).doubleValue();
    }

    public boolean isPositive() {
        return value.signum() > 0;
    }

    /** GiB with one decimal ({@code 43.4Gi}), for messages. */
    public static String formatGiB(BigDecimal bytes) {
        BigDecimal g = bytes.divide(GI, 1, RoundingMode.HALF_UP).stripTrailingZeros();
        return g.toPlainString() + "Gi";
    }

    public String toGiBString() {
        return formatGiB(value);
    }

    @Override
    public int compareTo(Quantity o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return text;
    }
}
