package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Every load option of {@code loadtest} (and of {@code verify}, which mixes this in): load shape, requests, gates
 * and reports. {@link #toConfig()} validates them into a {@link LoadTestConfig}; a bad value is a one-line usage
 * error (exit 2) naming the option.
 */
public final class LoadTestOptions {
    public static final String DEFAULT_PROMPT = "Explain in one paragraph why a GPU speeds up LLM inference.";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-u", "--users"}, paramLabel = "N", defaultValue = "50",
            description = "Closed loop: concurrent users, each sends its next request when its previous one ends. Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "60s", converter = Durations.Converter.class,
            description = "Measured window (60 = 60s; also 500ms, 2m, 1h). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--ramp-up", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.Converter.class,
            description = "Closed loop: start the users evenly over this time. Default: ${DEFAULT-VALUE}.")
    Duration rampUp;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.Converter.class,
            description = "Requests that start in this first stretch are sent but left out of the results. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--rate", paramLabel = "REQ_PER_S",
            description = "Open loop instead of --users: Poisson arrivals at this many requests/s; latency counts from each scheduled send time.")
    Double rate;

    @Option(names = "--max-requests", paramLabel = "N", defaultValue = "0",
            description = "Stop after this many measured requests (0 = no limit; the duration still bounds the run).")
    long maxRequests;

    @Option(names = "--api", paramLabel = "API", defaultValue = "ollama",
            description = "ollama (/api/generate, NDJSON), openai-completions (/v1/completions, SSE) or openai-chat (/v1/chat/completions, SSE). Default: ${DEFAULT-VALUE}.")
    String api;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME",
            description = "Model to ask. Default: the stack's 'model' output with --stack/--outputs, else llama3.1:8b.")
    String model;

    /** {@code --prompt} (repeatable) or {@code --prompts FILE}: one exclusive picocli argument group. */
    static final class Prompts {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt (repeatable: used in turn).")
        List<String> prompt = new ArrayList<>();

        @Option(names = "--prompts", paramLabel = "FILE",
                description = "Prompts, one per line, or JSONL with a \"prompt\" field; used in turn.")
        Path promptsFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Prompts prompts;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128",
            description = "num_predict / max_tokens per answer (0 = the server decides). Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "120s", converter = Durations.Converter.class,
            description = "Limit for one whole answer, sending to last line. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "Extra request header, e.g. an API key (repeatable; values never appear in reports).")
    List<String> header = new ArrayList<>();

    @Option(names = "--stream", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Stream answers (default); --no-stream asks for one JSON answer (no TTFT/ITL then).")
    boolean stream;

    @Option(names = "--slo", paramLabel = "OBJECTIVES",
            description = "Pass/fail gate, e.g. \"success>=99.9%%,p95<5s,ttft_p95<1s\": exit 1 when unmet.")
    String slo;

    @Option(names = "--max-error-rate", paramLabel = "FRACTION", converter = Durations.FractionConverter.class,
            description = "Abort as soon as more than this share of requests failed (after 20), e.g. 5%% or 0.05: exit 1.")
    Double maxErrorRate;

    @Option(names = "--report-json", paramLabel = "FILE", description = "Write the JSON report here.")
    Path reportJson;

    @Option(names = "--report-html", paramLabel = "FILE", description = "Write a self-contained HTML report with charts here.")
    Path reportHtml;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the open-loop arrivals. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--quiet", description = "No progress lines while running.")
    boolean quiet;

    /** Whether --model was given. */
    public boolean modelGiven() {
        return model != null;
    }

    /** The configuration these options describe, with this model when --model was not given. */
    public LoadTestConfig toConfig(String defaultModel) {
        Api a;
        try {
            a = Api.parse(api);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        if (rate != null && !(rate > 0)) {
            throw CliException.usage("--rate must be more than 0 requests per second, got " + rate);
        }
        if (rate != null && !rampUp.isZero()) {
            throw CliException.usage("--ramp-up applies to --users (closed loop); with --rate use --warmup");
        }
        List<LoadTestConfig.Header> headers = new ArrayList<>();
        for (String h : header) {
            try {
                headers.add(LoadTestConfig.Header.parse(h));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }
        Slo objectives;
        try {
            objectives = Slo.parse(slo);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        List<String> prompts = this.prompts == null ? List.of(DEFAULT_PROMPT)
                : this.prompts.promptsFile != null ? readPrompts(this.prompts.promptsFile)
                : this.prompts.prompt.isEmpty() ? List.of(DEFAULT_PROMPT) : this.prompts.prompt;
        try {
            return LoadTestConfig.builder()
                    .api(a)
                    .model(model != null ? model : defaultModel)
                    .prompts(prompts)
                    .maxTokens(maxTokens)
                    .stream(stream)
                    .users(users)
                    .rate(rate == null ? 0 : rate)
                    .duration(duration)
                    .rampUp(rampUp)
                    .warmup(warmup)
                    .maxRequests(maxRequests)
                    .timeout(timeout)
                    .headers(headers)
                    .slo(objectives)
                    .maxErrorRate(maxErrorRate)
                    .reportJson(reportJson)
                    .reportHtml(reportHtml)
                    .progress(quiet ? LoadTestConfig.Progress.QUIET : LoadTestConfig.Progress.AUTO)
                    .seed(seed)
                    .build();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** The configuration with the default model llama3.1:8b when --model was not given. */
    public LoadTestConfig toConfig() {
        return toConfig(ChartContract.DEFAULT_MODEL);
    }

    /** One prompt per line, or JSONL objects with a "prompt" (or "text") field; blank lines are skipped. */
    static List<String> readPrompts(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.usage("--prompts file not found: " + file);
        } catch (IOException e) {
            throw CliException.usage("cannot read --prompts " + file + ": " + e.getMessage());
        }
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("{")) {
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    throw CliException.usage("--prompts " + file + " line " + (i + 1) + " starts with '{' but is not valid JSON");
                }
                String p = n.path("prompt").asText(n.path("text").asText(""));
                if (p.isBlank()) {
                    throw CliException.usage("--prompts " + file + " line " + (i + 1) + " has no \"prompt\" text");
                }
                prompts.add(p);
            } else {
                prompts.add(line);
            }
        }
        if (prompts.isEmpty()) {
            throw CliException.usage("--prompts " + file + " has no prompts");
        }
        return prompts;
    }
}
