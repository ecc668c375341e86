package com.aiinference.loadtest.engine;

import com.aiinference.chart.ChartContract;
import com.aiinference.core.Format;
import com.aiinference.loadtest.traffic.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One load test, fully described and validated: what to send, how much load, how long, what passes.
 * Built from the command line's options (loadtest's LoadTestOptions) or with {@link #builder()} in code.
 *
 * <p>Time line of a run: users (closed loop) start evenly over their ramp-up; requests that start before
 * {@code warmup} has passed are sent but left out of every result; new requests start until
 * {@code warmup + duration} (or until {@code maxRequests} measured requests were sent); requests in flight then
 * finish or time out, so a run never lasts longer than {@code warmup + duration + timeout}.
 *
 * @param api          request/answer dialect
 * @param model        model name sent in each request
 * @param prompts      prompts, used in turn
 * @param maxTokens    num_predict / max_tokens; 0 lets the server decide
 * @param stream       streaming answers (TTFT and ITL need it)
 * @param load         closed loop of N users with a ramp-up, or open loop at R requests/s ({@link LoadShape})
 * @param duration     measured window
 * @param warmup       requests started before this are left out of the results
 * @param maxRequests  stop after this many measured requests were sent (0 = no limit)
 * @param timeout      limit for one whole answer, first byte to last line
 * @param headers      extra request headers (e.g. an API key); values never appear in reports
 * @param slo          pass/fail objectives ({@link Slo#NONE} for none)
 * @param maxErrorRate abort when the share of failed measured requests exceeds this (null = never)
 * @param reportJson   where to write the JSON report (null = none)
 * @param reportHtml   where to write the HTML report (null = none)
 * @param saveRequests where to write one JSON line per measured request (null = none)
 * @param progress     how progress is shown
 * @param seed         seed for Poisson arrivals
 * @param threads      the client's event loops (0 = one per CPU, {@link #eventLoops})
 * @param tls          the certificates an https target may present ({@code --cacert}, {@code --insecure})
 * @param workload     traffic that looks like users (prompt order, lengths in tokens, conversations, a shared
 *                     prefix); null: {@code prompts} in turn, every request alike
 */
public record LoadTestConfig(
        Api api,
        String model,
        List<String> prompts,
        int maxTokens,
        boolean stream,
        LoadShape load,
        Duration duration,
        Duration warmup,
        long maxRequests,
        Duration timeout,
        List<Header> headers,
        Slo slo,
        Double maxErrorRate,
        Path reportJson,
        Path reportHtml,
        Path saveRequests,
        Progress progress,
        long seed,
        int threads,
        TlsTrust tls,
        @com.fasterxml.jackson.annotation.JsonIgnore Workload workload) {
    /** The prompt every request sends when neither --prompt nor --prompts-file is given. */
    public static final String DEFAULT_PROMPT = "Explain in one paragraph why a GPU speeds up LLM inference.";


    /** How progress is shown while a run goes. */
    public enum Progress {
        /** A live line on a terminal, plain periodic lines otherwise. */
        AUTO,
        /** One line rewritten in place every second. */
        LIVE,
        /** A plain line every 10 seconds (logs, CI). */
        LINES,
        /** Nothing. */
        QUIET
    }

    /** A request header; its value is a secret as far as reports are concerned. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        /** Parses {@code Name: value}. */
        public static Header parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header '" + redact(text) + "' must look like 'Name: value'");
            }
            String name = text.substring(0, colon).trim();
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("--header name '" + com.aiinference.core.Text.clip(name, 40) + "' is not a valid HTTP"
                        + " header name");
            }
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (RESTRICTED.contains(lower)) {
                throw new IllegalArgumentException("--header " + name + " is set by the HTTP client itself and cannot be"
                        + " given (restricted: Connection, Content-Length, Expect, Host, Keep-Alive, Proxy-Connection,"
                        + " TE, Trailer, Transfer-Encoding, Upgrade)");
            }
            if (lower.equals("content-type")) {
                throw new IllegalArgumentException("--header Content-Type is set by loadtest (application/json) and cannot be given");
            }
            String value = text.substring(colon + 1).trim();
            if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                throw new IllegalArgumentException("--header " + name + " value has a control character (line break?)");
            }
            return new Header(name, value);
        }

        /**
         * Names the load test's HTTP client sets itself and refuses from the caller ({@link LoadClient#encode}), the
         * set the JDK HttpClient refuses too.
         */
        static final java.util.Set<String> RESTRICTED = java.util.Set.of("connection", "content-length", "expect", "host",
                "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

        private static String redact(String text) {
            return text.length() <= 8 ? text : text.substring(0, 8) + "...";
        }
    }

    public LoadTestConfig {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(progress, "progress");
        prompts = List.copyOf(prompts);
        headers = List.copyOf(headers);
        slo = slo == null ? Slo.NONE : slo;
        if (model.isBlank()) {
            throw new IllegalArgumentException("--model must name a model");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is needed");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("--max-tokens must be 0 (server decides) or more, got " + maxTokens);
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration must be more than 0");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (load instanceof LoadShape.ClosedLoop closed && closed.rampUp().compareTo(warmup.plus(duration)) > 0) {
            throw new IllegalArgumentException("--ramp-up " + Format.duration(closed.rampUp())
                    + " is longer than the whole run (--warmup + --duration = " + Format.duration(warmup.plus(duration)) + ")");
        }
        if (maxRequests < 0) {
            throw new IllegalArgumentException("--max-requests must not be negative, got " + maxRequests);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("--timeout must be more than 0");
        }
        if (maxErrorRate != null && !(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            throw new IllegalArgumentException("--max-error-rate must be between 0 and 1 (0% and 100%), got " + maxErrorRate);
        }
        if (workload != null && workload.conversations() && load instanceof LoadShape.OpenLoop) {
            throw new IllegalArgumentException("--turns holds conversations, which need users (--users), not --rate");
        }
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be between 1 and " + MAX_THREADS + " (or 0: automatic), got " + threads);
        }
    }

    /** The most event loops a client may run. */
    public static final int MAX_THREADS = 256;
    /**
     * The client's event loops: {@code --threads} when given, else one per CPU. Fewer can serve a client that shares
     * its cores with the server under test (on 2 CPUs beside the simulator, one loop carried 500 streams for the
     * same CPU per request as two, and 2,000 streams with 8-19% more requests completed per CPU second).
     */
    public int eventLoops() {
        return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** The TCP connect limit: the answer's {@code --timeout}, at most 10 s (a connect never needs longer). */
    public Duration connectTimeout() {
        Duration cap = Duration.ofSeconds(10);
        return timeout.compareTo(cap) < 0 ? timeout : cap;
    }

    /** The longest a run can take: warm-up, measured window, then the last answers' timeout. */
    public Duration maxRunTime() {
        return warmup.plus(duration).plus(timeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy to change. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.api = api;
        b.model = model;
        b.prompts = prompts;
        b.maxTokens = maxTokens;
        b.stream = stream;
        b.load = load;
        b.duration = duration;
        b.warmup = warmup;
        b.maxRequests = maxRequests;
        b.timeout = timeout;
        b.headers = headers;
        b.slo = slo;
        b.maxErrorRate = maxErrorRate;
        b.reportJson = reportJson;
        b.reportHtml = reportHtml;
        b.saveRequests = saveRequests;
        b.progress = progress;
        b.seed = seed;
        b.threads = threads;
        b.tls = tls;
        b.workload = workload;
        return b;
    }

    /** Defaults are the seed's run: 50 users for 60 s, streaming /api/generate, llama3.1:8b. */
    public static final class Builder {
        private Api api = Api.OLLAMA;
        private String model = ChartContract.DEFAULT_MODEL;
        private List<String> prompts = List.of(LoadTestConfig.DEFAULT_PROMPT);
        private int maxTokens = 128;
        private boolean stream = true;
        private LoadShape load = new LoadShape.ClosedLoop(50, Duration.ZERO);
        private Duration duration = Duration.ofSeconds(60);
        private Duration warmup = Duration.ZERO;
        private long maxRequests;
        private Duration timeout = Duration.ofSeconds(120);
        private List<Header> headers = List.of();
        private Slo slo = Slo.NONE;
        private Double maxErrorRate;
        private Path reportJson;
        private Path reportHtml;
        private Path saveRequests;
        private Progress progress = Progress.AUTO;
        private long seed = 1;
        private int threads;
        private TlsTrust tls = TlsTrust.SYSTEM;
        private Workload workload;

        public Builder api(Api v) { api = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder prompts(List<String> v) { prompts = v; return this; }
        public Builder prompt(String v) { prompts = List.of(v); return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder stream(boolean v) { stream = v; return this; }
        public Builder load(LoadShape v) { load = v; return this; }
        /** A closed loop of {@code v} users without ramp-up. */
        public Builder users(int v) { load = new LoadShape.ClosedLoop(v, Duration.ZERO); return this; }
        /** An open loop at {@code v} requests/s. */
        public Builder rate(double v) { load = new LoadShape.OpenLoop(v); return this; }
        public Builder duration(Duration v) { duration = v; return this; }
        public Builder warmup(Duration v) { warmup = v; return this; }
        public Builder maxRequests(long v) { maxRequests = v; return this; }
        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder headers(List<Header> v) { headers = v; return this; }
        public Builder slo(Slo v) { slo = v; return this; }
        public Builder maxErrorRate(Double v) { maxErrorRate = v; return this; }
        public Builder reportJson(Path v) { reportJson = v; return this; }
        public Builder reportHtml(Path v) { reportHtml = v; return this; }
        public Builder saveRequests(Path v) { saveRequests = v; return this; }
        public Builder progress(Progress v) { progress = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder tls(TlsTrust v) { tls = v; return this; }
        public Builder workload(Workload v) { workload = v; return this; }

        /** Validates; a bad value is an {@link IllegalArgumentException} naming the option. */
        public LoadTestConfig build() {
            return new LoadTestConfig(api, model, prompts, maxTokens, stream, load, duration, warmup,
                    maxRequests, timeout, headers, slo, maxErrorRate, reportJson, reportHtml, saveRequests, progress, seed, threads, tls, workload);
        }
    }
}
