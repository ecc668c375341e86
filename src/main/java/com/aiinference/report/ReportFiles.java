package com.aiinference.report;

import com.aiinference.core.Check;
import com.aiinference.io.UserFiles;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/** Writing report files, and the JSON form of a {@link Report}. */
public final class ReportFiles {
    private static final ObjectMapper JSON = json();

    private ReportFiles() {}

    /**
     * The JSON conventions of every report: snake_case names, enums in lower case ({@code "pass"},
     * {@code "max_error_rate"}), NaN and absent values as null, decimals rounded to 3 places, instants as ISO-8601,
     * durations in seconds, Optional as its value or null.
     */
    public static ObjectMapper json() {
        ObjectMapper m = new ObjectMapper();
        m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        SimpleModule module = new SimpleModule("report-conventions");
        JsonSerializer<Double> decimal = new JsonSerializer<>() {
            @Override
            public void serialize(Double v, JsonGenerator gen, SerializerProvider p) throws IOException {
                if (v == null || v.isNaN() || v.isInfinite()) {
                    gen.writeNull();
                } else {
                    gen.writeNumber(Math.round(v * 1000) / 1000.0);
                }
            }
        };
        module.addSerializer(Double.class, decimal);
        module.addSerializer(Double.TYPE, decimal);
        module.addSerializer(Instant.class, ToStringSerializer.instance);
        module.addSerializer(Path.class, ToStringSerializer.instance);
        module.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration d, JsonGenerator gen, SerializerProvider p) throws IOException {
                gen.writeNumber(d.toMillis() / 1000.0);
            }
        });
        @SuppressWarnings({"rawtypes", "unchecked"})
        Class<Enum<?>> enums = (Class) Enum.class;
        module.addSerializer(enums, new JsonSerializer<Enum<?>>() {
            @Override
            public void serialize(Enum<?> e, JsonGenerator gen, SerializerProvider p) throws IOException {
                gen.writeString(e instanceof Check.Status s ? s.label() : e.name().toLowerCase(Locale.ROOT));
            }
        });
        @SuppressWarnings({"rawtypes", "unchecked"})
        Class<Optional<?>> optional = (Class) Optional.class;
        module.addSerializer(optional, new JsonSerializer<Optional<?>>() {
            @Override
            public void serialize(Optional<?> v, JsonGenerator gen, SerializerProvider p) throws IOException {
                if (v.isPresent()) {
                    p.defaultSerializeValue(v.get(), gen);
                } else {
                    gen.writeNull();
                }
            }
        });
        m.registerModule(module);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        return m;
    }

    /**
     * Reading a report back: {@link #json()}'s names, a field this tool does not know ignored (a newer tool may add
     * some), and null in a {@code double} read as NaN ("no data" is written as null), not as 0.
     */
    public static ObjectMapper reader() {
        ObjectMapper m = json();
        m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        StdDeserializer<Double> nanForNull = new StdDeserializer<>(Double.TYPE) {
            @Override
            public Double deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                if (!p.currentToken().isNumeric()) {
                    return (Double) ctx.handleUnexpectedToken(Double.TYPE, p);
                }
                return p.getDoubleValue();
            }

            @Override
            public Double getNullValue(DeserializationContext ctx) {
                return Double.NaN;
            }
        };
        m.registerModule(new SimpleModule("report-reader").addDeserializer(Double.TYPE, nanForNull));
        return m;
    }

    /** A JSON report: the {@link Report}, or another record model (the sweep's), with the conventions of every report. */
    public static String toJson(Object document) {
        try {
            return JSON.writeValueAsString(document) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("report not serializable: " + e.getMessage(), e);
        }
    }

    /** Writes a JSON report. */
    public static void writeJson(Object document, Path file) {
        writeText(toJson(document), file);
    }

    /** Writes any text report. */
    public static void writeText(String text, Path file) {
        try {
            createParent(file);
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserFiles.UserFileException("cannot write report " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
