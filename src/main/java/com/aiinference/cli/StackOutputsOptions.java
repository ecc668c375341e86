package com.aiinference.cli;

import java.io.InputStream;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --stack NAME} or {@code --outputs FILE}: where a command finds the outputs of a deployed stack. */
public final class StackOutputsOptions {

    @Option(names = "--stack", paramLabel = "NAME",
            description = "Read outputs with 'pulumi stack output --json --show-secrets --stack NAME'.")
    String stack;

    @Option(names = "--outputs", paramLabel = "FILE",
            description = "Read outputs from the JSON that 'pulumi stack output --json --show-secrets' printed ('-' for stdin).")
    String outputsFile;

    /** Whether either option was given. */
    public boolean isSet() {
        return stack != null || outputsFile != null;
    }

    /** The outputs, or empty when neither option was given; both at once is a usage error. */
    public Optional<StackOutputs> resolve(InputStream stdin) {
        if (stack != null && outputsFile != null) {
            throw CliException.usage("--stack and --outputs are alternatives: give one");
        }
        if (stack != null) {
            if (stack.isBlank()) {
                throw CliException.usage("--stack needs a stack name");
            }
            return Optional.of(StackOutputs.fromPulumi(stack));
        }
        if (outputsFile != null) {
            return Optional.of(StackOutputs.fromFile(outputsFile, stdin));
        }
        return Optional.empty();
    }
}
