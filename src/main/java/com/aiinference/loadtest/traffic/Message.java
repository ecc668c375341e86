package com.aiinference.loadtest.traffic;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation, as the chat APIs take it: {@code {"role": "user", "content": "..."}}.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content its text
 */
public record Message(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static Message user(String text) {
        return new Message(USER, text);
    }

    /**
     * The conversation as one prompt for an API that takes a prompt, not messages ({@code /api/generate},
     * {@code /v1/completions}): a lone user message is sent as it is; otherwise each message is a paragraph led by its
     * role, and the prompt ends by handing the turn to the assistant, so the model answers the last user message with
     * the rest as context.
     */
    public static String flatten(List<Message> messages) {
        if (messages.size() == 1 && messages.get(0).role().equals(USER)) {
            return messages.get(0).content();
        }
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            sb.append(label(m.role())).append(": ").append(m.content()).append("\n\n");
        }
        return sb.append("Assistant:").toString();
    }

    /** The characters of every message's text: what a chars-per-token ratio converts to tokens. */
    public static long chars(List<Message> messages) {
        long n = 0;
        for (Message m : messages) {
            n += m.content().length();
        }
        return n;
    }

    private static String label(String role) {
        return switch (role) {
            case SYSTEM -> "System";
            case ASSISTANT -> "Assistant";
            case USER -> "User";
            default -> role;
        };
    }
}
