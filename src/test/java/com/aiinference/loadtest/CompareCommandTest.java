package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.aiinference.loadtest.compare.Comparison;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code loadtest compare} black-box: two reports in, the side-by-side table and the exit code out. */
@Timeout(60)
class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURES = Path.of("src/test/resources/compare");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aSlowerServerRegressesBeyondTheThresholdsAndTheSameRunDoesNot() throws Exception {
        Path base = dir.resolve("base.json");
        Path slower = dir.resolve("new.json");
        measure(Duration.ofMillis(2), base);
        // 10 + 11 x 2 = 32 ms against 10 + 11 x 20 = 230 ms per answer: medians seven times apart, whatever the load.
        measure(Duration.ofMillis(20), slower);

        Run worse = run("loadtest", "compare", base.toString(), slower.toString(), "--fail-if", "p50+10%,throughput-5%");
        assertThat(worse.exit()).as(worse.err()).isEqualTo(1);
        assertThat(worse.out()).contains("| Figure | Base | New | Change | Threshold |")
                .containsPattern("\\| p50 \\| [0-9.]+ms \\| [0-9.]+ms \\| \\+[0-9.]+% \\| p50\\+10% \\*\\*REGRESSED\\*\\* \\|")
                .containsPattern("\\| rps \\| [0-9.]+/s \\| [0-9.]+/s \\| -[0-9.]+% \\| throughput-5% \\*\\*REGRESSED\\*\\* \\|")
                .contains("**REGRESSED** beyond p50+10%,throughput-5%:");

        Run same = run("loadtest", "compare", base.toString(), base.toString(), "--fail-if", "p50+10%,throughput-5%");
        assertThat(same.exit()).as(same.out()).isZero();
        assertThat(same.out()).contains("**WITHIN THRESHOLDS** p50+10%,throughput-5%");

