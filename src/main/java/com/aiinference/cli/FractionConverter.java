package com.aiinference.cli;

import picocli.CommandLine;

/** picocli converter for fractions given as {@code 0.05} or {@code 5%}. */
public final class FractionConverter implements CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
        String v = value.trim();
        double f;
        try {
            f = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100.0
                    : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a fraction (examples: 0.05, 5%)");
        }
        if (!(f >= 0 && f <= 1)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not between 0 and 1 (0% and 100%)");
        }
        return f;
    }
}
