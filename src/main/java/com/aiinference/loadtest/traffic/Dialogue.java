package com.aiinference.loadtest.traffic;

import java.util.List;

/**
 * One entry of a prompt source: a single prompt (one user message) or a recorded conversation. A conversation's
 * system messages lead every request of a session; its user messages are the turns the simulated user types; its
 * recorded assistant answers are not sent, since the server under test answers for itself.
 */
public record Dialogue(List<Message> messages) {
    public Dialogue {
        messages = List.copyOf(messages);
        if (userTurns(messages).isEmpty()) {
            throw new IllegalArgumentException("a dialogue needs at least one user message");
        }
    }

    public static Dialogue of(String prompt) {
        return new Dialogue(List.of(Message.user(prompt)));
    }

    /** The system messages, which lead every request. */
    public List<Message> system() {
        return messages.stream().filter(m -> m.role().equals(Message.SYSTEM)).toList();
    }

    /** What the user says, turn by turn. */
    public List<String> userTurns() {
        return userTurns(messages);
    }

    private static List<String> userTurns(List<Message> messages) {
        return messages.stream().filter(m -> m.role().equals(Message.USER)).map(Message::content).toList();
    }
}
