package com.aiinference.simulate;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code simulate}: local stand-ins for the deployed platform, for offline walk-throughs, tests and benchmarks. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = "Run local stand-ins for the deployed platform (127.0.0.1 only).",
        subcommands = {SimulateOllamaCommand.class, SimulateClusterCommand.class})
public final class SimulateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
