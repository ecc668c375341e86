package com.aiinference.loadtest.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one answer line by line (streaming) or whole (not streaming) and keeps what the metrics need: when
 * tokens arrived, whether the answer reached its end marker, the server's token counts, and what was wrong.
 * Not thread-safe: the HTTP client delivers one answer's lines one after another.
 */
final class AnswerParser {
    /** jackson-core's streaming parser only: reading answers needs no data binding. */
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private static final long[] NO_GAPS = new long[0];

    private final Api api;
    long firstTokenNanos;
    long lastTokenNanos;
    long doneNanos;
    /** Gaps between tokens, allocated with the second token (a whole answer has none). */
    long[] itl = NO_GAPS;
    int itlCount;
    long chunksWithText;
    boolean done;
    boolean finishReasonSeen;
    long serverTokens = -1;
    long evalCount;
    long evalDurationNanos;
    /** The server's count of prompt tokens (Ollama prompt_eval_count, OpenAI usage.prompt_tokens), -1 if not given. */
    long inputTokens = -1;
    /** Prompt tokens the server took from its prefix cache (OpenAI usage.prompt_tokens_details.cached_tokens), -1 if not given. */
    long cachedTokens = -1;
    /** The answer's text, kept only for a conversation's next turn (null: not kept). */
    StringBuilder answerText;
    /** A whole (not streamed) answer is being read: text is not timed. */
    private boolean whole;
    /** Choice objects seen in OpenAI events. */
    private int choiceCount;
    /** Set when the answer is unusable ({@link ErrorKind#MALFORMED_BODY} or {@link ErrorKind#SERVER_ERROR_IN_STREAM}). */
    ErrorKind failure;

    AnswerParser(Api api) {
        this.api = api;
    }

    /** A parser that also keeps the answer's text (a conversation appends it to its next request). */
    AnswerParser(Api api, boolean keepText) {
        this.api = api;
        this.answerText = keepText ? new StringBuilder() : null;
    }

    private void keep(JsonParser p) throws IOException {
        if (answerText != null) {
            answerText.append(p.getText());
        }
    }

