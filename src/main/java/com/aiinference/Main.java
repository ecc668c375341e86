package com.aiinference;

import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.VersionProvider;
import com.aiinference.loadtest.LoadTestCommand;
import com.aiinference.loadtest.distributed.WorkerCommand;
import com.aiinference.plan.PlanCommand;
import com.aiinference.preflight.PreflightCommand;
import com.aiinference.simulate.SimulateCommand;
import com.aiinference.status.StatusCommand;
import com.aiinference.verify.VerifyCommand;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code ai-inference} command line, the root that knows every command: offline plan of the Pulumi stack, the
 * load test, the end-to-end verification of a deployed stack and the offline simulator. It sits beside {@link App}
 * (the Pulumi program); the {@code cli} package holds the shared options, converters and exit codes.
 */
@Command(
        name = "ai-inference",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Plan, load-test and verify the GKE L4 inference platform.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (plan checks passed, SLOs met, platform verified)",
            "1:a check or SLO failed",
            "2:invalid usage, configuration or input (no command, an unknown command); target unreachable",
            "130:stopped by Ctrl-C (loadtest still prints and writes what was measured)"
        })
public final class Main implements Runnable {
    /** Every command, in the order of the help. */
    static final List<Class<?>> COMMANDS = List.of(CommandLine.HelpCommand.class, PlanCommand.class, PreflightCommand.class,
            LoadTestCommand.class, VerifyCommand.class, StatusCommand.class, SimulateCommand.class, WorkerCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns its exit code (no {@code System.exit}), for tests and embedding; what it prints
     * goes to System.out and System.err through {@link com.aiinference.cli.TerminalSafeWriter}.
     */
    public static int execute(String... args) {
        CommandLine cl = commandLine(args);
        java.nio.charset.Charset cs = java.nio.charset.Charset.defaultCharset();
        cl.setOut(new java.io.PrintWriter(new com.aiinference.cli.TerminalSafeWriter(
                new java.io.OutputStreamWriter(System.out, cs)), true));
        cl.setErr(new java.io.PrintWriter(new com.aiinference.cli.TerminalSafeWriter(
                new java.io.OutputStreamWriter(System.err, cs)), true));
        try {
            return cl.execute(args);
        } finally {
            cl.getOut().flush();
            cl.getErr().flush();
        }
    }

    /** The configured command line with every command: exit codes and one-line error reporting shared by all. */
    public static CommandLine commandLine() {
        return build(COMMANDS);
    }

    /**
     * The command line for {@code args}: when they start with a command's name, the root and that command only
     * (picocli builds a command's model from its annotations when it is added: building the other commands' cost
     * a third of a second of CPU at every start, a load test's included); else every command, so help, "no
     * command" and "unknown command, did you mean" see them all.
     */
    static CommandLine commandLine(String... args) {
        if (args.length > 0) {
            for (Class<?> command : COMMANDS) {
                Command c = command.getAnnotation(Command.class);
                if (command != CommandLine.HelpCommand.class && c != null && c.name().equals(args[0])) {
                    return build(List.of(command));
                }
            }
        }
        return commandLine();
    }

    private static CommandLine build(List<Class<?>> commands) {
        CommandLine root = new CommandLine(new Main());
        for (Class<?> command : commands) {
            root.addSubcommand(command);
        }
        return ExitCodes.configure(root);
    }

    /** No command given: exit 2 with one line (the help is {@code --help}). */
    @Override
    public void run() {
        throw ExitCodes.missingSubcommand(spec.commandLine());
    }
}
