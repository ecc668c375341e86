package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aiinference.Main;
import com.aiinference.config.DevStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path dir;

    /**
     * One line switches the dev stack to vLLM: the model left unset becomes vLLM's default (a gated Llama), the plan
     * passes with a warning that the pods need hfToken, and the rendered container names a user for torch's getuser.
     */
    @Test
    void engineVllmAloneInTheDevStackPlansAndWarnsAboutTheGatedModel() throws Exception {
        assumeTrue(Files.isRegularFile(DevStack.projectDir().resolve("charts/ai-inference/Chart.yaml")),
                "charts/ai-inference is not in this checkout yet");
        Path stack = dir.resolve("Pulumi.vllm.yaml");
        Files.writeString(stack, Files.readString(DevStack.projectDir().resolve("Pulumi.dev.yaml"))
                + "  ai-inference:engine: vllm\n");
        Path render = dir.resolve("rendered-one-line");
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("plan", "--project-dir", DevStack.projectDir().toString(), "--config-file", stack.toString(),
                "--render-dir", render.toString());
        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString())
                .contains("vllm.model=meta-llama/Llama-3.1-8B-Instruct")
                .contains("WARN  hf-model-access")
                .contains("meta-llama/Llama-3.1-8B-Instruct is gated on Hugging Face and ai-inference:hfToken is not set")
                .containsPattern("\\d+ checks: all passed \\(1 warning\\)");
        String deployment;
        try (var files = Files.list(render)) {
            Path d = files.filter(p -> p.getFileName().toString().contains("deployment")).findFirst().orElseThrow();
            deployment = Files.readString(d);
        }
        assertThat(deployment).containsPattern("- name: \"USER\"\\s+value: \"vllm\"");
    }

    /**
     * The dev stack switched to vLLM: the shipped chart renders the vLLM Deployment (probes, /dev/shm, GPU limit,
     * DWS wiring) that strict validation accepts, and every check passes, the GPU fit included.
     */
    @Test
    void theDevStackOnVllmPlansCleanAndTooMuchParallelismIsRefused() throws Exception {
        assumeTrue(Files.isRegularFile(DevStack.projectDir().resolve("charts/ai-inference/Chart.yaml")),
                "charts/ai-inference is not in this checkout yet");
        Path stack = dir.resolve("Pulumi.vllm.yaml");
        String dev = Files.readString(DevStack.projectDir().resolve("Pulumi.dev.yaml"))
                .replaceAll("(?m)^  ai-inference:(model|numParallel|contextLength):.*\\n", "");
        Files.writeString(stack, dev + "  ai-inference:engine: vllm\n  ai-inference:model: meta-llama/Llama-3.1-8B-Instruct\n");
        Path render = dir.resolve("rendered");
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("plan", "--project-dir", DevStack.projectDir().toString(), "--config-file", stack.toString(),
                "--render-dir", render.toString());
        assertThat(exit).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("PASS  chart-render", "PASS  gpu-memory-fits", "Llama 3.1 8B: 16.1 GB weights")
                .contains("with containers [vllm, gateway]").containsPattern("\\d+ checks: all passed");
        String deployment;
        try (var files = Files.list(render)) {
            Path d = files.filter(p -> p.getFileName().toString().contains("deployment")).findFirst().orElseThrow();
            deployment = Files.readString(d);
        }
        assertThat(deployment).contains("image: \"docker.io/vllm/vllm-openai:v0.25.0@sha256:fc56161ee42a011aeee78b65d0a81b6683c7d04402fd40503d14d4d6c98f07cb\"", "\"--max-num-seqs=8\"",
                "\"--max-model-len=4096\"", "path: \"/v1/models\"", "mountPath: \"/dev/shm\"", "medium: \"Memory\"",
                "nvidia.com/gpu: \"1\"", "autoscaling.x-k8s.io/consume-provisioning-request");

        Files.writeString(stack, dev + "  ai-inference:engine: vllm\n  ai-inference:model: meta-llama/Llama-3.1-8B-Instruct\n"
                + "  ai-inference:numParallel: 64\n  ai-inference:contextLength: 8192\n");
        StringWriter out2 = new StringWriter();
        StringWriter err2 = new StringWriter();
        cl.setOut(new PrintWriter(out2));
        cl.setErr(new PrintWriter(err2));
        assertThat(cl.execute("plan", "--project-dir", DevStack.projectDir().toString(), "--config-file", stack.toString()))
                .isEqualTo(1);
        assertThat(out2.toString()).contains("FAIL  gpu-memory-fits").contains("exceeds 0.9 x 24.0 GB = 21.6 GB");
    }
}
