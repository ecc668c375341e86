package com.aiinference.loadtest;

import com.aiinference.cli.CliException;
import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.loadtest.traffic.Dialogue;
import com.aiinference.loadtest.traffic.Distribution;
import com.aiinference.loadtest.traffic.PromptOrder;
import com.aiinference.loadtest.traffic.Workload;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options that make the load look like users ({@link Workload}): prompt order, lengths in tokens, conversations
 * with think time, a prefix every user shares. Mixed into {@link RunOptions}, so {@code loadtest}, {@code sweep} and
 * {@code verify} take them alike.
 */
public final class TrafficOptions {
    @Option(names = "--prompt-order", paramLabel = "ORDER", defaultValue = "sequential", converter = OrderConverter.class,
            description = "sequential (file order, the default) or random (drawn with --seed: the same run again draws"
                    + " the same prompts per user).")
    PromptOrder order;

    /** {@code --prompt-order} by its lower-case name, so a bad value is picocli's usage error naming the option. */
    static final class OrderConverter implements CommandLine.ITypeConverter<PromptOrder> {
        @Override
        public PromptOrder convert(String value) {
            for (PromptOrder o : PromptOrder.values()) {
                if (o.name().equalsIgnoreCase(value.strip())) {
                    return o;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' must be sequential or random");
        }
    }

    @Option(names = "--input-tokens", paramLabel = "DIST",
            description = "Length of each new user message in tokens: 128, uniform:64:256 or normal:200:50:min=50:max=400."
                    + " Text is cut or continued from the prompts; tokens are counted with the characters per token the"
                    + " server's own count of the pre-flight prompt gives.")
    String inputTokens;

    @Option(names = "--output-tokens", paramLabel = "DIST",
            description = "num_predict / max_tokens drawn per request (same syntax); replaces --max-tokens.")
    String outputTokens;

    @Option(names = "--turns", paramLabel = "DIST",
            description = "Requests per conversation (closed loop): each user's messages grow with every answer."
                    + " Default: 1.")
    String turns;

    @Option(names = "--think-time", paramLabel = "DIST",
            description = "A user's pause between an answer and their next turn: 2s, uniform:1s:5s, normal:3s:1s:min=0s."
                    + " Default: none.")
    String thinkTime;

    @Option(names = "--shared-prefix-tokens", paramLabel = "N", defaultValue = "0",
            description = "A system prompt of N tokens, the same text for every user, leads every request (prefix caching).")
    int sharedPrefixTokens;

    /** Whether any option here asks for more than the prompts in turn. */
    boolean given() {
        return order != PromptOrder.SEQUENTIAL || inputTokens != null || outputTokens != null
                || turns != null || thinkTime != null || sharedPrefixTokens != 0;
    }

    /**
     * The workload of these options over {@code dialogues}, or null when the prompts in turn say it all (no option
     * given and every entry a single prompt). A bad value is a usage error naming the option.
     */
    Workload workload(List<Dialogue> dialogues, long seed) {
        boolean plain = dialogues.stream().allMatch(d -> d.messages().size() == 1);
        if (!given() && plain) {
            return null;
        }
        try {
            return new Workload(dialogues, order, seed, dist("--input-tokens", inputTokens, Distribution.Unit.COUNT),
                    dist("--output-tokens", outputTokens, Distribution.Unit.COUNT),
                    dist("--turns", turns, Distribution.Unit.COUNT), dist("--think-time", thinkTime, Distribution.Unit.MILLIS),
                    sharedPrefixTokens, Workload.DEFAULT_CHARS_PER_TOKEN, false);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static Distribution dist(String option, String text, Distribution.Unit unit) {
        return text == null ? null : Distribution.parse(option, text, unit);
    }

    /**
     * The run with its characters per token calibrated from the pre-flight's answer (the server's count of the
     * pre-flight prompt), said on {@code log}; unchanged when no length is given in tokens. Without a count (no
     * pre-flight, or a server that gives none) the assumed ratio stays, and the log says so.
     */
    public static LoadTestConfig calibrate(LoadTestConfig config, Preflight.Answer preflight, PrintWriter log, String who) {
        Workload w = config.workload();
        if (w == null || !w.needsCalibration()) {
            return config;
        }
        if (preflight == null || preflight.inputTokens() <= 0) {
            log.printf(Locale.ROOT, "%s: lengths in tokens assume %.1f characters per token (%s)%n", who,
                    w.charsPerToken(), preflight == null ? "no pre-flight request to calibrate on"
                            : "the pre-flight answer gave no prompt token count");
            log.flush();
            return config;
        }
        var turn = w.calibrationTurn();
        Workload calibrated = w.calibrated(turn, preflight.inputTokens());
        if (!Workload.plausible(calibrated.charsPerToken())) {
            log.printf(Locale.ROOT, "%s: the server counted %s prompt tokens for %s characters of pre-flight prompt (%.2f per"
                            + " token, not a tokenizer's); lengths in tokens assume %.1f characters per token%n", who,
                    Format.count(preflight.inputTokens()), Format.count(com.aiinference.loadtest.traffic.Message.chars(turn.messages())),
                    calibrated.charsPerToken(), w.charsPerToken());
            log.flush();
            return config;
        }
        log.printf(Locale.ROOT, "%s: %.2f characters per token, from the server's count of the pre-flight prompt (%s tokens"
                        + " for %s characters)%n", who, calibrated.charsPerToken(), Format.count(preflight.inputTokens()),
                Format.count(com.aiinference.loadtest.traffic.Message.chars(turn.messages())));
        log.flush();
        return config.toBuilder().workload(calibrated).build();
    }
}
