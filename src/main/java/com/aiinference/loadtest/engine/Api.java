package com.aiinference.loadtest.engine;

import java.util.Locale;

/** The request/answer dialect: Ollama's own API (NDJSON stream) or the OpenAI-compatible ones (SSE stream). */
public enum Api {
    /** {@code POST /api/generate}: {@code {model, prompt, stream, options: {num_predict}}}, NDJSON lines. */
    OLLAMA("ollama", "/api/generate"),
    /**
     * {@code POST /api/chat}: {@code {model, messages, stream, options: {num_predict}}}, NDJSON lines whose text is in
     * {@code message.content}; the last line carries the same server counts as {@code /api/generate}.
     */
    OLLAMA_CHAT("ollama-chat", "/api/chat"),
    /** {@code POST /v1/completions}: {@code {model, prompt, max_tokens, stream}}, SSE {@code data:} events. */
    OPENAI_COMPLETIONS("openai-completions", "/v1/completions"),
    /** {@code POST /v1/chat/completions}: {@code {model, messages, max_tokens, stream}}, SSE {@code data:} events. */
    OPENAI_CHAT("openai-chat", "/v1/chat/completions");

    private final String cliName;
    private final String path;

    Api(String cliName, String path) {
        this.cliName = cliName;
        this.path = path;
    }

    /** The name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /** The path this API posts to. */
    public String path() {
        return path;
    }

    /** Whether answers stream as NDJSON lines (Ollama's own API) rather than SSE events (the OpenAI routes). */
    public boolean ndjson() {
        return this == OLLAMA || this == OLLAMA_CHAT;
    }

    /** The API whose path this is, if any. */
    public static Api forPath(String path) {
        for (Api a : values()) {
            if (a.path.equals(path)) {
                return a;
            }
        }
        return null;
    }

    public static Api parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (Api a : values()) {
            if (a.cliName.equals(v)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown --api '" + s + "' (ollama, ollama-chat, openai-completions, openai-chat)");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
