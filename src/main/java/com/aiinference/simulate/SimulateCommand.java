package com.aiinference.simulate;

import com.aiinference.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code simulate}: local stand-ins for the deployed platform, for offline walk-throughs, tests and benchmarks. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = "Run local stand-ins for the deployed platform (127.0.0.1 only).",
        subcommands = {SimulateEngineCommand.class, SimulateClusterCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the simulation ran until stopped (Ctrl-C, kill) or --max-duration ended",
            "2:invalid usage or input (no simulation named, a bad option), or the port is taken"
        })
public final class SimulateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No simulation named: exit 2 with one line (the help is {@code --help}). */
    @Override
    public void run() {
        throw ExitCodes.missingSubcommand(spec.commandLine());
    }
}
