package com.aiinference.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * bin/jvm.options, the engine's JVM flags as a java {@code @argfile}, read the way the java launcher reads it for
 * the part of the argfile syntax the file keeps to: comment lines, blank lines, one flag a line. Anything else
 * (quotes, backslashes, a comment after a flag, two flags on a line) is refused rather than guessed at, so what the
 * tests compare is what java sees.
 */
public final class JvmOptionsFile {
    /** The file, relative to the project directory the tests run in. */
    public static final Path PATH = Path.of("bin", "jvm.options");

    private JvmOptionsFile() {
    }

    /** The flags of the project's file. */
    public static List<String> flags() {
        return flags(PATH);
    }

    /** The flags of {@code file}, in order. */
    public static List<String> flags(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!line.startsWith("-") || line.chars().anyMatch(c -> Character.isWhitespace(c) || "#\"'\\@".indexOf(c) >= 0)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + line
                        + "' is not one flag alone on its line");
            }
            flags.add(line);
        }
        return List.copyOf(flags);
    }
}
