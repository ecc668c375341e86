package com.aiinference.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.nio.file.Path;

/**
 * How to reach the Kubernetes API: a kubeconfig given as text (the stack's secret {@code kubeconfig} output) or as a
 * file, and an optional context. Never falls back to {@code ~/.kube/config} silently: verify must check the cluster
 * the stack created, not whatever the shell happens to point at.
 */
public final class KubeAccess {
    /** Seconds to wait for the API server before calling it unreachable. */
    public static final int CONNECT_TIMEOUT_MS = 10_000;
    public static final int REQUEST_TIMEOUT_MS = 30_000;
    /**
     * The most one answer of the Kubernetes API may hold (watches excepted): the lists verify and status read for one
     * release are a few megabytes; a server streaming without end is cut here instead of filling the heap.
     */
    public static final long MAX_ANSWER_BYTES = 64L * 1024 * 1024;

    private final String kubeconfigText;
    private final String source;
    private final String context;

    private KubeAccess(String kubeconfigText, String source, String context) {
        this.kubeconfigText = kubeconfigText;
        this.source = source;
        this.context = context;
    }

    public static KubeAccess fromText(String kubeconfigText, String source, String context) {
        if (kubeconfigText == null || kubeconfigText.isBlank()) {
            throw new KubeAccessException("the kubeconfig from " + source + " is empty");
        }
        return new KubeAccess(kubeconfigText, source, context);
    }

    public static KubeAccess fromFile(Path file, String context) {
        String text;
        try {
            text = com.aiinference.io.UserFiles.read(file, "--kubeconfig file");
        } catch (com.aiinference.io.UserFiles.UserFileException e) {
            throw new KubeAccessException(e.getMessage());
        }
        return fromText(text, "--kubeconfig " + file, context);
    }

    /** Where the kubeconfig came from, for messages. */
    public String source() {
        return source;
    }

    /** A client for the configured context; a kubeconfig that does not parse or names no cluster is a usage error. */
    public KubernetesClient connect() {
        return connect(MAX_ANSWER_BYTES);
    }

