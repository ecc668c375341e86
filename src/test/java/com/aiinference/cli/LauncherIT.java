package com.aiinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.testing.JvmOptionsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ai-inference: the jar with the engine's JVM flags from bin/jvm.options, the user's options after them, and
 * one line when the jar or the file is missing.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LauncherIT {
    private static final Path LAUNCHER = Path.of("bin", "ai-inference").toAbsolutePath();

    private static Process start(Path launcher, Path jar, Path javaHome, String javaOpts, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("AI_INFERENCE_JAR", jar.toString());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().remove("AI_INFERENCE_JAVA_OPTS");
        // Options the java launcher would add on its own would not be the launcher's.
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        if (javaOpts != null) {
            pb.environment().put("AI_INFERENCE_JAVA_OPTS", javaOpts);
        }
        return pb.start();
    }

    private static List<String> stdoutLines(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return out.lines().toList();
    }

    @Test
    void aMissingJarIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("ai-inference.jar");
        Process p = start(LAUNCHER, jar, Path.of(System.getProperty("java.home")), null, "--version");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("ai-inference: " + jar + " is missing: build it with ./mvnw -q -B package -DskipTests\n");
    }

    @Test
    void aMissingFlagsFileIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        // A copy of the launcher whose bin/ has no jvm.options.
        Path launcher = Files.createDirectories(dir.resolve("bin")).resolve("ai-inference");
        Files.copy(LAUNCHER, launcher);
        Path jar = Files.writeString(dir.resolve("ai-inference.jar"), "stand-in");
        Process p = start(launcher, jar, Path.of(System.getProperty("java.home")), null, "--version");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ai-inference: "
                + launcher.resolveSibling("jvm.options") + " is missing: it holds the JVM flags (restore it from the repository)\n");
    }

    @Test
    void itRunsTheJarWithTheFlagsFileThenTheUsersOptions(@TempDir Path dir) throws Exception {
        // A stand-in "java" that prints its arguments: the launcher's command line is what is checked.
        Path home = dir.resolve("jdk");
        Files.createDirectories(home.resolve("bin"));
        Path java = home.resolve("bin").resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Path jar = Files.writeString(dir.resolve("ai-inference.jar"), "stand-in");
        String options = "@" + LAUNCHER.resolveSibling(JvmOptionsFile.PATH.getFileName());
        assertThat(stdoutLines(start(LAUNCHER, jar, home, null, "loadtest", "--users", "50")))
                .containsExactly(options, "-jar", jar.toString(), "loadtest", "--users", "50");
        assertThat(stdoutLines(start(LAUNCHER, jar, home, "-Xmx2g -Daiinference.transport=nio", "--version")))
                .containsExactly(options, "-Xmx2g", "-Daiinference.transport=nio", "-jar", jar.toString(), "--version");
    }

    @Test
    void theJvmStartsWithExactlyTheFilesFlags(@TempDir Path dir) throws Exception {
        // The real java of this build, running a jar that prints the JVM's own input arguments: the file as java reads it.
        Path jar = dir.resolve("print-flags.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PrintInputArguments.class.getName());
        String entry = PrintInputArguments.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
                InputStream in = PrintInputArguments.class.getClassLoader().getResourceAsStream(entry)) {
            jarOut.putNextEntry(new JarEntry(entry));
            in.transferTo(jarOut);
            jarOut.closeEntry();
        }
        List<String> expected = new ArrayList<>(JvmOptionsFile.flags());
        expected.add("-Xmx256m");
        assertThat(stdoutLines(start(LAUNCHER, jar, Path.of(System.getProperty("java.home")), "-Xmx256m")))
                .containsExactlyElementsOf(expected);
    }

    /** The main class of the jar above. */
    public static final class PrintInputArguments {
        private PrintInputArguments() {
        }

        public static void main(String[] args) {
            ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(System.out::println);
        }
    }
}
