package com.aiinference.preflight;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A local program the documented path needs ({@code pulumi}, {@code gke-gcloud-auth-plugin}), run with a time limit. */
final class LocalTool {
    private static final long TIMEOUT_SECONDS = 30;

    /** What the program printed and its exit code; empty when it could not be started (not installed). */
    record Result(int exit, String output) {
        String firstLine() {
            return output.strip().lines().findFirst().orElse("").strip();
        }
    }

    private LocalTool() {}

    static Optional<Result> run(String program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program);
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of(new Result(-1, program + " did not answer within " + TIMEOUT_SECONDS + "s"));
            }
            return Optional.of(new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            p.destroyForcibly();
            return Optional.of(new Result(-1, e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return Optional.of(new Result(-1, "interrupted"));
        }
    }
}
