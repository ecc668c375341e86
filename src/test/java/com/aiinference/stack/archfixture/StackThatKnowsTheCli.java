package com.aiinference.stack.archfixture;

import com.aiinference.cli.ExitCodes;

/** Breaks the layers on purpose (test sources only): the Pulumi program reaching for an exit code. */
public final class StackThatKnowsTheCli {
    private StackThatKnowsTheCli() {}

    public static int refuse(RuntimeException e) {
        // A method call, not a constant: javac inlines ExitCodes.USAGE, leaving no dependency in the class file.
        return ExitCodes.forException(e);
    }
}
