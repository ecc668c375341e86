package com.aiinference.cli;

import com.aiinference.core.DomainException;
import picocli.CommandLine;

/**
 * Exit codes shared by every command, by one rule: 0 yes, 1 a report that says no, 2 no report could be made (usage,
 * input, an unreachable target, a failed pre-flight of a command that measures the target it was given), 130 Ctrl-C
 * during load. This is the one place that maps exceptions to them: a {@link CliException} carries
 * its own code; a {@link DomainException} (bad config, a chart that refuses its values, an unreadable stack file, an
 * unreachable cluster or target) is exit 2; anything else is an internal error, also exit 2 but named as one.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** A check, gate or SLO failed: the command worked, the answer is "no". */
    public static final int CHECK_FAILED = 1;
    /** Invalid usage, configuration or input, or a target that cannot be reached. */
    public static final int USAGE = 2;
    /** Stopped by Ctrl-C (SIGINT): 128 + 2, what the JVM exits with when interrupted, and what shells expect. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}

    /** Installs the exit-code mapping and the one-line error handlers on a command line (the root, or a worker's). */
    public static CommandLine configure(CommandLine cl) {
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        cl.setExecutionExceptionHandler(ExitCodes::handleExecutionException);
        cl.setParameterExceptionHandler(ExitCodes::handleParameterException);
        cl.setExecutionStrategy(ExitCodes::executeRefusingUnknownCommands);
        return cl;
    }

    /** The exit code of an exception that ended a command. */
    public static int forException(Throwable t) {
        if (t instanceof CliException ce) {
            return ce.exitCode();
        }
        return USAGE; // DomainException: bad usage, config or input; otherwise an internal error, reported as such
    }

    /** Whether the exception is an expected failure, reported as its one-line message without the type. */
    static boolean expected(Throwable t) {
        return t instanceof CliException || t instanceof DomainException;
    }

    public static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (expected(ex)) {
            cl.getErr().println(prefix(cl) + ": " + ex.getMessage());
            cl.getErr().flush();
            return forException(ex);
        }
        // Unexpected: still one line, with the exception type so a bug report has something to go on.
        String message = ex.getMessage() == null ? "" : ": " + ex.getMessage();
        cl.getErr().println(prefix(cl) + ": internal error: " + ex.getClass().getSimpleName() + message);
        cl.getErr().flush();
        return USAGE;
    }

    /**
     * How a command names itself on stderr: its full name below the root ({@code simulate cluster:}, {@code loadtest:}),
     * or the root's name ({@code ai-inference:}).
     */
    public static String prefix(CommandLine cl) {
        String qualified = cl.getCommandSpec().qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? qualified : qualified.substring(space + 1);
    }

    /**
     * Runs the last subcommand the arguments name, after refusing arguments nothing matched: without this,
     * {@code ai-inference status --help} prints the root's help and exits 0 instead of naming the unknown command.
     */
    public static int executeRefusingUnknownCommands(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (!pr.unmatched().isEmpty() && pr.subcommand() == null) {
                throw new CommandLine.UnmatchedArgumentException(pr.commandSpec().commandLine(), pr.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** A command that needs a subcommand and got none: a usage error (exit 2), not its help with exit 0. */
    public static CommandLine.ParameterException missingSubcommand(CommandLine cl) {
        return new CommandLine.ParameterException(cl, "give a command: " + commands(cl));
    }

    private static String commands(CommandLine cl) {
        return String.join(", ", cl.getSubcommands().entrySet().stream()
                .filter(e -> !e.getKey().equals("help") && !e.getValue().getCommandSpec().usageMessage().hidden())
                .filter(e -> e.getKey().equals(e.getValue().getCommandName())) // an alias is not another command
                .map(java.util.Map.Entry::getKey).toList());
    }

    public static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !cl.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().get(0) + "' (commands: " + commands(cl) + ")";
        } else if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && u.getUnmatched().get(0).startsWith("-")) {
            String given = u.getUnmatched().get(0);
            String name = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
            message = "unknown option '" + com.aiinference.core.Text.clip(name, 60) + "'" + u.getSuggestions().stream()
                    .filter(s -> s.startsWith("-")).findFirst().map(s -> " (did you mean " + s + "?)").orElse("");
        }
        cl.getErr().println(prefix(cl) + ": " + message);
        cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        cl.getErr().flush();
        return USAGE;
    }
}
