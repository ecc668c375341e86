package com.aiinference.cli;

import com.aiinference.core.DomainException;
import picocli.CommandLine;

/**
 * Exit codes shared by every command, and the one place that maps exceptions to them: a {@link CliException} carries
 * its own code; a {@link DomainException} (bad config, a chart that refuses its values, an unreadable stack file, an
 * unreachable cluster or target) is exit 2; anything else is an internal error, also exit 2 but named as one.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** A check, gate or SLO failed: the command worked, the answer is "no". */
    public static final int CHECK_FAILED = 1;
    /** Invalid usage, configuration or input, or a target that cannot be reached. */
    public static final int USAGE = 2;

    private ExitCodes() {}

    /** Installs the exit-code mapping and the one-line error handlers on a command line (the root, or a worker's). */
    public static CommandLine configure(CommandLine cl) {
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        cl.setExecutionExceptionHandler(ExitCodes::handleExecutionException);
        cl.setParameterExceptionHandler(ExitCodes::handleParameterException);
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
            cl.getErr().println(cl.getCommandName() + ": " + ex.getMessage());
            cl.getErr().flush();
            return forException(ex);
        }
        // Unexpected: still one line, with the exception type so a bug report has something to go on.
        String message = ex.getMessage() == null ? "" : ": " + ex.getMessage();
        cl.getErr().println(cl.getCommandName() + ": internal error: " + ex.getClass().getSimpleName() + message);
        cl.getErr().flush();
        return USAGE;
    }

    public static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        cl.getErr().println(cl.getCommandName() + ": " + ex.getMessage());
        cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        cl.getErr().flush();
        return USAGE;
    }
}
