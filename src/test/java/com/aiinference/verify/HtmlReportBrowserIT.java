package com.aiinference.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aiinference.Main;
import com.aiinference.simulate.SimulatedCluster;
import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The HTML reports as a browser shows them: each page is written by the command a user runs, loaded by headless
 * Chromium, and its DOM (as the browser parsed it) is read back as text. The verdict must lead, and no raw Markdown,
 * {@code NaN}, {@code undefined} or tooltip whose two ends read alike may reach the reader. Skipped where no
 * chromium, chromium-browser or google-chrome is on the PATH (.ci/install installs Debian's {@code chromium} then;
 * {@code AI_INFERENCE_CHROMIUM} names another binary).
 */
@Timeout(300)
class HtmlReportBrowserIT {
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern TOOLTIP = Pattern.compile("<title>([^<]*)</title>");
    private static final Pattern SAME_ENDS = Pattern.compile("^(.+) to \\1(:|$)");

    private static Path chromium;

    @TempDir
    Path dir;

    @BeforeAll
    static void findChromium() {
        Optional<Path> found = chromiumBinary();
        assumeTrue(found.isPresent(), "no Chromium binary (apt-get install chromium, or set AI_INFERENCE_CHROMIUM)");
        chromium = found.get();
    }

    @Test
    void aLoadTestPageLeadsWithItsVerdictAndShowsNoRawMarkup() throws Exception {
        // Answers of ~60 ms spread over a few ms: the latency histogram's bins are narrower than a printed millisecond.
        try (SimulatedEngine fake = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(30), Duration.ofMillis(3)).withTokensPerAnswer(10))) {
            Path html = dir.resolve("loadtest.html");
            int exit = run("loadtest", "--url", fake.generateUri().toString(), "--users", "4", "--duration", "1500ms",
                    "--warmup", "300ms", "--slo", "success>=99.9%,p95<5s", "--report-html", html.toString(), "--quiet");
            assertThat(exit).isZero();

            Page page = load(html);
            assertThat(page.title()).isEqualTo("SLO MET - Load test: " + fake.generateUri());
            assertThat(page.text()).startsWith("Load test: " + fake.generateUri());
            assertThat(page.text().indexOf("SLO MET")).as("the verdict comes before any figure")
                    .isLessThan(page.text().indexOf("Verified Results"));
            assertThat(page.text()).contains("Latency distribution", "Throughput and errors", "Load test details");
            assertThat(page.svgCharts()).isEqualTo(3);
            assertThat(page.tooltips()).isNotEmpty();
            page.assertClean();
        }
    }

    @Test
    void aVerifyPageWithAFailedCheckLeadsWithTheVerdictAndItsReasons() throws Exception {
        Path html = dir.resolve("not-ready.html");
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(3), dir)) {
            String down = r.cluster.podNames().get(2);
            r.cluster.setReady(down, false);
            int exit = run("verify", "--outputs", r.outputs.toString(), "--users", "6", "--duration", "1s", "--quiet",
                    "--report-html", html.toString());
            assertThat(exit).isEqualTo(1);

            Page page = load(html);
            assertThat(page.title()).startsWith("NOT VERIFIED - Scalability verification: release ai-inference");
            String text = page.text();
            int why = text.indexOf("NOT VERIFIED: why");
            assertThat(why).as("the verdict's reasons come first").isPositive().isLessThan(text.indexOf("Verified Results"));
            assertThat(text.substring(why)).contains("pods-ready: 2/3 pods ready; not ready: " + down);
            assertThat(text.indexOf("Verified Results")).isLessThan(text.indexOf("Checks"));
            // The load's three charts, then the servers' signals: the gateways' requests in flight and per second, and from
            // their access logs the 503s and the durations.
            assertThat(text).contains("Server signals", "Requests in flight at each replica's gateway");
            assertThat(page.svgCharts()).isEqualTo(7);
            page.assertClean();
        }
    }

    @Test
    void aVerifyPageWhoseLoadWasSkippedSaysWhyAndDrawsNoEmptyChart() throws Exception {
        Path html = dir.resolve("quota.html");
        try (SimulatedRelease r = new SimulatedRelease(SimulatedCluster.Spec.defaults(2).withDwsState("QuotaExceeded"), dir)) {
            int exit = run("verify", "--outputs", r.outputs.toString(), "--users", "6", "--duration", "1s", "--quiet",
                    "--report-html", html.toString());
            assertThat(exit).isEqualTo(1);

            Page page = load(html);
            String text = page.text();
            assertThat(page.title()).startsWith("NOT VERIFIED - ");
            assertThat(text.indexOf("NOT VERIFIED: why")).isPositive().isLessThan(text.indexOf("Verified Results"));
            assertThat(text).contains("QuotaExceeded", "Load not run", "no inference pod exists");
            assertThat(page.svgCharts()).isZero();
            page.assertClean();
        }
    }

    private static int run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** The page as headless Chromium parsed it ({@code --dump-dom}: the DOM serialized back). */
    private Page load(Path html) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        Path dom = dir.resolve(html.getFileName() + ".dom");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile, "--dump-dom", html.toUri().toString())
                .redirectOutput(dom.toFile()).redirectError(dir.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s");
        }
        String parsed = Files.readString(dom, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("chromium.log"))).isZero();
        assertThat(parsed).as("chromium printed the page's DOM").contains("<main>");
        return new Page(parsed);
    }

    record Page(String dom) {
        String title() {
            Matcher m = TOOLTIP.matcher(dom);
            assertThat(m.find()).isTrue();
            return unescape(m.group(1));
        }

        /** Visible text of the body, tags removed, whitespace folded (SVG tooltips excluded). */
        String text() {
            String body = dom.substring(dom.indexOf("<body"));
            body = body.replaceAll("(?s)<title>.*?</title>", " ");
            return unescape(TAG.matcher(body).replaceAll(" ")).replaceAll("\\s+", " ").strip();
        }

        List<String> tooltips() {
            String body = dom.substring(dom.indexOf("<body"));
            List<String> t = new ArrayList<>();
            Matcher m = TOOLTIP.matcher(body);
            while (m.find()) {
                t.add(unescape(m.group(1)));
            }
            return t;
        }

        /** SVG charts the browser parsed as such (a broken tag before one would have swallowed it). */
        long svgCharts() {
            return Pattern.compile("<svg[ >]").matcher(dom).results().count();
        }

        void assertClean() {
            String text = text();
            assertThat(text).doesNotContain("`", "NaN", "undefined", "Infinity", "null");
            assertThat(tooltips()).noneMatch(t -> SAME_ENDS.matcher(t).find());
        }

        private static String unescape(String s) {
            return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                    .replace("&nbsp;", " ").replace("&middot;", "·").replace("&amp;", "&");
        }
    }

    private static Optional<Path> chromiumBinary() {
        String env = System.getenv("AI_INFERENCE_CHROMIUM");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .flatMap(d -> Stream.of("chromium", "chromium-browser", "google-chrome").map(n -> Path.of(d, n)))
                .filter(Files::isExecutable).findFirst();
    }
}
