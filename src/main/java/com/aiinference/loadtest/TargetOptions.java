package com.aiinference.loadtest;

import com.aiinference.cli.StackOutputs;
import com.aiinference.cli.StackOutputsOptions;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Function;
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
