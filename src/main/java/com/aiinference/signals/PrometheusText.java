package com.aiinference.signals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough for vLLM's {@code /metrics}:
 * {@code # HELP} / {@code # TYPE} lines, and samples {@code name{label="value",...} value [timestamp]}. The Prometheus
 * Java client writes this format but does not read it; a page that is not this format (an HTML error page, JSON) is
 * rejected with the line that broke it.
 */
public record PrometheusText(Map<String, List<Sample>> samples) {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** The page did not parse. */
    public static final class FormatException extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        FormatException(int line, String why, String text) {
            super("not the Prometheus text format: line " + line + " " + why + ": '"
                    + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'");
        }
    }

    public static PrometheusText parse(String body) {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        String[] lines = body == null ? new String[0] : body.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line, i + 1);
            out.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        }
        return new PrometheusText(out);
    }

    /** The sum of a metric over all its label sets; empty when the page has no such metric. */
    public Optional<Double> sum(String name) {
        List<Sample> list = samples.get(name);
        if (list == null || list.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(list.stream().mapToDouble(Sample::value).sum());
    }

    /** The first of {@code names} the page has, summed over label sets (metric names changed between vLLM versions). */
    public Optional<Double> sumOfFirst(String... names) {
        for (String n : names) {
            Optional<Double> v = sum(n);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static Sample sample(String line, int number) {
        int i = 0;
        while (i < line.length() && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            throw new FormatException(number, "has no metric name", line);
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                i = skipSpaces(line, i);
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < line.length() && isNameChar(line.charAt(i), i == start)) {
                    i++;
                }
                if (i == start || i + 1 >= line.length() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                    throw new FormatException(number, "has a malformed label", line);
                }
                String key = line.substring(start, i);
                i += 2;
                StringBuilder value = new StringBuilder();
                while (true) {
                    if (i >= line.length()) {
                        throw new FormatException(number, "has an unterminated label value", line);
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\' && i < line.length()) {
                        char e = line.charAt(i++);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = skipSpaces(line, i);
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        String[] rest = line.substring(i).strip().split("\\s+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new FormatException(number, "has no single value", line);
        }
        return new Sample(name, labels, value(rest[0], number, line));
    }

    private static double value(String text, int number, String line) {
        switch (text) {
            case "+Inf", "Inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "NaN" -> {
                return Double.NaN;
            }
            default -> {
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new FormatException(number, "has a value that is not a number", line);
                }
            }
        }
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
    }
}