    /** One line of a streamed answer, seen at {@code now}; returns false once the answer is unusable. */
    boolean line(String line, long now) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return line(b, 0, b.length, now);
    }

    /**
     * One line (without its line break) of a streamed answer, seen at {@code now}; returns false once the answer is
     * unusable. Parses with Jackson's streaming parser straight from the bytes: no String, no tree per token.
     */
    boolean line(byte[] buf, int off, int len, long now) {
        if (failure != null || done) {
            return failure == null;
        }
        while (len > 0 && (buf[off + len - 1] == '\r' || buf[off + len - 1] == ' ')) {
            len--;
        }
        if (api.ndjson()) {
            if (len == 0) {
                return true;
            }
            try (JsonParser p = JSON_FACTORY.createParser(buf, off, len)) {
                ollamaLine(p, now);
            } catch (IOException e) {
                failure = ErrorKind.MALFORMED_BODY;
            }
            return failure == null;
        }
        // SSE: "data: <json>" events separated by blank lines; comments (":") and other fields are skipped.
        if (len < 5 || buf[off] != 'd' || buf[off + 1] != 'a' || buf[off + 2] != 't' || buf[off + 3] != 'a' || buf[off + 4] != ':') {
            return true;
        }
        int start = off + 5;
        int end = off + len;
        while (start < end && buf[start] == ' ') {
            start++;
        }
        if (end - start == 6 && new String(buf, start, 6, StandardCharsets.US_ASCII).equals("[DONE]")) {
            done = true;
            doneNanos = now;
            return true;
        }
        try (JsonParser p = JSON_FACTORY.createParser(buf, start, end - start)) {
            openAiEvent(p, now);
        } catch (IOException e) {
            failure = ErrorKind.MALFORMED_BODY;
        }
        return failure == null;
    }

    /**
     * {@code {"response": "...", "done": false}} ({@code /api/generate}) or {@code {"message": {"content": "..."},
     * "done": false}} ({@code /api/chat}) ... {@code {"done": true, "eval_count": n, "eval_duration": ns}}
     */
    private void ollamaLine(JsonParser p, long now) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        boolean text = false;
        boolean sawDone = false;
        boolean doneValue = false;
        boolean sawResponse = false;
        boolean error = false;
        long count = -1;
        long duration = 0;
        long promptCount = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "response", "thinking" -> {
                    sawResponse |= name.equals("response");
                    if (v == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                        text = true;
                        if (name.equals("response")) {
                            keep(p);
                        }
                    }
                }
                case "message" -> {
                    // /api/chat: {"message": {"role": "assistant", "content": "...", "thinking": "..."}}
                    sawResponse = true;
                    if (v != JsonToken.START_OBJECT) {
                        failure = ErrorKind.MALFORMED_BODY;
                        return;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken c = p.nextToken();
                        if ((f.equals("content") || f.equals("thinking")) && c == JsonToken.VALUE_STRING) {
                            text |= p.getTextLength() > 0;
                            if (f.equals("content")) {
                                keep(p);
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                case "done" -> {
                    sawDone = true;
                    doneValue = v == JsonToken.VALUE_TRUE;
                }
                case "eval_count" -> count = v.isNumeric() ? p.getLongValue() : -1;
                case "eval_duration" -> duration = v.isNumeric() ? p.getLongValue() : 0;
                case "prompt_eval_count" -> promptCount = v.isNumeric() ? p.getLongValue() : -1;
                case "error" -> error = true;
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        if (error) {
            failure = ErrorKind.SERVER_ERROR_IN_STREAM;
            return;
        }
        if (!sawDone && !sawResponse) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        if (text) {
            token(now);
        }
        if (doneValue) {
            done = true;
            doneNanos = now;
            if (count >= 0) {
                evalCount = count;
                serverTokens = count;
            }
            evalDurationNanos = duration;
            inputTokens = promptCount;
        }
    }

    /** {@code {"choices": [{"text": ...} | {"delta": {"content": ...}}, "finish_reason": ...], "usage": {...}}} */
    private void openAiEvent(JsonParser p, long now) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        boolean choices = false;
        boolean error = false;
        int texts = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "choices" -> {
                    if (v != JsonToken.START_ARRAY) {
                        failure = ErrorKind.MALFORMED_BODY;
                        return;
                    }
                    choices = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        texts += choice(p);
                        choiceCount++;
                    }
                }
                case "usage" -> {
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken u = p.nextToken();
                            if (f.equals("completion_tokens") && u.isNumeric()) {
                                serverTokens = p.getLongValue();
                            } else if (f.equals("prompt_tokens") && u.isNumeric()) {
                                inputTokens = p.getLongValue();
                            } else if (f.equals("prompt_tokens_details") && u == JsonToken.START_OBJECT) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String d = p.currentName();
                                    JsonToken dv = p.nextToken();
                                    if (d.equals("cached_tokens") && dv.isNumeric()) {
                                        cachedTokens = p.getLongValue();
                                    } else {
                                        p.skipChildren();
                                    }
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                }
                case "error" -> {
                    error = true;
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            failure = ErrorKind.MALFORMED_BODY;
            return;
        }
        if (error) {
            failure = ErrorKind.SERVER_ERROR_IN_STREAM;
        } else if (!choices) {
            failure = ErrorKind.MALFORMED_BODY;
        } else {
            for (int i = 0; i < texts; i++) {
                token(now);
            }
        }
    }

    /** One streamed choice object (parser on its START_OBJECT); returns 1 when it carried text. */
    private int choice(JsonParser p) throws IOException {
        boolean text = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "text" -> {
                    if (v == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                        text = true;
                        keep(p);
                    }
                }
                case "delta", "message" -> {
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken c = p.nextToken();
                            if (f.equals("content")) {
                                if (c == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                                    text = true;
                                    keep(p);
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                }
                case "finish_reason" -> finishReasonSeen |= v != JsonToken.VALUE_NULL;
                default -> p.skipChildren();
            }
        }
        return text ? 1 : 0;
    }

    /** A whole (not streamed) answer body, complete at {@code now}. */
    void body(String body, long now) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        body(b, 0, b.length, now);
    }

    /**
     * A whole (not streamed) answer body in {@code buf[off, off + len)}, complete at {@code now}: the same streaming
     * parse as one line of a stream, without counting its text as a token (no TTFT or ITL without a stream).
     */
    void body(byte[] buf, int off, int len, long now) {
        whole = true;
        try (JsonParser p = JSON_FACTORY.createParser(buf, off, len)) {
            if (api.ndjson()) {
                ollamaLine(p, now);
            } else {
                openAiEvent(p, now);
                if (failure == null && choiceCount > 0) {
                    done = true;
                    doneNanos = now;
                }
            }
        } catch (IOException e) {
            failure = ErrorKind.MALFORMED_BODY;
        }
    }

    /** Whether the answer reached its end: Ollama's done line, SSE's [DONE], or (SSE) a finish_reason. */
    boolean complete() {
        return failure == null && (done || (!api.ndjson() && finishReasonSeen));
    }

    /** Output tokens: the server's count when it gave one, else the chunks that carried text. */
    long outputTokens() {
        return serverTokens >= 0 ? serverTokens : chunksWithText;
    }

    boolean tokensFromServer() {
        return serverTokens >= 0;
    }

    private void token(long now) {
        if (whole) {
            return; // a whole answer's text is not a token arrival
        }
        chunksWithText++;
        if (firstTokenNanos == 0) {
            firstTokenNanos = now;
        } else {
            if (itlCount == itl.length) {
                itl = java.util.Arrays.copyOf(itl, Math.max(32, itlCount * 2));
            }
            itl[itlCount++] = now - lastTokenNanos;
        }
        lastTokenNanos = now;
    }
}
