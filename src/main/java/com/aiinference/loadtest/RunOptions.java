package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.Durations;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.traffic.Dialogue;
import com.aiinference.loadtest.traffic.PromptFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * The options of a run that are not its load shape: what each request asks (API, model, prompts, answer length,
 * headers, streaming), the warm-up, the SLO gate and the reports. {@code loadtest} and {@code verify} mix these in
 * through {@link LoadTestOptions} (with {@code --users}/{@code --rate}); {@code loadtest sweep} mixes them in beside
 * its own list of load steps.
 */
public final class RunOptions {

    @Option(names = "--preflight", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Send one request before the load and stop with one line if it fails (default);"
                    + " --no-preflight skips it.")
    public boolean preflight;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.Converter.class,
            description = "Requests that start in this first stretch are sent but left out of the results. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--api", paramLabel = "API", converter = ApiConverter.class, completionCandidates = ApiNames.class,
            description = "ollama (/api/generate, NDJSON), ollama-chat (/api/chat, NDJSON), openai-completions (/v1/completions, SSE) or openai-chat (/v1/chat/completions, SSE)."
                    + " Default: openai-completions when the stack's 'engine' output is vllm, else ollama.")
    Api api;

    /** {@code --api} by its command-line name ({@code openai-chat}), so a bad value is picocli's usage error. */
    static final class ApiConverter implements picocli.CommandLine.ITypeConverter<Api> {
        @Override
        public Api convert(String value) {
            try {
                return Api.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The names {@code --api} takes, for help and shell completion. */
    static final class ApiNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(Api.values()).map(Api::cliName).iterator();
        }
    }

    @Option(names = {"-m", "--model"}, paramLabel = "NAME",
            description = "Model to ask. Default: the stack's 'model' output with --stack/--outputs, else llama3.1:8b.")
    String model;

    /** {@code --prompt} (repeatable) or {@code --prompts FILE}: one exclusive picocli argument group. */
    static final class Prompts {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt (repeatable: used in turn).")
        List<String> prompt = new ArrayList<>();

        @Option(names = "--prompts", paramLabel = "FILE",
                description = "Prompts, one per line; JSONL with a \"prompt\" or a \"messages\" field; or ShareGPT JSON"
                        + " ([{\"conversations\": [{\"from\": \"human\", \"value\": ...}]}]). Used in turn (--prompt-order).")
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
    public String slo;

    @Option(names = "--report-json", paramLabel = "FILE", description = "Write the JSON report here.")
    public Path reportJson;

    @Option(names = "--report-html", paramLabel = "FILE", description = "Write a self-contained HTML report with charts here.")
    public Path reportHtml;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the open-loop arrivals, --prompt-order random and the length, turn and think-time draws. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--quiet", description = "No progress lines while running.")
    boolean quiet;

    @picocli.CommandLine.Mixin
    TrafficOptions traffic = new TrafficOptions();

    /**
     * Checks every file this run will write before it sends anything ({@link com.aiinference.io.UserFiles}): the
     * reports, {@code more} outputs (option to file), none of them an input (the prompts, the --outputs file).
     */
    public void checkFiles(java.util.Map<String, Path> more, TargetOptions where) {
        java.util.Map<String, Path> outputs = new java.util.LinkedHashMap<>();
        outputs.put("--report-json", reportJson);
        outputs.put("--report-html", reportHtml);
        outputs.putAll(more);
        java.util.Map<String, Path> inputs = new java.util.LinkedHashMap<>();
        inputs.put("--prompts", prompts == null ? null : prompts.promptsFile);
        inputs.put("--outputs", where.outputsFile());
        com.aiinference.io.UserFiles.checkOutputs(outputs, inputs);
    }

    /** Whether --model was given. */
    public boolean modelGiven() {
        return model != null;
    }

    /** The --api dialect (ollama when not given). */
    public Api api() {
        return api == null ? Api.OLLAMA : api;
    }

    /**
     * The dialect for a target: --api when given, else the one the deployed engine speaks (a stack whose
     * {@code engine} output is {@code vllm} serves OpenAI completions), else ollama.
     */
    public Api apiFor(java.util.Optional<com.aiinference.cli.StackOutputs> outputs) {
        if (api != null) {
            return api;
        }
        boolean vllm = outputs.flatMap(o -> o.get("engine")).filter(ChartContract.ENGINE_VLLM::equals).isPresent();
        return vllm ? Api.OPENAI_COMPLETIONS : Api.OLLAMA;
    }

    /** The --slo objectives, or a usage error naming the bad objective. */
    Slo slo() {
        try {
            return Slo.parse(slo);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /**
     * A builder holding everything but the load shape, with this model when --model was not given; the caller sets
     * users or rate, the duration, and builds (a bad value is then an {@link IllegalArgumentException}).
     */
    public LoadTestConfig.Builder builder(String defaultModel) {
        Api a = api();
        List<LoadTestConfig.Header> headers = new ArrayList<>();
        for (String h : header) {
            try {
                headers.add(LoadTestConfig.Header.parse(h));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }
        Slo objectives = slo();
        List<Dialogue> dialogues = this.prompts != null && this.prompts.promptsFile != null ? readDialogues(this.prompts.promptsFile)
                : (this.prompts == null || this.prompts.prompt.isEmpty() ? List.of(LoadTestConfig.DEFAULT_PROMPT)
                        : this.prompts.prompt).stream().map(Dialogue::of).toList();
        List<String> prompts = dialogues.stream().map(d -> d.userTurns().get(0)).toList();
        return LoadTestConfig.builder()
                .workload(traffic.workload(dialogues, seed))
                .api(a)
                .model(model != null ? model : defaultModel)
                .prompts(prompts)
                .maxTokens(maxTokens)
                .stream(stream)
                .warmup(warmup)
                .timeout(timeout)
                .headers(headers)
                .slo(objectives)
                .reportJson(reportJson)
                .reportHtml(reportHtml)
                .progress(quiet ? LoadTestConfig.Progress.QUIET : LoadTestConfig.Progress.AUTO)
                .seed(seed);
    }

    /** The --prompts file's entries ({@link PromptFile}), or a usage error naming the file, line or entry. */
    static List<Dialogue> readDialogues(Path file) {
        try {
            return PromptFile.read(file);
        } catch (com.aiinference.core.DomainException e) {
            throw CliException.usage(e.getMessage());
        }
    }
}
