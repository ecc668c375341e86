package com.aiinference.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.simulate.SimulatedEngine;
import com.aiinference.simulate.SimulatedEngineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadtest --stack}: the Pulumi CLI it runs comes from the environment, so the CLI runs in a child JVM. */
@Timeout(120)
class StackOutputsProcessIT {
    private SimulatedEngine fake;

    @TempDir
    Path dir;

    @BeforeEach
    void startFake() {
        fake = SimulatedEngine.start(SimulatedEngineConfig.defaults()
                .withTiming(Duration.ofMillis(30), Duration.ofMillis(3)).withTokensPerAnswer(10));
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private String url() {
        return fake.generateUri().toString();
    }

    @Test
    void stackOptionRunsPulumiAndUsesItsEndpoint() throws Exception {
        Path args = dir.resolve("pulumi-args.txt");
        Path pulumi = fakePulumi("echo \"$@\" > '" + args + "'\n"
                + "echo '{\"endpoint\": \"" + url() + "\", \"model\": \"llama3.1:8b\"}'\n");
        Process p = cli(pulumi.toString(), "loadtest", "--stack", "dev", "--users", "2", "--duration", "500ms");
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(Files.readString(args).strip()).isEqualTo("stack output --json --show-secrets --stack dev");
        assertThat(stdout).contains("| **Stability** | **100%** |");
        assertThat(fake.requestsServed()).isPositive();
    }

    @Test
    void missingOrFailingPulumiIsOneLineWithExitTwo() throws Exception {
        Process missing = cli(dir.resolve("no-pulumi").toString(), "loadtest", "--stack", "dev");
        String err1 = new String(missing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(missing.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(missing.exitValue()).isEqualTo(2);
        assertThat(err1.strip()).isEqualTo("loadtest: cannot run '" + dir.resolve("no-pulumi")
                + "' for --stack dev: the Pulumi CLI is not installed or not on PATH (or pass --outputs FILE, the JSON that"
                + " 'pulumi stack output --json --show-secrets' printed elsewhere)");

        Path failing = fakePulumi("echo 'error: no stack named dev found' >&2\nexit 255\n");
        Process p = cli(failing.toString(), "loadtest", "--stack", "dev");
        String err2 = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err2.strip()).isEqualTo("loadtest: 'pulumi stack output --stack dev' failed (exit 255): error: no stack named dev found");
    }

    private Path fakePulumi(String body) throws IOException {
        Path script = dir.resolve("pulumi-" + System.nanoTime());
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** The CLI in a child JVM, because the pulumi binary comes from an environment variable. */
    private static Process cli(String pulumi, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(com.aiinference.testing.MainProcess.main(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AI_INFERENCE_PULUMI", pulumi);
        return pb.start();
    }
}
