package com.aiinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** bin/ai-inference: the jar with the engine's JVM flags, and one line when the jar is not built. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LauncherIT {
    private static final Path LAUNCHER = Path.of("bin", "ai-inference").toAbsolutePath();

    private static Process start(Path jar, Path javaHome, String... args) throws IOException {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = LAUNCHER.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("AI_INFERENCE_JAR", jar.toString());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().remove("AI_INFERENCE_JAVA_OPTS");
        return pb.start();
    }

    @Test
    void aMissingJarIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("ai-inference.jar");
        Process p = start(jar, Path.of(System.getProperty("java.home")), "--version");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("ai-inference: " + jar + " is missing: build it with ./mvnw -q -B package -DskipTests\n");
    }

    @Test
    void itRunsTheJarWithTheEnginesFlags(@TempDir Path dir) throws Exception {
        // A stand-in "java" that prints its arguments: the launcher's command line is what is checked.
        Path home = dir.resolve("jdk");
        Files.createDirectories(home.resolve("bin"));
        Path java = home.resolve("bin").resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Path jar = Files.writeString(dir.resolve("ai-inference.jar"), "stand-in");
        Process p = start(jar, home, "loadtest", "--users", "50");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList())
                .containsExactly("-XX:+UseSerialGC", "-Xms32m", "-Xss512k", "-XX:Tier4InvocationThreshold=50000",
                        "-XX:Tier4MinInvocationThreshold=6000", "-XX:Tier4CompileThreshold=150000",
                        "-XX:Tier4BackEdgeThreshold=400000", "-jar",
                        jar.toString(), "loadtest", "--users", "50");
    }
}
