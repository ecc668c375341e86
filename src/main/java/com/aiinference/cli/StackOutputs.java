package com.aiinference.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The outputs of a deployed stack, as {@code pulumi stack output --json --show-secrets} prints them.
 * Read from the Pulumi CLI ({@code --stack}), from a file or stdin ({@code --outputs}).
 */
public final class StackOutputs {
    /** Output keys the stack exports (see {@code App}); the readers use these names. */
    public static final String ENDPOINT = "endpoint";
    public static final String EXTERNAL_IP = "externalIp";
    public static final String KUBECONFIG = "kubeconfig";
    public static final String NAMESPACE = "namespace";
    public static final String SERVICE_NAME = "serviceName";
    public static final String RELEASE_NAME = "releaseName";
    /** Secret: the gateway's first API key, exported when the stack sets {@code apiKeys}; sent, never printed. */
    public static final String API_KEY = "apiKey";
    /** The Artifact Registry repository of the load-test worker image ({@code --in-cluster}). */
    public static final String WORKER_IMAGE_REPOSITORY = "workerImageRepository";

    /** Environment variable naming the pulumi executable (default {@code pulumi} on PATH). */
    public static final String PULUMI_BINARY_ENV = "AI_INFERENCE_PULUMI";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PULUMI_TIMEOUT_SECONDS = 120;

    private final JsonNode root;
    private final String source;

    private StackOutputs(JsonNode root, String source) {
        this.root = root;
        this.source = source;
    }

    /** Parses the JSON object that {@code pulumi stack output --json} prints; {@code source} names it in errors. */
    public static StackOutputs fromJson(String json, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw CliException.usage("stack outputs from " + source + " are not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw CliException.usage("stack outputs from " + source + " must be a JSON object of output names to values");
        }
        return new StackOutputs(node, source);
    }

    /** Reads outputs from a file, or from {@code stdin} when {@code path} is {@code -}. */
    public static StackOutputs fromFile(String path, InputStream stdin) {
        if (!"-".equals(path)) {
            return fromJson(com.aiinference.io.UserFiles.read(Path.of(path), "--outputs file"), path);
        }
        try {
            byte[] bytes = stdin.readNBytes((int) com.aiinference.io.UserFiles.MAX_INPUT_BYTES + 1);
            if (bytes.length > com.aiinference.io.UserFiles.MAX_INPUT_BYTES) {
                throw CliException.usage("--outputs - (stdin) is larger than 64 MiB; give 'pulumi stack output --json'");
            }
            return fromJson(new String(bytes, StandardCharsets.UTF_8), "stdin");
        } catch (IOException e) {
            throw CliException.usage("cannot read --outputs from stdin: " + e.getMessage());
        }
    }

    /** Runs {@code pulumi stack output --json --show-secrets --stack NAME} and parses what it prints. */
    public static StackOutputs fromPulumi(String stack) {
        String pulumi = Optional.ofNullable(System.getenv(PULUMI_BINARY_ENV)).filter(s -> !s.isBlank()).orElse("pulumi");
        List<String> cmd = List.of(pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack);
        Process process;
        try {
            process = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw CliException.usage("cannot run '" + pulumi + "' for --stack " + stack
                    + ": the Pulumi CLI is not installed or not on PATH (or pass --outputs FILE, the JSON that"
                    + " 'pulumi stack output --json --show-secrets' printed elsewhere)");
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = readAsync(process.getInputStream());
            CompletableFuture<String> err = readAsync(process.getErrorStream());
            if (!process.waitFor(PULUMI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw CliException.usage("'pulumi stack output --stack " + stack + "' did not finish within "
                        + PULUMI_TIMEOUT_SECONDS + "s");
            }
            if (process.exitValue() != 0) {
                throw CliException.usage("'pulumi stack output --stack " + stack + "' failed (exit "
                        + process.exitValue() + "): " + firstLine(err.join()));
            }
            return fromJson(out.join(), "pulumi stack " + stack);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw CliException.usage("interrupted while reading outputs of stack " + stack);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        String trimmed = s.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }

    /** Where these outputs came from, for messages. */
    public String source() {
        return source;
    }

    /** A string output; numbers and booleans are returned in their JSON text, objects as JSON. */
    public Optional<String> get(String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        String s = v.isValueNode() ? v.asText() : v.toString();
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    /** A number output (Pulumi prints numbers as JSON numbers, e.g. 10), or a usage error naming it and the source. */
    public Optional<Integer> integer(String key) {
        return get(key).map(v -> {
            try {
                return (int) Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw CliException.usage("output '" + key + "' of " + source + " is '" + v + "', not a number");
            }
        });
    }

    /** A true/false output, or a usage error naming it and the source. */
    public Optional<Boolean> bool(String key) {
        return get(key).map(v -> {
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v);
            }
            throw CliException.usage("output '" + key + "' of " + source + " is '" + v + "', not true or false");
        });
    }

    /** A string output that must be present, or a usage error naming the key and the source. */
    public String require(String key) {
        return get(key).orElseThrow(() -> CliException.usage(
                "stack outputs from " + source + " have no '" + key + "' (outputs present: " + keys() + ")"));
    }

    /** The output names present, in order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        return keys;
    }
}
