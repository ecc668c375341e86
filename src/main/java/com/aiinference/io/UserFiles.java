package com.aiinference.io;

import com.aiinference.core.DomainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Files the user names on the command line: inputs read whole (regular files only, bounded in size, so a FIFO does
 * not hang a command and {@code /dev/zero} does not fill the heap) and outputs checked before any work starts (so a
 * 60 s run never ends in a report it cannot write, and no output overwrites an input or another output).
 */
public final class UserFiles {
    /** The most any input file the user names may hold: prompts, config, sweep and outputs files are far smaller. */
    public static final long MAX_INPUT_BYTES = 64L * 1024 * 1024;

    private UserFiles() {}

    /** A file the user named cannot be used; the message names the option and the file. */
    public static final class UserFileException extends DomainException {
        private static final long serialVersionUID = 1L;

        public UserFileException(String message) {
            super(message);
        }

        public UserFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads {@code file} (UTF-8), named in messages as {@code what} (e.g. {@code --prompts file}), within
     * {@link #MAX_INPUT_BYTES}.
     */
    public static String read(Path file, String what) {
        return read(file, what, MAX_INPUT_BYTES);
    }

    /** Reads {@code file} (UTF-8) of at most {@code limit} bytes; anything else is one line naming {@code what}. */
    public static String read(Path file, String what, long limit) {
        checkReadable(file, what);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw new UserFileException(what + " " + file + " is larger than " + size(limit));
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserFileException(what + " not found: " + file);
        } catch (IOException e) {
            throw new UserFileException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** {@code file} exists and is a regular file (a reader that streams it checks this first); else one line. */
    public static void checkReadable(Path file, String what) {
        if (!Files.exists(file)) {
            throw new UserFileException(what + " not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new UserFileException(what + " " + file + " is not a regular file ("
                    + (Files.isDirectory(file) ? "a directory" : "a pipe, socket or device") + ")");
        }
    }

    private static String size(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    /**
     * Checks, before anything runs, that every output (option name to file; null files are skipped) can be written:
     * not a directory or special file, its folder a folder that can be written (or created), no output the same file
     * as an input (option name to file) or as another output. The first problem is one line.
     */
    public static void checkOutputs(Map<String, Path> outputs, Map<String, Path> inputs) {
        Map<Path, String> seen = new LinkedHashMap<>();
        inputs.forEach((option, file) -> {
            if (file != null) {
                seen.putIfAbsent(identity(file), "input " + option);
            }
        });
        for (Map.Entry<String, Path> e : outputs.entrySet()) {
            Path file = e.getValue();
            if (file == null) {
                continue;
            }
            String option = e.getKey();
            String other = seen.putIfAbsent(identity(file), option);
            if (other != null) {
                throw new UserFileException(option + " " + file + " is the same file as the "
                        + (other.startsWith("input ") ? other.substring(6) + " input: writing it would overwrite it"
                        : other + " output: give each output its own file"));
            }
            checkWritable(file, option);
        }
    }

    /** {@code file} can be written as a file by this process (it or the folders above it may not exist yet). */
    public static void checkWritable(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new UserFileException(option + " " + file + " is a directory; give a file name");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            throw new UserFileException(option + " " + file + " is not a regular file (a pipe, socket or device)");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new UserFileException(option + " " + file + " cannot be written (no permission)");
        }
        Path folder = file.toAbsolutePath().normalize().getParent();
        while (folder != null && !Files.exists(folder)) {
            folder = folder.getParent();
        }
        if (folder != null && !Files.isDirectory(folder)) {
            throw new UserFileException(option + " " + file + " cannot be written: " + folder + " is not a directory");
        }
        if (folder != null && !Files.isWritable(folder)) {
            throw new UserFileException(option + " " + file + " cannot be written: no permission to write in " + folder);
        }
    }

    /** The same file however it is named: its real path when it exists, else its absolute normal form. */
    private static Path identity(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            Path abs = file.toAbsolutePath().normalize();
            Path parent = abs.getParent();
            try {
                return parent == null ? abs : parent.toRealPath().resolve(abs.getFileName());
            } catch (IOException noParent) {
                return abs;
            }
        }
    }
}
