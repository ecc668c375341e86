package com.aiinference.loadtest;

import com.aiinference.cli.StackOutputs;
import com.aiinference.cli.StackOutputsOptions;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.TargetException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where the load goes: {@code --url}, or the {@code endpoint} output of a stack ({@code --stack} / {@code --outputs}).
 * Exactly one source; the path follows {@code --api}.
 */
public final class TargetResolver {
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0");

    private TargetResolver() {}

    /** A resolved target: the URL to post to, and the stack outputs it came from (if any). */
    public record Target(URI uri, Optional<StackOutputs> outputs, Api api) {
        /** The stack's {@code model} output, if the target came from a stack that has one. */
        public Optional<String> stackModel() {
            return outputs.flatMap(o -> o.get("model"));
        }
    }

    /**
     * Resolves {@code --url} or the stack options ({@link TargetOptions}) to the URL of the API {@code apiFor} picks
     * from the stack outputs (if any): e.g. the engine the stack deployed.
     */
    static Target resolve(String url, StackOutputsOptions stack,
                                 java.util.function.Function<Optional<StackOutputs>, Api> apiFor, InputStream stdin) {
        if (url != null && stack.isSet()) {
            throw new TargetException("--url and --stack/--outputs are alternatives: give one");
        }
        if (url != null) {
            Api api = apiFor.apply(Optional.empty());
            return new Target(forApi(parse(url, "--url"), api, true, "--url"), Optional.empty(), api);
        }
        Optional<StackOutputs> outputs = stack.resolve(stdin);
        if (outputs.isEmpty()) {
            throw new TargetException("no target: give --url URL, --stack NAME or --outputs FILE");
        }
        StackOutputs o = outputs.get();
        String endpoint = o.require(StackOutputs.ENDPOINT);
        String what = "output 'endpoint' of " + o.source();
        Api api = apiFor.apply(outputs);
        return new Target(forApi(parse(endpoint, what), api, false, what), outputs, api);
    }

    static URI parse(String text, String what) {
        String shown = com.aiinference.core.Text.clip(text.replaceAll("(?<=://)([^/@:]*):[^/@]*@", "$1:***@"), 200);
        if (text.length() > 8192) {
            throw new TargetException(what + " '" + shown + "' is too long to be a URL");
        }
        if (!text.contains("://")) {
            // 127.0.0.1:8000/api/generate: java.net.URI reads "127.0.0.1" as a scheme and says "Illegal character in
            // scheme name"; say what to add instead.
            throw new TargetException(what + " '" + shown + "' has no scheme: add http:// (e.g. http://" + shown.strip() + ")");
        }
        URI u;
        try {
            u = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new TargetException(what + " '" + shown + "' is not a URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new TargetException(what + " '" + shown + "' must start with http:// or https://");
        }
        if (u.getHost() == null || u.getHost().isBlank()) {
            throw new TargetException(what + " '" + shown + "' has no host");
        }
        if (u.getRawUserInfo() != null) {
            // A password in the URL would be printed in every report and is never sent.
            throw new TargetException(what + " '" + shown + "' carries a user name" + (u.getRawUserInfo().contains(":")
                    ? " and password" : "") + ", which the load test does not send; give credentials as a header"
                    + " (-H 'Authorization: ...') and drop them from the URL");
        }
        return u;
    }

    /**
     * The URL for {@code api}: a bare host gets the API's path; a stack endpoint ({@code .../api/generate}) gets its
     * path swapped for the API's; an explicit {@code --url} with another API's known path is a usage error.
     */
    static URI forApi(URI u, Api api, boolean explicit, String what) {
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.isEmpty() || path.equals("/")) {
            return withPath(u, api.path());
        }
        Api pathApi = Api.forPath(path);
        if (pathApi == null || pathApi == api) {
            return u;
        }
        if (explicit) {
            throw new TargetException(what + " path " + path + " is the " + pathApi.cliName() + " API, but --api "
                    + api.cliName() + " posts to " + api.path() + " (change one)");
        }
        return withPath(u, api.path());
    }

    private static URI withPath(URI u, String path) {
        try {
            return new URI(u.getScheme(), u.getRawUserInfo(), u.getHost(), u.getPort(), path, null, null);
        } catch (URISyntaxException e) {
            throw new TargetException("cannot build URL for " + u + ": " + e.getMessage());
        }
    }

    /** Whether the URL points at this machine, as {@code kubectl port-forward} does. */
    public static boolean isLocal(URI u) {
        String h = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        return LOCAL_HOSTS.contains(h) || h.startsWith("127.");
    }

}
