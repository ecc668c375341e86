package com.aiinference;

import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.VersionProvider;
import com.aiinference.loadtest.LoadTestCommand;
import com.aiinference.loadtest.distributed.WorkerCommand;
import com.aiinference.plan.PlanCommand;
import com.aiinference.simulate.SimulateCommand;
import com.aiinference.verify.StatusCommand;
import com.aiinference.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
        subcommands = {
            CommandLine.HelpCommand.class,
            PlanCommand.class,
            LoadTestCommand.class,
            VerifyCommand.class,
            StatusCommand.class,
            SimulateCommand.class,
            WorkerCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (plan checks passed, SLOs met, platform verified)",
            "1:a check or SLO failed",
            "2:invalid usage, configuration or input; target unreachable"
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (no {@code System.exit}), for tests and embedding. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line: exit codes and one-line error reporting shared by every subcommand. */
    public static CommandLine commandLine() {
        return ExitCodes.configure(new CommandLine(new Main()));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
