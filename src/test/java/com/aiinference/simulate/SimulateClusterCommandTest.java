package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code simulate cluster} as the README walk-through uses it: started, then verified from a second command line. */
@Timeout(60)
class SimulateClusterCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void oomKillSwitchIsSeenByVerify() throws Exception {
        Path outputs = dir.resolve("sim.json");
        CommandLine cl = Main.commandLine();
        StringWriter simOut = new StringWriter();
        cl.setOut(new PrintWriter(simOut, true));
        SimulateClusterCommand sim = (SimulateClusterCommand) cl.getSubcommands().get("simulate").getSubcommands().get("cluster").getCommand();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> cl.execute("simulate", "cluster",
                "--outputs", outputs.toString(), "--replicas", "2", "--tokens", "8", "--ttft", "5ms", "--itl", "2ms",
                "--restart-during-run", "1", "--oom-kill", "--fault-after", "20", "--fault-down-for", "300ms",
                "--max-duration", "50s"));
        try {
            assertThat(sim.started.await(30, TimeUnit.SECONDS)).as(simOut.toString()).isTrue();
            JsonNode o = new ObjectMapper().readTree(outputs.toFile());
            assertThat(o.path("replicas").asInt()).isEqualTo(2);
            assertThat(o.path("hpaPinned").asBoolean()).isTrue();
            assertThat(o.path("dwsEnabled").asBoolean()).as("DWS on by default, as in the dev stack").isTrue();
            assertThat(simOut.toString()).contains(", ProvisioningRequest Provisioned");
            assertThat(o.path("kubeconfig").asText()).contains("server: \"http://127.0.0.1:");
            assertThat(simOut.toString()).containsPattern("seeded from helm template of .*charts/ai-inference: NetworkPolicy"
                    + " ai-inference, .*ServiceAccount ai-inference, .*Deployment ai-inference, HorizontalPodAutoscaler ai-inference");

            Run verify = run("verify", "--outputs", outputs.toString(), "--users", "4", "--duration", "1s", "--quiet");

            String victim = SimulatedCluster.podName("ai-inference", 1);
            assertThat(verify.exit()).isEqualTo(1);
            assertThat(verify.err()).contains("no-restarts-during-run: " + victim + "/ollama OOM-killed 1x during the run");
            assertThat(simOut.toString()).contains("fault: " + victim + " ollama container OOM-killed after 20 requests");
        } finally {
            sim.stop.countDown();
        }
        assertThat(running.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(simOut.toString()).contains("simulate cluster: stopped");
    }

    @Test
    void aProvisioningRequestStuckOnQuotaListsNoPods() throws Exception {
        CommandLine cl = Main.commandLine();
        StringWriter simOut = new StringWriter();
        cl.setOut(new PrintWriter(simOut, true));
        SimulateClusterCommand sim = (SimulateClusterCommand) cl.getSubcommands().get("simulate").getSubcommands().get("cluster").getCommand();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> cl.execute("simulate", "cluster",
                "--outputs", dir.resolve("quota.json").toString(), "--replicas", "2", "--dws-state", "QuotaExceeded",
                "--max-duration", "50s"));
        try {
            assertThat(sim.started.await(30, TimeUnit.SECONDS)).as(simOut.toString()).isTrue();
            assertThat(simOut.toString()).contains("pods: none (ProvisioningRequest QuotaExceeded: no nodes were provisioned)")
                    .doesNotContain(SimulatedCluster.podName("ai-inference", 0));
        } finally {
            sim.stop.countDown();
        }
        assertThat(running.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void withoutTheChartItIsAUsageErrorNamingThePathAndTheOption() throws Exception {
        // As when the jar runs outside the project: no charts/ai-inference under the project directory.
        Path elsewhere = java.nio.file.Files.createDirectories(dir.resolve("elsewhere"));
        Path outputs = dir.resolve("x.json");
        Run run = run("simulate", "cluster", "--outputs", outputs.toString(), "--project-dir", elsewhere.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("simulate cluster: no Helm chart at " + elsewhere.resolve("charts/ai-inference")
                + " (Chart.yaml missing): run from the project directory or pass --project-dir DIR");
        assertThat(run.out()).isEmpty();
        assertThat(outputs).doesNotExist();
    }

    @Test
    void settingsTheChartRefusesAreAUsageErrorWithTheChartsReason() {
        Run run = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), "--replicas", "2",
                "--dws-state", "Provisioned", "--hpa-min", "1", "--hpa-max", "4");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().lines().filter(l -> !l.isBlank()).toList()).singleElement().asString()
                .startsWith("simulate cluster: the chart at ")
                .contains("refuses the simulated settings: ")
                .contains("dws.enabled=true provisions a fixed set of nodes, so the replica count must be fixed, but the HPA ranges 1..4 (autoscaling.minReplicas.."
                        + "autoscaling.maxReplicas); set them equal or set autoscaling.enabled=false");
        assertThat(dir.resolve("x.json")).doesNotExist();
    }

    @Test
    void badSwitchesAreUsageErrors() {
        Run badState = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), "--dws-state", "Sleeping");
        assertThat(badState.exit()).isEqualTo(2);
        assertThat(badState.err().strip()).isEqualTo("simulate cluster: --dws-state 'Sleeping' is not one of Provisioned, BookingExpired, Accepted, Pending,"
                + " QuotaExceeded, ResourcePoolExhausted, Failed");

        Run oomAlone = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), "--oom-kill");
        assertThat(oomAlone.exit()).isEqualTo(2);
        assertThat(oomAlone.err().strip()).isEqualTo("simulate cluster: --oom-kill needs --restart-during-run POD (which pod is OOM-killed)");

        Run badNamespace = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), "--namespace", "Prod_NS");
        assertThat(badNamespace.exit()).isEqualTo(2);
        assertThat(badNamespace.err().strip()).isEqualTo("simulate cluster: --namespace Prod_NS is not a valid name (lowercase letters,"
                + " digits and '-', starting with a letter, at most 40 characters)");

        // numbers and durations out of range: one line naming the option, before anything starts
        String[][] bad = {
            {"--fault-after", "-1", "simulate cluster: --fault-after must be 0 or more requests, got -1"},
            {"--hpa-min", "0", "simulate cluster: --hpa-min must be at least 1, got 0"},
            {"--hpa-max", "-3", "simulate cluster: --hpa-max -3 is below the HPA minimum 10 (--replicas)"},
            {"--max-duration", "0s", "simulate cluster: --max-duration must be more than 0"},
            {"--replicas", "0", "simulate cluster: --replicas must be 1..100, got 0"},
            {"--tokens", "0", "simulate cluster: tokens per answer must be at least 1, got 0"},
            {"--parallel", "0", "simulate cluster: parallel must be at least 1, got 0"},
        };
        for (String[] b : bad) {
            Run r = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), b[0], b[1]);
            assertThat(r.exit()).as(b[0]).isEqualTo(2);
            assertThat(r.err().strip()).as(b[0]).isEqualTo(b[2]);
            assertThat(r.out()).as(b[0]).isEmpty();
        }
        for (String negative : new String[] {"--fault-down-for", "--ttft", "--itl"}) {
            Run r = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), negative, "-1s");
            assertThat(r.exit()).as(negative).isEqualTo(2);
            assertThat(r.err().lines().findFirst().orElse("")).as(negative).contains(negative).contains("'-1s'");
        }
        assertThat(dir.resolve("x.json")).doesNotExist();

        Run badPod = run("simulate", "cluster", "--outputs", dir.resolve("x.json").toString(), "--replicas", "2",
                "--restart-during-run", "7", "--max-duration", "5s");
        assertThat(badPod.exit()).isEqualTo(2);
        assertThat(badPod.err().strip()).isEqualTo("simulate cluster: pod index 7 out of range 0-1");
    }
}
