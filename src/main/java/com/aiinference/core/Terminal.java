package com.aiinference.core;

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
}
