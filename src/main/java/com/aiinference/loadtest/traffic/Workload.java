package com.aiinference.loadtest.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic that looks like users: where prompts come from and in which order, how long prompts and answers are (in
 * tokens, without a client tokenizer: characters over a ratio calibrated from the server's own prompt count), how many
 * turns a conversation has and how long a user thinks between them, and a prefix every user shares.
 *
 * @param dialogues          the prompt source (at least one)
 * @param order              sequential or random (with {@code seed})
 * @param seed               seed of every draw, so a run can be repeated
 * @param inputTokens        length of each new user message in tokens, null: the source's text as it is
 * @param outputTokens       num_predict / max_tokens per request, null: the run's {@code --max-tokens}
 * @param turns              requests per conversation (closed loop)
 * @param thinkMillis        a user's pause between an answer and their next turn, in ms
 * @param sharedPrefixTokens length of a system prompt every user's requests start with (0: none)
 * @param charsPerToken      characters per token of the server's tokenizer ({@link #DEFAULT_CHARS_PER_TOKEN} until
 *                           calibrated)
 * @param calibrated         whether {@code charsPerToken} came from the server's count
 */
public record Workload(List<Dialogue> dialogues, PromptOrder order, long seed, Distribution inputTokens,
                       Distribution outputTokens, Distribution turns, Distribution thinkMillis, int sharedPrefixTokens,
                       double charsPerToken, boolean calibrated) {

    /** English text runs about 4 characters per token in the Llama 3 and GPT tokenizers; the pre-flight refines it. */
    public static final double DEFAULT_CHARS_PER_TOKEN = 4.0;
    private static final Distribution ONE = new Distribution.Fixed(1, "1");
    private static final Distribution NO_PAUSE = new Distribution.Fixed(0, "0");

    public Workload {
        dialogues = List.copyOf(dialogues);
        Objects.requireNonNull(order, "order");
        turns = turns == null ? ONE : turns;
        thinkMillis = thinkMillis == null ? NO_PAUSE : thinkMillis;
        if (dialogues.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is needed");
        }
        if (inputTokens != null && inputTokens.min() < 1) {
            throw new IllegalArgumentException("--input-tokens " + inputTokens.describe() + " can draw less than 1 token");
        }
        if (outputTokens != null && outputTokens.min() < 1) {
            throw new IllegalArgumentException("--output-tokens " + outputTokens.describe() + " can draw less than 1 token");
        }
        if (turns.min() < 1) {
            throw new IllegalArgumentException("--turns " + turns.describe() + " can draw less than 1 turn");
        }
        if (sharedPrefixTokens < 0) {
            throw new IllegalArgumentException("--shared-prefix-tokens must not be negative, got " + sharedPrefixTokens);
        }
        if (!(charsPerToken > 0)) {
            throw new IllegalArgumentException("characters per token must be more than 0");
        }
    }

    /** The plain source: each prompt once per request, in turn. */
    public static Workload of(List<Dialogue> dialogues) {
        return new Workload(dialogues, PromptOrder.SEQUENTIAL, 1, null, null, null, null, 0, DEFAULT_CHARS_PER_TOKEN, false);
    }

    /** Whether a user's conversation can have more than one turn (the answers' text is then kept). */
    public boolean conversations() {
        return !(turns instanceof Distribution.Fixed f && f.value() <= 1);
    }

    /** Whether lengths are given in tokens, so the pre-flight's prompt count should calibrate the ratio. */
    public boolean needsCalibration() {
        return inputTokens != null || sharedPrefixTokens > 0;
    }

    /** The same workload with the ratio the server's count of {@code turn}'s prompt gives. */
    public Workload calibrated(Turn turn, long serverPromptTokens) {
        if (serverPromptTokens <= 0) {
            return this;
        }
        double ratio = (double) Message.chars(turn.messages()) / serverPromptTokens;
        return new Workload(dialogues, order, seed, inputTokens, outputTokens, turns, thinkMillis, sharedPrefixTokens,
                ratio, true);
    }

    /**
     * The first turn of a session no user holds: what the pre-flight sends, and calibrates on. When lengths are in
     * tokens its new message is at least {@link #CALIBRATION_TOKENS} long, so the few tokens a chat template adds
     * barely move the ratio.
     */
    public Turn calibrationTurn() {
        if (!needsCalibration()) {
            return new Sessions(this).forUser(-1).next();
        }
        // No shared prefix, and text this process has not sent before: a server that counts only the prompt tokens it
        // did not have cached (some Ollama versions) counts all of this one.
        double tokens = Math.max(CALIBRATION_TOKENS, inputTokens == null ? 0 : inputTokens.mean());
        Workload probe = new Workload(dialogues, order, seed, new Distribution.Fixed(tokens, String.valueOf(tokens)),
                outputTokens, ONE, NO_PAUSE, 0, charsPerToken, calibrated);
        return new Sessions(probe).forUser(CALIBRATION_USER).next();
    }

    /** The user number of the calibration session, whose tag carries {@link #PROCESS_TAG}. */
    static final int CALIBRATION_USER = -1;
    /** Differs from one process to the next, so no server has the calibration prompt cached from an earlier run. */
    static final String PROCESS_TAG = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 36);

    /** The characters per token a server's count may give; outside this, the count is not of this text. */
    public static boolean plausible(double charsPerToken) {
        return charsPerToken >= 1.0 && charsPerToken <= 10.0;
    }

    /** The least new text the calibration prompt has, in tokens. */
    static final int CALIBRATION_TOKENS = 1024;

    /** The user-visible settings, for the report: {@code input 128 tokens, output uniform:64:256, 3 turns, ...}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(dialogues.size() + (dialogues.size() == 1 ? " prompt" : " prompts") + " (" + order.name().toLowerCase(Locale.ROOT) + ")");
        if (inputTokens != null) {
            parts.add("input " + inputTokens.describe() + " tokens");
        }
        if (outputTokens != null) {
            parts.add("output " + outputTokens.describe() + " tokens");
        }
        if (conversations()) {
            parts.add(turns.describe() + " turns");
        }
        if (thinkMillis.mean() > 0) {
            parts.add("think " + thinkMillis.describe() + (thinkMillis.describe().matches(".*\\d") ? " s" : ""));
        }
        if (sharedPrefixTokens > 0) {
            parts.add("shared prefix " + sharedPrefixTokens + " tokens");
        }
        parts.add(String.format(Locale.ROOT, "%.2f chars/token%s", charsPerToken, calibrated ? " (calibrated)" : " (assumed)"));
        return String.join(", ", parts);
    }

    /**
     * The sessions of one run: the sequential order is one count shared by every user, and the shared prefix is one
     * text, built once. Thread-safe; each {@link Session} belongs to one user (one thread at a time).
     */
    public static final class Sessions {
        private final Workload w;
        private final AtomicLong next = new AtomicLong();
        private final String prefix;
        private final List<String> pool;

        public Sessions(Workload w) {
            this.w = w;
            this.pool = w.dialogues.stream().flatMap(d -> d.userTurns().stream()).filter(s -> !s.isBlank()).toList();
            this.prefix = w.sharedPrefixTokens == 0 ? null
                    : "Shared context: " + filler(new SplittableRandom(w.seed ^ 0x5eed), chars(w.sharedPrefixTokens) - 16);
        }

        /** The session of user {@code user} (its draws are its own: reproducible whatever the others do). */
        public Session forUser(int user) {
            return new Session(this, new SplittableRandom(w.seed * 1_000_003L + user), user);
        }

        Workload workload() {
            return w;
        }

        String prefix() {
            return prefix;
        }

        Dialogue pick(SplittableRandom random) {
            int n = w.dialogues.size();
            int i = w.order == PromptOrder.RANDOM ? random.nextInt(n) : (int) Math.floorMod(next.getAndIncrement(), (long) n);
            return w.dialogues.get(i);
        }

        long chars(double tokens) {
            return Math.max(1, Math.round(tokens * w.charsPerToken));
        }

        /**
         * {@code length} characters of the source's own text (its prompts one after another, from a drawn one, as
         * often as needed), cut at a word boundary: text whose characters per token are the source's.
         */
        String filler(SplittableRandom random, long length) {
            if (length <= 0) {
                return "";
            }
            StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, length + 64));
            int i = random.nextInt(pool.size());
            while (sb.length() < length) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(pool.get(i++ % pool.size()));
            }
            return cut(sb, (int) length);
        }

        /** {@code text} made {@code length} characters long: cut (at a space where one is near), or continued. */
        String fit(SplittableRandom random, String text, long length) {
            if (text.length() >= length) {
                return cut(new StringBuilder(text), (int) length);
            }
            return text + " " + filler(random, length - text.length() - 1);
        }

        private static String cut(StringBuilder sb, int length) {
            if (sb.length() <= length) {
                return sb.toString();
            }
            int space = sb.lastIndexOf(" ", length);
            int end = space > 0 && length - space <= 16 ? space : length;
            return sb.substring(0, end);
        }
    }
}
