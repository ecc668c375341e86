package com.aiinference.loadtest;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Whether standard error is an interactive terminal: the live progress line goes to stderr, so stderr decides
 * (not stdin/stdout, which {@link System#console()} looks at): {@code loadtest ... > run.md} keeps the live line,
 * {@code loadtest ... 2> progress.log} gets plain lines without carriage returns.
 */
final class Terminal {
    private static volatile Boolean stderr;

    private Terminal() {}

    static boolean stderrIsTerminal() {
        Boolean known = stderr;
        if (known == null) {
            known = probe();
            stderr = known;
        }
        return known;
    }

    /** POSIX {@code test -t 2} in a child that inherits our stderr; false where there is no {@code sh}. */
    private static boolean probe() {
        if (File.separatorChar != '/') {
            return false;
        }
        try {
            Process p = new ProcessBuilder("sh", "-c", "test -t 2")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
