package com.aiinference.cli;

import picocli.CommandLine;

/** The version from the jar manifest (Implementation-Version), or "dev" when run from classes. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"ai-inference " + (v == null ? "dev" : v)};
    }
}
