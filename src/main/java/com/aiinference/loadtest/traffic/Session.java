package com.aiinference.loadtest.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated user's conversation, turn by turn: the messages grow with each of the server's answers, and a new
 * conversation starts when the last one has had its turns (or a request of it failed). Belongs to one user: not
 * thread-safe.
 */
public final class Session {
    private final Workload.Sessions sessions;
    private final Workload w;
    private final SplittableRandom random;
    private final int user;
    private int conversation;
    private Dialogue dialogue;
    private int planned;
    /** Turns sent in this conversation. */
    private int sent;
    private final List<Message> history = new ArrayList<>();
    private Message pending;

    Session(Workload.Sessions sessions, SplittableRandom random, int user) {
        this.sessions = sessions;
        this.w = sessions.workload();
        this.random = random;
        this.user = user;
    }

    /** The next request of this user: the next turn of the conversation, or the first of a new one. */
    public Turn next() {
        if (dialogue == null || sent >= planned) {
            begin();
        }
        List<String> script = dialogue.userTurns();
        String said;
        if (!w.conversations()) {
            // One request per conversation: the recorded conversation as it is, up to its last user message.
            int last = lastUser(dialogue.messages());
            history.addAll(dialogue.messages().subList(0, last).stream().filter(m -> !m.role().equals(Message.SYSTEM)).toList());
            said = dialogue.messages().get(last).content();
        } else {
            said = sent < script.size() ? script.get(sent) : sessions.pick(random).userTurns().get(0);
        }
        if (w.inputTokens() != null) {
            // A tag of its own makes every synthetic prompt unique after the shared prefix, so a prefix cache saves only
            // what is really shared (the prefix, and a conversation's own earlier turns).
            String tag = user == Workload.CALIBRATION_USER ? "[calibration " + Workload.PROCESS_TAG + "] "
                    : "[user " + user + " conversation " + conversation + " turn " + (sent + 1) + "] ";
            said = sessions.fit(random, tag + said, sessions.chars(Math.round(w.inputTokens().sample(random))));
        }
        pending = Message.user(said);
        sent++;
        List<Message> messages = new ArrayList<>(history.size() + 1);
        messages.addAll(history);
        messages.add(pending);
        int maxTokens = w.outputTokens() == null ? 0 : (int) Math.max(1, Math.round(w.outputTokens().sample(random)));
        long asked = Math.round(Message.chars(messages) / w.charsPerToken());
        return new Turn(sent, messages, maxTokens, asked);
    }

    /** The server answered the last turn with {@code text}: it becomes part of the conversation. */
    public void answered(String text) {
        if (pending != null) {
            history.add(pending);
            history.add(new Message(Message.ASSISTANT, text == null ? "" : text));
            pending = null;
        }
    }

    /** The last turn failed: the conversation ends and the next request starts a new one. */
    public void failed() {
        pending = null;
        dialogue = null;
    }

    /** Whether the next request continues this conversation (a user thinks before it) rather than starting one. */
    public boolean continues() {
        return dialogue != null && sent < planned;
    }

    /** The pause before the next turn, in milliseconds (drawn per pause). */
    public long thinkMillis() {
        return Math.max(0, Math.round(w.thinkMillis().sample(random)));
    }

    private static int lastUser(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals(Message.USER)) {
                return i;
            }
        }
        throw new IllegalStateException("a dialogue has a user message");
    }

    private void begin() {
        conversation++;
        dialogue = sessions.pick(random);
        planned = (int) Math.max(1, Math.round(w.turns().sample(random)));
        sent = 0;
        pending = null;
        history.clear();
        if (sessions.prefix() != null) {
            history.add(new Message(Message.SYSTEM, sessions.prefix()));
        }
        history.addAll(dialogue.system());
    }
}
