package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.loadtest.traffic.Message;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The characters per token come from the server's count of the pre-flight prompt, when that count is believable. */
class TrafficOptionsTest {
    private static LoadTestConfig config(String... args) {
        LoadTestOptions o = new LoadTestOptions();
        new CommandLine(o).parseArgs(args);
        return o.toConfig();
    }

    private static Preflight.Answer counted(long promptTokens) {
        return new Preflight.Answer(100, 50, 10, promptTokens);
    }

    @Test
    void theServersCountSetsTheRatioAndTheCalibrationPromptIsNewAndLong() {
        LoadTestConfig c = config("--input-tokens", "100", "--shared-prefix-tokens", "500");
        var turn = c.workload().calibrationTurn();
        long chars = Message.chars(turn.messages());
        assertThat(turn.messages()).as("no shared prefix: a server may have it cached").hasSize(1);
        assertThat(turn.messages().get(0).content()).startsWith("[calibration ");
        assertThat(chars).isBetween(4096L - 16, 4096L);
        StringWriter log = new StringWriter();
        LoadTestConfig calibrated = TrafficOptions.calibrate(c, counted(chars / 3), new PrintWriter(log), "loadtest");
        assertThat(calibrated.workload().charsPerToken()).isCloseTo(3.0, within(0.01));
        assertThat(log.toString()).startsWith("loadtest: 3.00 characters per token, from the server's count of the pre-flight"
                + " prompt (");
    }

    @Test
    void anImplausibleOrMissingCountKeepsFourCharactersPerTokenAndSaysSo() {
        LoadTestConfig c = config("--input-tokens", "uniform:50:150");
        StringWriter log = new StringWriter();
        assertThat(TrafficOptions.calibrate(c, counted(12), new PrintWriter(log), "loadtest")).isSameAs(c);
        assertThat(log.toString()).startsWith("loadtest: the server counted 12 prompt tokens for ")
                .contains("not a tokenizer's); lengths in tokens assume 4.0 characters per token");
        StringWriter none = new StringWriter();
        assertThat(TrafficOptions.calibrate(c, null, new PrintWriter(none), "sweep")).isSameAs(c);
        assertThat(none.toString().strip()).isEqualTo("sweep: lengths in tokens assume 4.0 characters per token (no pre-flight"
                + " request to calibrate on)");
        StringWriter uncounted = new StringWriter();
        TrafficOptions.calibrate(c, counted(-1), new PrintWriter(uncounted), "loadtest");
        assertThat(uncounted.toString()).contains("(the pre-flight answer gave no prompt token count)");
        LoadTestConfig plain = config("--turns", "2");
        assertThat(TrafficOptions.calibrate(plain, counted(12), new PrintWriter(new StringWriter()), "loadtest")).isSameAs(plain);
        assertThat(config().workload()).as("the prompts in turn need no workload").isNull();
    }
}
