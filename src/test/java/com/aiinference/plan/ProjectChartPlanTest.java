package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aiinference.Main;
import com.aiinference.config.DevStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The README's main command against the shipped chart: {@code plan --stack dev} passes every check. */
class ProjectChartPlanTest {

    @Test
    void devStackPlansCleanAgainstTheShippedChart() {
        assumeTrue(Files.isRegularFile(DevStack.projectDir().resolve("charts/ai-inference/Chart.yaml")),
                "charts/ai-inference is not in this checkout yet");
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("plan", "--project-dir", DevStack.projectDir().toString(), "--stack", "dev");
        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("PASS  chart-render").containsPattern("\\d+ checks: all passed");
    }
}