        Run json = run("loadtest", "compare", base.toString(), slower.toString(), "--output", "json", "--fail-if", "p50+10%");
        assertThat(json.exit()).isEqualTo(1);
        JsonNode root = JSON.readTree(json.out());
        assertThat(root.path("kind").asText()).isEqualTo("run");
        assertThat(root.path("figures")).hasSize(Comparison.FIGURES.size());
        JsonNode p50 = root.path("figures").get(5);
        assertThat(p50.path("name").asText()).isEqualTo("p50");
        assertThat(p50.path("new_value").asDouble()).isGreaterThan(p50.path("base_value").asDouble());
        assertThat(p50.path("regressed").asBoolean()).isTrue();
        assertThat(root.path("regressions").get(0).asText()).startsWith("p50 ");
    }

    private void measure(Duration itl, Path report) {
        SimulatedEngineConfig replica = SimulatedEngineConfig.defaults().withTiming(Duration.ofMillis(10), itl).withTokensPerAnswer(12);
        try (SimulatedEngine fake = SimulatedEngine.start(replica)) {
            Run r = run("loadtest", "--url", fake.generateUri().toString(), "--users", "4", "--duration", "1s",
                    "--report-json", report.toString(), "--quiet");
            assertThat(r.exit()).as(r.err()).isZero();
        }
    }

    @Test
    void sweepsSideBySideByLoadWithTheirKneesAndOverlaidCurves() throws Exception {
        String base = FIXTURES.resolve("sweep-base.json").toString();
        String next = FIXTURES.resolve("sweep-new.json").toString();
        Run text = run("loadtest", "compare", base, next, "--fail-if", "p95+10%,knee-0%");
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.out()).contains("| 4 **REGRESSED** | 67.7 | 39.5 | -41.7% | 64ms | 106ms | +66.6% |")
                .contains("| 8 | 91.2 | - | n/a | 104ms | - | n/a |")
                .contains("Knee: concurrency 4 (base, SLO p95<100ms) -> concurrency 2 (new, SLO p95<100ms)")
                .contains("- knee concurrency 4 -> 2 (-50%, limit knee-0%)");
        assertThat(run("loadtest", "compare", base, next, "--fail-if", "p95+100%").exit()).isZero();

        JsonNode json = JSON.readTree(run("loadtest", "compare", base, next, "--output", "json").out());
        assertThat(json.path("kind").asText()).isEqualTo("sweep");
        assertThat(json.at("/steps/1/base_step/concurrency").asInt()).isEqualTo(4);
        assertThat(json.at("/steps/1/new_step/latency_ms/p95").asDouble()).isGreaterThan(100);
        assertThat(json.at("/steps/1/new_step/within_slo").asBoolean()).isFalse();
        assertThat(json.at("/steps/2/new_step").isNull()).isTrue();
        assertThat(json.at("/knees/base").asDouble()).isEqualTo(4);
        assertThat(json.at("/knees/new").asDouble()).isEqualTo(2);

        Run html = run("loadtest", "compare", base, next, "--output", "html");
        assertThat(html.exit()).isZero();
        assertThat(html.out()).startsWith("<!DOCTYPE html>").contains("NOT JUDGED");
        Matcher lines = Pattern.compile("<polyline class=\"(base|new)\" points=\"([^\"]*)\"").matcher(html.out());
        int curves = 0;
        while (lines.find()) {
            curves++;
            int points = lines.group(2).split(" ").length;
            assertThat(points).as(lines.group(1) + " curve: one point per step").isEqualTo(lines.group(1).equals("base") ? 3 : 2);
        }
        assertThat(curves).isEqualTo(2);
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        Path notJson = Files.writeString(dir.resolve("notes.json"), "hello", StandardCharsets.UTF_8);
        Path other = Files.writeString(dir.resolve("other.json"), "{\"kind\":\"something\"}", StandardCharsets.UTF_8);
        String base = FIXTURES.resolve("base.json").toString();
        String sweep = FIXTURES.resolve("sweep-base.json").toString();
        List<String[]> cases = List.of(
                new String[] {base, dir.resolve("missing.json").toString()},
                new String[] {base, notJson.toString()},
                new String[] {base, other.toString()},
                new String[] {base, sweep},
                new String[] {base, base, "--fail-if", "p96+10%"},
                new String[] {base, base, "--fail-if", "knee-0%"},
                new String[] {base, base, "--fail-if", "p95<5s"});
        List<String> expected = List.of(
                "loadtest compare: report file not found: " + dir.resolve("missing.json"),
                "loadtest compare: " + notJson + " is not JSON (",
                "loadtest compare: " + other + " is not a loadtest or verify JSON report (--report-json)",
                "loadtest compare: " + base + " is a run report but " + sweep + " is a sweep report: compare two of a kind",
                "loadtest compare: --fail-if threshold 'p96+10%': no figure 'p96' (success, error_rate, rps,",
                "loadtest compare: --fail-if threshold 'knee-0%': knee is a sweep's figure; these are run reports",
                "loadtest compare: --fail-if threshold 'p95<5s' must look like FIGURE+N% or FIGURE-N%");
        for (int i = 0; i < cases.size(); i++) {
            String[] args = new String[cases.get(i).length + 2];
            args[0] = "loadtest";
            args[1] = "compare";
            System.arraycopy(cases.get(i), 0, args, 2, cases.get(i).length);
            Run r = run(args);
            assertThat(r.exit()).as(String.join(" ", cases.get(i))).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().toList()).as(String.join(" ", cases.get(i))).singleElement().asString()
                    .startsWith(expected.get(i));
        }
    }

    /** The example in docs/loadtest.md ("Compare two runs in CI") is this command's output on the fixture reports. */
    @Test
    void theDocumentedExampleIsWhatTheCommandPrints() throws Exception {
        String doc = Files.readString(Path.of("docs/loadtest.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?s)```\\n\\$ bin/ai-inference (loadtest compare base.json new.json[^\\n]*)\\n(.*?)```")
                .matcher(doc);
        assertThat(m.find()).as("the compare example in docs/loadtest.md").isTrue();
        List<String> args = new java.util.ArrayList<>();
        for (String word : m.group(1).replace("'", "").split(" ")) {
            args.add(switch (word) {
                case "base.json" -> FIXTURES.resolve("base.json").toString();
                case "new.json" -> FIXTURES.resolve("new.json").toString();
                default -> word;
            });
        }
        Run r = run(args.toArray(String[]::new));
        String shown = r.out().replace(FIXTURES.resolve("base.json").toString(), "base.json")
                .replace(FIXTURES.resolve("new.json").toString(), "new.json");
        assertThat(m.group(2)).isEqualTo(shown + "$ echo $?\n" + r.exit() + "\n");
    }
}
