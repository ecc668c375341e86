package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify --baseline FILE --fail-if ...}: the verification run judged against an earlier report. */
@Timeout(90)
class VerifyBaselineTest {
    @TempDir
    Path dir;

    @Test
    void aSlowerReleaseFailsAgainstTheBaselineOfAFastOne() throws Exception {
        Path base = dir.resolve("base.json");
        try (SimulatedRelease fast = new SimulatedRelease(SimulatedCluster.Spec.defaults(2), dir)) {
            VerifyCommandTest.Run first = run(fast, "--report-json", base.toString());
            assertThat(first.exit()).as(first.err()).isZero();

            // The same release against its own baseline, with a loose threshold: verified, the check listed.
            Path again = dir.resolve("again.json");
            VerifyCommandTest.Run same = run(fast, "--baseline", base.toString(), "--fail-if", "p95+300%",
                    "--report-json", again.toString());
            assertThat(same.exit()).as(same.out()).isZero();
            assertThat(same.out()).containsPattern("\\| p95\\+300% \\| baseline \\| PASS \\| [0-9.]+ms -> [0-9.]+ms \\(");
            JsonNode group = new ObjectMapper().readTree(again.toFile()).path("checks");
            assertThat(group.toString()).contains("\"name\":\"baseline\"");

            // Without thresholds the headline figures are shown, not judged.
            VerifyCommandTest.Run shown = run(fast, "--baseline", base.toString());
            assertThat(shown.exit()).isZero();
            assertThat(shown.out()).contains("| p95 | baseline | SKIP |").contains("no --fail-if threshold");
        }
        // 8 tokens 40 ms apart instead of 2 ms: latency about 8x the baseline's.
        try (SimulatedRelease slow = new SimulatedRelease(SimulatedCluster.Spec.defaults(2), dir, Duration.ofMillis(40))) {
            VerifyCommandTest.Run worse = run(slow, "--baseline", base.toString(), "--fail-if", "p95+10%,throughput-5%");
            assertThat(worse.exit()).as(worse.out()).isEqualTo(1);
            assertThat(worse.out()).containsPattern("\\| p95\\+10% \\| baseline \\| \\*\\*FAIL\\*\\* \\| ")
                    .containsPattern("\\| throughput-5% \\| baseline \\| \\*\\*FAIL\\*\\* \\| ");
            assertThat(worse.errLines()).last().asString().startsWith("verify: NOT VERIFIED: ").contains("p95+10%: ");
        }
    }

    @Test
    void aBadBaselineOrThresholdIsOneLineExit2BeforeAnythingConnects() throws Exception {
        Path sweep = dir.resolve("sweep.json");
        Files.writeString(sweep, "{\"steps\": []}");
        Path report = dir.resolve("r.json");
        Files.writeString(report, "{\"command\":\"loadtest\",\"load\":{\"requests\":{\"total\":1,\"succeeded\":1},"
                + "\"latency_ms\":{\"count\":1,\"p95\":10},\"throughput\":{\"requests_per_s\":1}}}");
        String outputs = dir.resolve("nothing-here.json").toString();
        String[][] cases = {
            {"--fail-if", "p95+10%"},
            {"--baseline", dir.resolve("missing.json").toString()},
            {"--baseline", sweep.toString()},
            {"--baseline", report.toString(), "--fail-if", "p96+10%"},
            {"--baseline", report.toString(), "--fail-if", "p95<5s"},
            {"--baseline", report.toString(), "--report-json", report.toString()},
        };
        String[] expected = {
            "verify: --fail-if compares with a baseline: give --baseline FILE",
            "verify: report file not found: " + dir.resolve("missing.json"),
            "verify: " + sweep + " is not a loadtest or verify JSON report (--report-json); it looks like a sweep report:"
                    + " compare it with another sweep",
            "verify: --fail-if threshold 'p96+10%': no figure 'p96'",
            "verify: --fail-if threshold 'p95<5s' must look like FIGURE+N% or FIGURE-N%",
            "verify: --report-json",
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 2];
            args[0] = "--outputs";
            args[1] = outputs;
            System.arraycopy(cases[i], 0, args, 2, cases[i].length);
            VerifyCommandTest.Run r = VerifyCommandTest.verify(args);
            assertThat(r.exit()).as(String.join(" ", cases[i]) + ": " + r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", cases[i])).singleElement().asString().startsWith(expected[i]);
        }
    }

    private VerifyCommandTest.Run run(SimulatedRelease r, String... extra) {
        String[] args = new String[extra.length + 7];
        String[] common = {"--outputs", r.outputs.toString(), "--users", "6", "--duration", "1s", "--quiet"};
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(extra, 0, args, common.length, extra.length);
        return VerifyCommandTest.verify(args);
    }
}
