package com.aiinference.cli;

import picocli.CommandLine;

/** Exit codes shared by every command, and the handlers that turn expected failures into one line on stderr. */
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

    static int forException(Throwable t) {
        return t instanceof CliException ce ? ce.exitCode() : USAGE;
    }

    static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (ex instanceof CliException ce) {
            cl.getErr().println(cl.getCommandName() + ": " + ce.getMessage());
            cl.getErr().flush();
            return ce.exitCode();
        }
        // Unexpected: still one line, with the exception type so a bug report has something to go on.
        String message = ex.getMessage() == null ? "" : ": " + ex.getMessage();
        cl.getErr().println(cl.getCommandName() + ": internal error: " + ex.getClass().getSimpleName() + message);
        cl.getErr().flush();
        return USAGE;
    }

    static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        cl.getErr().println(cl.getCommandName() + ": " + ex.getMessage());
        cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        cl.getErr().flush();
        return USAGE;
    }
}
