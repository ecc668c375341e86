package com.aiinference.io;

import java.io.File;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Whether the process talks to a person: live progress lines are rewritten in place only then. */
public final class Terminal {
    private Terminal() {}

    /** Whether the console is an interactive terminal. JDK 22+ returns a Console even when redirected; ask it. */
    public static boolean isInteractive() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: a Console exists only on a terminal
        }
    }

    /**
     * Whether standard error is an interactive terminal. Progress that goes to stderr keys on stderr (not on
     * stdin/stdout, which {@link System#console()} looks at): {@code loadtest ... > run.md} keeps the live line,
     * {@code 2> progress.log} gets plain lines without carriage returns.
     */
    public static boolean stderrIsInteractive() {
        return stderrIsTerminal();
    }

    private static volatile Boolean stderr;

    private static boolean stderrIsTerminal() {
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
