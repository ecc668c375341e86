package com.aiinference;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void unknownOptionIsOneLineUsageErrorWithExitTwo() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("--no-such-option");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).startsWith("ai-inference: Unknown option: '--no-such-option'");
    }

    @Test
    void helpExitsZero() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("Exit codes:");
    }
}
