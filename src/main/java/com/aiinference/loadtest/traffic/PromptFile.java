package com.aiinference.loadtest.traffic;

import com.aiinference.io.UserFiles;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code --prompts FILE} in the layouts load generators share: one prompt per line; JSONL with a
 * {@code "prompt"} (or {@code "text"}) field or a {@code "messages"} conversation per line; or the ShareGPT JSON layout
 * (an array of {@code {"conversations": [{"from": "human"|"gpt", "value": ...}]}}, as vLLM's benchmark reads it).
 * A file that cannot be used is one line naming the file, the line or entry, and what is wrong.
 */
public final class PromptFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WHAT = "--prompts file";

    private PromptFile() {}

    /** The dialogues of {@code file}, in file order. */
    public static List<Dialogue> read(Path file) {
        UserFiles.checkReadable(file, WHAT);
        try {
            List<Dialogue> out;
            if (startsWithArray(file)) {
                // Streamed, without the size limit of other inputs: the published ShareGPT dumps are hundreds of MB.
                try (InputStream in = Files.newInputStream(file)) {
                    out = shareGpt(file, in);
                }
            } else {
                out = lines(file, UserFiles.read(file, WHAT));
            }
            if (out.isEmpty()) {
                throw new TrafficInputException("--prompts " + file + " has no prompts");
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new TrafficInputException(WHAT + " not found: " + file);
        } catch (IOException e) {
            throw new TrafficInputException("cannot read " + WHAT + " " + file + ": " + e.getMessage());
        }
    }

    /** Whether the file's first character after white space is '[': the ShareGPT layout (a JSON array). */
    private static boolean startsWithArray(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int c;
            while ((c = in.read()) != -1 && Character.isWhitespace(c)) {
                // skip
            }
            return c == '[';
        }
    }

    /** One prompt per line, or one JSON object per line; blank lines are skipped. */
    static List<Dialogue> lines(Path file, String text) {
        List<Dialogue> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "--prompts " + file + " line " + (i + 1);
            if (!line.startsWith("{")) {
                out.add(Dialogue.of(line));
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                throw new TrafficInputException(where + " starts with '{' but is not valid JSON");
            }
            if (n.has("messages")) {
                out.add(messages(where, n.get("messages")));
                continue;
            }
            String p = n.path("prompt").asText(n.path("text").asText(""));
            if (p.isBlank()) {
                throw new TrafficInputException(where + " has no \"prompt\" text (nor \"messages\")");
            }
            out.add(Dialogue.of(p));
        }
        return out;
    }

    /** {@code "messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}, at least one user message. */
    private static Dialogue messages(String where, JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new TrafficInputException(where + ": \"messages\" must be a non-empty array of {\"role\", \"content\"} objects");
        }
        List<Message> out = new ArrayList<>();
        for (int k = 0; k < messages.size(); k++) {
            JsonNode m = messages.get(k);
            JsonNode role = m.path("role");
            JsonNode content = m.path("content");
            if (!role.isTextual() || !content.isTextual()) {
                throw new TrafficInputException(where + ": message " + (k + 1) + " needs a string \"role\" and a string"
                        + " \"content\"");
            }
            String r = role.asText().toLowerCase(Locale.ROOT);
            if (!r.equals(Message.SYSTEM) && !r.equals(Message.USER) && !r.equals(Message.ASSISTANT)) {
                throw new TrafficInputException(where + ": message " + (k + 1) + " has role '" + com.aiinference.core.Text.clip(role.asText(), 30)
                        + "' (system, user or assistant)");
            }
            out.add(new Message(r, content.asText()));
        }
        if (out.stream().noneMatch(m -> m.role().equals(Message.USER) && !m.content().isBlank())) {
            throw new TrafficInputException(where + ": \"messages\" has no user message with text");
        }
        return new Dialogue(out);
    }

    /**
     * ShareGPT: a JSON array of {@code {"conversations": [{"from": ..., "value": ...}]}}, read entry by entry (the
     * published dumps are hundreds of MB). Entries without any human text are skipped, as vLLM's benchmark skips them;
     * an entry of the wrong shape is an error naming it.
     */
    private static List<Dialogue> shareGpt(Path file, InputStream in) throws IOException {
        List<Dialogue> out = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(in)) {
            try {
                p.nextToken(); // START_ARRAY
                int entry = 0;
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    entry++;
                    if (t == null) {
                        throw new TrafficInputException("--prompts " + file + " ends inside the JSON array (after entry "
                                + (entry - 1) + ")");
                    }
                    JsonNode n = JSON.readTree(p);
                    Dialogue d = shareGptEntry("--prompts " + file + " entry " + entry, n);
                    if (d != null) {
                        out.add(d);
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new TrafficInputException("--prompts " + file + " is not valid JSON at line "
                        + e.getLocation().getLineNr() + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
        }
        return out;
    }

    private static Dialogue shareGptEntry(String where, JsonNode n) {
        if (!n.isObject() || !n.path("conversations").isArray()) {
            throw new TrafficInputException(where + " has no \"conversations\" array (ShareGPT layout: [{\"conversations\":"
                    + " [{\"from\": \"human\", \"value\": \"...\"}, ...]}, ...])");
        }
        List<Message> out = new ArrayList<>();
        JsonNode turns = n.get("conversations");
        for (int k = 0; k < turns.size(); k++) {
            JsonNode turn = turns.get(k);
            JsonNode from = turn.path("from");
            JsonNode value = turn.path("value");
            if (!from.isTextual() || !value.isTextual()) {
                throw new TrafficInputException(where + ": turn " + (k + 1) + " needs a string \"from\" and a string \"value\"");
            }
            String role = switch (from.asText().toLowerCase(Locale.ROOT)) {
                case "human", "user" -> Message.USER;
                case "gpt", "chatgpt", "bard", "bing", "assistant", "model" -> Message.ASSISTANT;
                case "system" -> Message.SYSTEM;
                default -> throw new TrafficInputException(where + ": turn " + (k + 1) + " is from '"
                        + com.aiinference.core.Text.clip(from.asText(), 30) + "' (human, gpt or system)");
            };
            out.add(new Message(role, value.asText()));
        }
        if (out.stream().noneMatch(m -> m.role().equals(Message.USER) && !m.content().isBlank())) {
            return null;
        }
        return new Dialogue(out);
    }
}
