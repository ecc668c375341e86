package com.aiinference.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The command line in its own JVM, as a user runs it (this test JVM's java and class path), with stdout and stderr in
 * files, for tests that stop it the way a user does: Ctrl-C is SIGINT to its process.
 */
public final class MainProcess implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private MainProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * The command that runs {@code mainClass args} in a child JVM: this JVM's java and class path, {@code options}, and
     * the JIT and GC settings of the test JVMs (the client compiler only and the serial collector: a process that lives
     * seconds spends its CPU on the test, not on C2 and GC threads, on a machine whose two cores the suite shares).
     */
    public static List<String> command(List<String> options, String mainClass, String... args) {
        return command(System.getProperty("java.class.path"), options, mainClass, args);
    }

    /** {@link #command(List, String, String...)} on another class path. */
    public static List<String> command(String classPath, List<String> options, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath));
        cmd.addAll(options);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@link #command} for {@code com.aiinference.Main args}. */
    public static List<String> main(String... args) {
        return command(List.of(), "com.aiinference.Main", args);
    }

    /** Starts {@code com.aiinference.Main args} with its output in {@code dir}. */
    public static MainProcess start(Path dir, String... args) throws IOException {
        List<String> cmd = main(args);
        Path out = dir.resolve("main-" + System.nanoTime() + ".out");
        Path err = dir.resolve("main-" + System.nanoTime() + ".err");
        return new MainProcess(new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start(),
                out, err);
    }

    public Process process() {
        return process;
    }

    /** Waits (polling, bounded) until {@code condition} holds; fails if the process exits first or time runs out. */
    public void awaitWhileAlive(BooleanSupplier condition, long seconds, String what) throws InterruptedException {
        await(what).atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the process exited (" + process.exitValue() + ") before " + what + ":\n" + err());
            }
            return condition.getAsBoolean();
        });
    }

    /** Ctrl-C: SIGINT to this process only (a terminal would also signal its children). */
    public void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
    }

    /** Waits up to {@code seconds} for the exit and returns the exit code; fails if it is still running. */
    public int exitCode(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running " + seconds + " s later:\n" + err());
        }
        return process.exitValue();
    }

    public String out() {
        return read(out);
    }

    public String err() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
