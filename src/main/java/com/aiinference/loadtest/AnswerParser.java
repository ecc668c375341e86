package com.aiinference.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads one answer line by line (streaming) or whole (not streaming) and keeps what the metrics need: when
 * tokens arrived, whether the answer reached its end marker, the server's token counts, and what was wrong.
 * Not thread-safe: the HTTP client delivers one answer's lines one after another.
 */
final class AnswerParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Api api;
    long firstTokenNanos;
    long lastTokenNanos;
    long doneNanos;
    long[] itl = new long[32];
    int itlCount;
    long chunksWithText;
    boolean done;
    boolean finishReasonSeen;
    long serverTokens = -1;
    long evalCount;
    long evalDurationNanos;
    /** Set when the answer is unusable ({@link ErrorKind#MALFORMED_BODY} or {@link ErrorKind#SERVER_ERROR_IN_STREAM}). */
    ErrorKind failure;

    AnswerParser(Api api) {
        this.api = api;
    }

    /** One line of a streamed answer, seen at {@code now}; returns false when the answer is already failed. */
    boolean line(String line, long now) {
        if (failure != null || done) {
            return failure == null;
        }
        if (api == Api.OLLAMA) {
            if (line.isBlank()) {
                return true;
            }
            JsonNode n = parse(line);
            if (n == null) {
                return false;
            }
            ollama(n, now, true);
        } else {
            // SSE: "data: <json>" events separated by blank lines; comments (":") and other fields are skipped.
            if (line.isEmpty() || line.startsWith(":") || !line.startsWith("data:")) {
                return true;
            }
            String payload = line.substring(5).trim();
            if ("[DONE]".equals(payload)) {
                done = true;
                doneNanos = now;
                return true;
            }
            JsonNode n = parse(payload);
            if (n == null) {
                return false;
            }
            openAi(n, now, true);
        }
        return failure == null;
    }

    /** A whole (not streamed) answer body, complete at {@code now}. */
    void body(String body, long now) {
        JsonNode n = parse(body);
        if (n == null) {
            return;
        }
        if (api == Api.OLLAMA) {
            ollama(n, now, false);
        } else {
            openAi(n, now, false);
            if (failure == null && n.path("choices").isArray() && !n.path("choices").isEmpty()) {
                done = true;
                doneNanos = now;
            }
        }
    }

    /** Whether the answer reached its end: Ollama's done line, SSE's [DONE], or (SSE) a finish_reason. */
    boolean complete() {
        return failure == null && (done || (api != Api.OLLAMA && finishReasonSeen));
    }

    /** Output tokens: the server's count when it gave one, else the chunks that carried text. */
    long outputTokens() {
        return serverTokens >= 0 ? serverTokens : chunksWithText;
    }

    boolean tokensFromServer() {
        return serverTokens >= 0;
    }

    private JsonNode parse(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                failure = ErrorKind.MALFORMED_BODY;
                return null;
            }
            return n;
        } catch (JsonProcessingException e) {
            failure = ErrorKind.MALFORMED_BODY;
            return null;
        }
    }

    private void ollama(JsonNode n, long now, boolean streamed) {
        if (n.has("error")) {
            failure = ErrorKind.SERVER_ERROR_IN_STREAM;
            return;
        }
        if (!n.has("done") && !n.has("response")) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        String text = n.path("response").asText("");
        if (text.isEmpty()) {
            text = n.path("thinking").asText("");
        }
        if (streamed && !text.isEmpty()) {
            token(now);
        }
        if (n.path("done").asBoolean(false)) {
            done = true;
            doneNanos = now;
            if (n.has("eval_count")) {
                evalCount = n.path("eval_count").asLong(0);
                serverTokens = evalCount;
            }
            evalDurationNanos = n.path("eval_duration").asLong(0);
        }
    }

    private void openAi(JsonNode n, long now, boolean streamed) {
        if (n.has("error")) {
            failure = ErrorKind.SERVER_ERROR_IN_STREAM;
            return;
        }
        JsonNode usage = n.path("usage");
        if (usage.has("completion_tokens")) {
            serverTokens = usage.path("completion_tokens").asLong(0);
        }
        JsonNode choices = n.path("choices");
        if (!choices.isArray()) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        for (JsonNode c : choices) {
            String text = api == Api.OPENAI_CHAT
                    ? (streamed ? c.path("delta").path("content").asText("") : c.path("message").path("content").asText(""))
                    : c.path("text").asText("");
            if (streamed && !text.isEmpty()) {
                token(now);
            }
            if (c.hasNonNull("finish_reason")) {
                finishReasonSeen = true;
            }
        }
    }

    private void token(long now) {
        chunksWithText++;
        if (firstTokenNanos == 0) {
            firstTokenNanos = now;
        } else {
            if (itlCount == itl.length) {
                itl = java.util.Arrays.copyOf(itl, itlCount * 2);
            }
            itl[itlCount++] = now - lastTokenNanos;
        }
        lastTokenNanos = now;
    }
}
