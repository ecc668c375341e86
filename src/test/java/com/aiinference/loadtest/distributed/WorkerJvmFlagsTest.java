package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.testing.JvmOptionsFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A local worker JVM runs with its parent's heap, GC, compiler and property flags, never its per-process ones. */
class WorkerJvmFlagsTest {
    @Test
    void theLaunchersFlagsAndPropertiesPassToWorkersAndPerProcessOnesDoNot() {
        List<String> parent = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xss512k", "-XX:Tier4InvocationThreshold=50000",
                "-Daiinference.transport=nio", "-XX:StartFlightRecording=filename=run.jfr",
                "-XX:ArchiveClassesAtExit=app.jsa", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
                "-javaagent:agent.jar", "-Xlog:gc:file=gc.log", "--add-opens=java.base/java.lang=ALL-UNNAMED");
        assertThat(LocalWorkers.jvmFlags(parent)).containsExactly("-XX:+UseSerialGC", "-Xms32m",
                "-Xss512k", "-XX:Tier4InvocationThreshold=50000", "-Daiinference.transport=nio");
    }

    @Test
    void everyFlagOfTheLaunchersFileReachesTheWorkers() {
        // bin/ai-inference starts java with bin/jvm.options; the JVM reports those flags as its own input arguments.
        assertThat(LocalWorkers.jvmFlags(JvmOptionsFile.flags())).isEqualTo(JvmOptionsFile.flags());
    }

    @Test
    void aWorkersCommandCarriesThisJvmsFlagsBeforeItsClassPath() {
        List<String> command = LocalWorkers.command(2);
        int cp = command.indexOf("-cp");
        assertThat(cp).isPositive();
        assertThat(command.subList(1, cp)).isEqualTo(LocalWorkers.jvmFlags(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        assertThat(command.subList(cp + 2, command.size())).containsExactly(WorkerCommand.class.getName(), "--spec", "-",
                "--index", "2", "--wait-for-go");
    }
}
