package com.aiinference.cli;

import java.io.InputStream;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * {@code --stack NAME} or {@code --outputs FILE}: where a command finds the outputs of a deployed stack. The two are
 * one exclusive picocli argument group: giving both is a usage error picocli reports (exit 2).
 */
public final class StackOutputsOptions {

    /** The exclusive pair. */
    static final class Source {
        @Option(names = "--stack", paramLabel = "NAME",
                description = "Read outputs with 'pulumi stack output --json --show-secrets --stack NAME'.")
        String stack;

        @Option(names = "--outputs", paramLabel = "FILE",
                description = "Read outputs from the JSON that 'pulumi stack output --json --show-secrets' printed ('-' for stdin).")
        String outputsFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    /** Whether either option was given. */
    public boolean isSet() {
        return source != null;
    }

    /** The --outputs file, or null (none, or stdin): an input that no output may overwrite. */
    public java.nio.file.Path outputsFile() {
        return source == null || source.outputsFile == null || "-".equals(source.outputsFile) ? null
                : java.nio.file.Path.of(source.outputsFile);
    }

    /** The outputs, or empty when neither option was given. */
    public Optional<StackOutputs> resolve(InputStream stdin) {
        if (source == null) {
            return Optional.empty();
        }
        if (source.stack != null) {
            if (source.stack.isBlank()) {
                throw CliException.usage("--stack needs a stack name");
            }
            return Optional.of(StackOutputs.fromPulumi(source.stack));
        }
        return Optional.of(StackOutputs.fromFile(source.outputsFile, stdin));
    }
}
