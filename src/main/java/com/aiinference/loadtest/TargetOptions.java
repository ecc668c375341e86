package com.aiinference.loadtest;

import com.aiinference.cli.StackOutputs;
import com.aiinference.cli.StackOutputsOptions;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.TargetException;
import com.aiinference.loadtest.engine.TlsTrust;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the load goes: {@code --url URL}, or the {@code endpoint} output of {@code --stack NAME} / {@code --outputs
 * FILE}. One picocli mixin for every command that sends load or judges an endpoint ({@code loadtest},
 * {@code loadtest sweep}, {@code loadtest capacity}, {@code verify}); {@link TargetResolver} turns it into a target.
 */
public final class TargetOptions {
    @Option(names = "--url", paramLabel = "URL",
            description = "Endpoint, e.g. http://<LB_IP>:8000/api/generate or .../v1/completions (a bare http://host:port"
                    + " gets the --api path). Default: the 'endpoint' output of --stack/--outputs.")
    String url;

    @Mixin
    StackOutputsOptions stack;

    /** How an https target is authenticated; picocli refuses both at once. */
    static final class Trust {
        @Option(names = "--cacert", paramLabel = "FILE",
                description = "PEM file of the authorities (or the self-signed certificate) an https endpoint's certificate"
                        + " must chain to, instead of the JDK's; the certificate must still name the URL's host.")
        java.nio.file.Path caFile;

        @Option(names = "--insecure",
                description = "Accept any certificate from an https endpoint (encrypted, not authenticated: a quick look"
                        + " at a self-signed endpoint, never with keys that matter).")
        boolean insecure;
    }

    @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    Trust trust;

    /** The certificates an https target may present: --cacert, --insecure, or the JDK's trusted authorities. */
    public TlsTrust tls() {
        if (trust == null) {
            return TlsTrust.SYSTEM;
        }
        return trust.insecure ? TlsTrust.anyCertificate() : TlsTrust.caFile(trust.caFile);
    }

    /** Where the gateway's API key comes from when not from the stack: a file or an environment variable. */
    static final class KeySource {
        @Option(names = "--api-key-file", paramLabel = "FILE",
                description = "Send the API key in this file (its first line) as 'Authorization: Bearer'; never printed."
                        + " Default: the stack's secret 'apiKey' output with --stack/--outputs.")
        Path file;

        @Option(names = "--api-key-env", paramLabel = "NAME",
                description = "Send the API key held by this environment variable (as --api-key-file does).")
        String env;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    KeySource key;

    /** Reads environment variables; tests swap it. */
    static Function<String, String> environment = System::getenv;

    /** The --outputs file, or null: an input that no output may overwrite. */
    public java.nio.file.Path outputsFile() {
        return stack.outputsFile();
    }

    /** Whether any of --url, --stack or --outputs was given. */
    public boolean isSet() {
        return url != null || stack.isSet();
    }

    /** The target, asking the API of the stack's engine unless {@code apiFor} says otherwise. */
    public TargetResolver.Target resolve(Function<Optional<StackOutputs>, Api> apiFor, InputStream stdin) {
        return TargetResolver.resolve(url, stack, apiFor, stdin);
    }

    /**
     * The API key to send: {@code --api-key-file}, {@code --api-key-env}, else the {@code apiKey} output of the
     * stack the target came from. Never part of a message.
     */
    public Optional<String> apiKey(Optional<StackOutputs> outputs) {
        if (key != null && key.file != null) {
            // A key file is small: a FIFO or a huge file is refused, never waited on or loaded.
            String text = com.aiinference.io.UserFiles.read(key.file, "--api-key-file", 64 * 1024);
            String first = text.strip().lines().findFirst().orElse("").strip();
            if (first.isEmpty()) {
                throw new TargetException("--api-key-file " + key.file + " is empty");
            }
            return Optional.of(first);
        }
        if (key != null && key.env != null) {
            String v = environment.apply(key.env);
            if (v == null || v.isBlank()) {
                throw new TargetException("--api-key-env " + key.env + ": the environment variable is not set");
            }
            return Optional.of(v.strip());
        }
        return outputs.flatMap(o -> o.get(StackOutputs.API_KEY));
    }

    /**
     * {@code config} with the API key as {@code Authorization: Bearer} (see {@link #apiKey}); an Authorization header
     * given with {@code -H} wins. Header values never appear in reports or progress lines.
     */
    public LoadTestConfig withApiKey(LoadTestConfig config, Optional<StackOutputs> outputs) {
        boolean given = config.headers().stream().anyMatch(h -> h.name().toLowerCase(Locale.ROOT).equals("authorization"));
        Optional<String> k = apiKey(outputs);
        if (given || k.isEmpty()) {
            return config;
        }
        List<LoadTestConfig.Header> headers = new ArrayList<>(config.headers());
        try {
            headers.add(LoadTestConfig.Header.parse("Authorization: Bearer " + k.get()));
        } catch (IllegalArgumentException e) {
            // The parser's message would quote the value: name the source only.
            throw new TargetException("the API key " + (key != null && key.file != null ? "in --api-key-file"
                    : key != null && key.env != null ? "in --api-key-env" : "of the stack's 'apiKey' output")
                    + " is not a valid header value (a line break or control character?)");
        }
        return config.toBuilder().headers(headers).build();
    }

    /**
     * The target's URL where only its origin matters ({@code loadtest capacity}): a {@code --url} with any API's path
     * is taken as given, {@code fallback} serving a bare host or a stack endpoint.
     */
    public java.net.URI originOf(Api fallback, InputStream stdin) {
        String path = url == null ? null : TargetResolver.parse(url, "--url").getRawPath();
        Api pathApi = path == null ? null : Api.forPath(path);
        return resolve(pathApi != null ? pathApi : fallback, stdin).uri();
    }

    /** The target for a known API. */
    public TargetResolver.Target resolve(Api api, InputStream stdin) {
        return resolve(outputs -> api, stdin);
    }
}
