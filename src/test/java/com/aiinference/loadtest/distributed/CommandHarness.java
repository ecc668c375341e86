package com.aiinference.loadtest.distributed;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import picocli.CommandLine;

/**
 * The command line black-box, for the distributed-run tests: a fast fake Ollama on 127.0.0.1 (30 ms to the first
 * token, 10 tokens 5 ms apart) for each test, the root command with captured stdout and stderr.
 */
final class CommandHarness implements BeforeEachCallback, AfterEachCallback {
    SimulatedEngine fake;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @Override
    public void beforeEach(ExtensionContext context) {
        fake = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(30), Duration.ofMillis(5)).withTokensPerAnswer(10));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        fake.close();
    }

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** The last line on stderr: where an expected failure says what went wrong. */
    String lastErrLine() {
        String[] lines = err.toString().strip().split("\n");
        return lines[lines.length - 1];
    }
}