    KubernetesClient connect(long maxAnswerBytes) {
        io.fabric8.kubernetes.api.model.Config kubeconfig = checkNamesACluster();
        Config config;
        try {
            config = Config.fromKubeconfig(context == null ? kubeconfigText
                    : io.fabric8.kubernetes.client.utils.Serialization.asYaml(
                            new io.fabric8.kubernetes.api.model.ConfigBuilder(kubeconfig).withCurrentContext(context).build()));
        } catch (RuntimeException e) {
            throw new KubeAccessException("the kubeconfig from " + source + " is not usable"
                    + (context == null ? "" : " with context '" + context + "'") + ": " + firstLine(e));
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
            throw new KubeAccessException("the kubeconfig from " + source + " names no cluster server");
        }
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        config.setRequestTimeout(REQUEST_TIMEOUT_MS);
        // One attempt: an unreachable API server should be reported at once, not after fabric8's backoff retries.
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).withHttpClientBuilderConsumer(b ->
                b.addOrReplaceInterceptor("bounded-answers", new BoundedAnswers(maxAnswerBytes))).build();
    }

    /** An answer of the Kubernetes API grew past {@link #MAX_ANSWER_BYTES}. */
    static final class AnswerTooLargeException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        AnswerTooLargeException(long limit) {
            super("the Kubernetes API's answer was larger than " + limit / (1024 * 1024) + " MiB (is this a Kubernetes"
                    + " API server?)");
        }
    }

    /** Cuts any answer but a watch's at a size no Kubernetes API answer for one release reaches. */
    static final class BoundedAnswers implements io.fabric8.kubernetes.client.http.Interceptor {
        private final long limit;

        BoundedAnswers(long limit) {
            this.limit = limit;
        }

        @Override
        public io.fabric8.kubernetes.client.http.AsyncBody.Consumer<java.util.List<java.nio.ByteBuffer>> consumer(
                io.fabric8.kubernetes.client.http.AsyncBody.Consumer<java.util.List<java.nio.ByteBuffer>> next,
                io.fabric8.kubernetes.client.http.HttpRequest request) {
            String query = request.uri().getRawQuery();
            if (query != null && query.contains("watch=true")) {
                return next;
            }
            long[] seen = {0};
            return (buffers, body) -> {
                for (java.nio.ByteBuffer b : buffers) {
                    seen[0] += b.remaining();
                }
                if (seen[0] > limit) {
                    // Thrown, not cancelled: the exception ends the answer and is what the caller sees.
                    throw new AnswerTooLargeException(limit);
                }
                next.consume(buffers, body);
            };
        }
    }

    /**
     * fabric8 falls back to {@code https://kubernetes.default.svc} (the in-cluster address) when a kubeconfig names no
     * usable context; verify must say instead that this kubeconfig leads nowhere.
     */
    private io.fabric8.kubernetes.api.model.Config checkNamesACluster() {
        io.fabric8.kubernetes.api.model.Config parsed;
        try {
            parsed = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(kubeconfigText,
                    io.fabric8.kubernetes.api.model.Config.class);
        } catch (RuntimeException e) {
            throw new KubeAccessException("the kubeconfig from " + source + " is not usable: " + firstLine(e));
        }
        if (parsed == null || parsed.getClusters() == null || parsed.getClusters().isEmpty()) {
            throw new KubeAccessException("the kubeconfig from " + source + " names no cluster");
        }
        String wanted = context != null ? context : parsed.getCurrentContext();
        var contexts = parsed.getContexts() == null ? java.util.List.<io.fabric8.kubernetes.api.model.NamedContext>of()
                : parsed.getContexts();
        if (wanted == null || wanted.isBlank()) {
            throw new KubeAccessException("the kubeconfig from " + source + " has no current-context: give --context NAME");
        }
        if (contexts.stream().noneMatch(c -> wanted.equals(c.getName()))) {
            throw new KubeAccessException("the kubeconfig from " + source + " has no context '" + wanted + "' (contexts: "
                    + String.join(", ", contexts.stream().map(io.fabric8.kubernetes.api.model.NamedContext::getName).toList()) + ")");
        }
        // GKE kubeconfigs get their token from an exec plugin (gke-gcloud-auth-plugin); name it when credentials fail.
        String user = contexts.stream().filter(c -> wanted.equals(c.getName())).findFirst()
                .map(c -> c.getContext() == null ? null : c.getContext().getUser()).orElse(null);
        if (parsed.getUsers() != null && user != null) {
            parsed.getUsers().stream().filter(u -> user.equals(u.getName()) && u.getUser() != null && u.getUser().getExec() != null)
                    .findFirst().ifPresent(u -> execCommand = u.getUser().getExec().getCommand());
        }
        return parsed;
    }

    private String execCommand;

    /** The exec credential plugin the kubeconfig runs for its token, if any (known after {@link #connect()}). */
    public java.util.Optional<String> execCommand() {
        return java.util.Optional.ofNullable(execCommand);
    }

    /**
     * Asks the API server for its version, so an unreachable or unauthorized cluster is one clear line (exit 2)
     * before anything else runs.
     */
    public VersionInfo ensureReachable(KubernetesClient client) {
        try {
            return client.getKubernetesVersion();
        } catch (KubernetesClientException e) {
            String why = e.getCode() == 401 || e.getCode() == 403
                    ? "credentials refused (HTTP " + e.getCode() + ")" + execCommand()
                            .map(c -> "; the token comes from '" + c + "': is it installed and logged in?").orElse("")
                    : firstLine(e);
            throw new KubeAccessException("cannot reach the Kubernetes API at " + client.getMasterUrl()
                    + " (kubeconfig from " + source + "): " + why);
        }
    }

    /** What went wrong, in a few words: fabric8 wraps the transport error in a generic "An error has occurred." */
    public static String firstLine(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AnswerTooLargeException) {
                return t.getMessage();
            }
            if (t instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                return "the answer is not the JSON of a Kubernetes API (an HTML page from a proxy or sign-in page in"
                        + " front of the API?)";
            }
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (t instanceof java.net.http.HttpConnectTimeoutException || t instanceof java.net.SocketTimeoutException) {
                return "timed out";
            }
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS failed: " + oneLine(t.getMessage());
            }
        }
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank() && !t.getMessage().startsWith("An error has occurred")) {
                message = t.getMessage();
                break;
            }
        }
        return message == null ? e.getClass().getSimpleName() : oneLine(message);
    }

    private static String oneLine(String m) {
        if (m == null) {
            return "";
        }
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
