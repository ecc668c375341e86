package com.aiinference.loadtest.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every layout --prompts reads, and a one-line error naming the file, the line or entry, and what is wrong. */
class PromptFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("prompts");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsLinesPromptsAndMessagesInOneJsonlFile() throws Exception {
        Path f = file("""
                Why is the sky blue?
                {"prompt": "Count to five."}
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},\
                 {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Name a colour."}]}
                """);
        List<Dialogue> d = PromptFile.read(f);
        assertThat(d).hasSize(3);
        assertThat(d.get(0).messages()).containsExactly(Message.user("Why is the sky blue?"));
        assertThat(d.get(1).userTurns()).containsExactly("Count to five.");
        assertThat(d.get(2).system()).containsExactly(new Message("system", "Be brief."));
        assertThat(d.get(2).userTurns()).containsExactly("Hi", "Name a colour.");
    }

    @Test
    void readsShareGptSkippingConversationsWithoutHumanText() throws Exception {
        Path f = file("""
                [
                  {"id": "a", "conversations": [{"from": "human", "value": "Write a haiku."}, {"from": "gpt", "value": "Leaves fall."},
                                                {"from": "human", "value": "Another."}]},
                  {"id": "empty", "conversations": []},
                  {"id": "b", "conversations": [{"from": "system", "value": "You are terse."}, {"from": "human", "value": "2+2?"}]}
                ]
                """);
        List<Dialogue> d = PromptFile.read(f);
        assertThat(d).hasSize(2);
        assertThat(d.get(0).messages()).extracting(Message::role).containsExactly("user", "assistant", "user");
        assertThat(d.get(0).userTurns()).containsExactly("Write a haiku.", "Another.");
        assertThat(d.get(1).system()).extracting(Message::content).containsExactly("You are terse.");
    }

    @Test
    void badFilesAreOneLineNamingFileLineOrEntryAndProblem() throws Exception {
        Path bad = file("ok\n{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n");
        assertThatThrownBy(() -> PromptFile.read(bad)).isInstanceOf(TrafficInputException.class)
                .hasMessage("--prompts " + bad + " line 2: message 1 has role 'robot' (system, user or assistant)");
        Path noUser = file("{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}]}\n");
        assertThatThrownBy(() -> PromptFile.read(noUser))
                .hasMessage("--prompts " + noUser + " line 1: \"messages\" has no user message with text");
        Path notArray = file("\n\n{\"messages\": \"hi\"}\n");
        assertThatThrownBy(() -> PromptFile.read(notArray)).hasMessage("--prompts " + notArray
                + " line 3: \"messages\" must be a non-empty array of {\"role\", \"content\"} objects");
        Path content = file("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}\n");
        assertThatThrownBy(() -> PromptFile.read(content))
                .hasMessage("--prompts " + content + " line 1: message 1 needs a string \"role\" and a string \"content\"");
        Path noPrompt = file("{\"id\": 1}\n");
        assertThatThrownBy(() -> PromptFile.read(noPrompt))
                .hasMessage("--prompts " + noPrompt + " line 1 has no \"prompt\" text (nor \"messages\")");

        Path entry = file("[{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}]}, {\"turns\": []}]");
        assertThatThrownBy(() -> PromptFile.read(entry)).hasMessageStartingWith("--prompts " + entry
                + " entry 2 has no \"conversations\" array (ShareGPT layout:");
        Path from = file("[{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}, {\"from\": \"cat\", \"value\": \"y\"}]}]");
        assertThatThrownBy(() -> PromptFile.read(from))
                .hasMessage("--prompts " + from + " entry 1: turn 2 is from 'cat' (human, gpt or system)");
        Path cut = file("[{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}]},\n{\"conversations\": [");
        assertThatThrownBy(() -> PromptFile.read(cut)).isInstanceOf(TrafficInputException.class)
                .hasMessageStartingWith("--prompts " + cut + " is not valid JSON at line 2: ");
        Path empty = file("[]");
        assertThatThrownBy(() -> PromptFile.read(empty)).hasMessage("--prompts " + empty + " has no prompts");
        assertThatThrownBy(() -> PromptFile.read(dir.resolve("missing.jsonl")))
                .hasMessage("--prompts file not found: " + dir.resolve("missing.jsonl"));
        assertThatThrownBy(() -> PromptFile.read(dir)).hasMessage("--prompts file " + dir + " is not a regular file (a directory)");
    }
}
