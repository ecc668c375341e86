package com.aiinference.loadtest.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each user sends: conversations that grow with the answers, lengths in tokens, one shared prefix, seeded order. */
class SessionTest {
    private static final List<Dialogue> PROMPTS = List.of(Dialogue.of("Why is the sky blue?"),
            Dialogue.of("Explain how a GPU runs a transformer layer, step by step."), Dialogue.of("Count to five."));

    private static Workload workload(Distribution input, Distribution turns, int prefix, PromptOrder order) {
        return new Workload(PROMPTS, order, 42, input, null, turns, null, prefix, 4.0, false);
    }

    @Test
    void aConversationGrowsWithTheServersAnswersThenStartsAgain() {
        Workload w = workload(null, new Distribution.Fixed(3, "3"), 0, PromptOrder.SEQUENTIAL);
        Session s = new Workload.Sessions(w).forUser(0);
        Turn t1 = s.next();
        assertThat(t1.number()).isEqualTo(1);
        assertThat(t1.messages()).containsExactly(Message.user("Why is the sky blue?"));
        s.answered("Rayleigh scattering.");
        assertThat(s.continues()).isTrue();
        Turn t2 = s.next();
        assertThat(t2.number()).isEqualTo(2);
        assertThat(t2.messages()).hasSize(3);
        assertThat(t2.messages().get(1)).isEqualTo(new Message("assistant", "Rayleigh scattering."));
        assertThat(t2.messages().get(2).role()).isEqualTo("user");
        s.answered("Sure.");
        Turn t3 = s.next();
        assertThat(t3.messages()).hasSize(5);
        assertThat(t3.askedInputTokens()).isGreaterThan(t2.askedInputTokens()).isGreaterThan(t1.askedInputTokens());
        s.answered("Done.");
        assertThat(s.continues()).isFalse();
        assertThat(s.next().number()).as("a new conversation").isEqualTo(1);
        s.failed();
        assertThat(s.next().number()).as("a failure ends the conversation").isEqualTo(1);
    }

    @Test
    void recordedConversationsAreSentAsTheyAreWithoutTurns() {
        Dialogue recorded = new Dialogue(List.of(new Message("system", "Be brief."), Message.user("Hi"),
                new Message("assistant", "Hello!"), Message.user("Name a colour.")));
        Session s = new Workload.Sessions(Workload.of(List.of(recorded))).forUser(0);
        assertThat(s.next().messages()).containsExactly(new Message("system", "Be brief."), Message.user("Hi"),
                new Message("assistant", "Hello!"), Message.user("Name a colour."));
        assertThat(Message.flatten(recorded.messages()))
                .isEqualTo("System: Be brief.\n\nUser: Hi\n\nAssistant: Hello!\n\nUser: Name a colour.\n\nAssistant:");
    }

    @Test
    void inputLengthsHitTheirTokenTargetAndEveryPromptIsUnique() {
        Workload w = workload(new Distribution.Uniform(100, 300, "uniform:100:300"), null, 0, PromptOrder.RANDOM);
        Workload.Sessions sessions = new Workload.Sessions(w);
        List<String> seen = new ArrayList<>();
        for (int u = 0; u < 20; u++) {
            Turn t = sessions.forUser(u).next();
            String text = t.messages().get(0).content();
            assertThat(text.length()).isBetween(100 * 4 - 16, 300 * 4);
            assertThat(t.askedInputTokens()).isBetween(96L, 300L);
            seen.add(text);
        }
        assertThat(seen).doesNotHaveDuplicates();
    }

    @Test
    void theSharedPrefixIsOneTextForEveryUserAndOfItsLength() {
        Workload w = workload(new Distribution.Fixed(20, "20"), null, 500, PromptOrder.SEQUENTIAL);
        Workload.Sessions sessions = new Workload.Sessions(w);
        Message a = sessions.forUser(0).next().messages().get(0);
        Message b = sessions.forUser(9).next().messages().get(0);
        assertThat(a.role()).isEqualTo("system");
        assertThat(a).isEqualTo(b);
        assertThat(a.content().length()).isBetween(500 * 4 - 16, 500 * 4);
    }

    @Test
    void randomOrderIsReproducibleWithTheSeed() {
        Workload w = workload(null, null, 0, PromptOrder.RANDOM);
        List<String> first = draws(w);
        assertThat(draws(w)).isEqualTo(first);
        assertThat(first).containsAnyElementsOf(List.of("Count to five.")).hasSize(30);
        Workload other = new Workload(PROMPTS, PromptOrder.RANDOM, 43, null, null, null, null, 0, 4.0, false);
        assertThat(draws(other)).isNotEqualTo(first);
    }

    private static List<String> draws(Workload w) {
        Session s = new Workload.Sessions(w).forUser(3);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            out.add(s.next().messages().get(0).content());
        }
        return out;
    }

    @Test
    void calibrationTakesTheServersCountOfTheCalibrationPrompt() {
        Workload w = workload(new Distribution.Fixed(200, "200"), null, 0, PromptOrder.SEQUENTIAL);
        Turn t = w.calibrationTurn();
        long chars = Message.chars(t.messages());
        Workload c = w.calibrated(t, chars / 3);
        assertThat(c.charsPerToken()).isCloseTo(3.0, org.assertj.core.api.Assertions.within(0.02));
        assertThat(c.calibrated()).isTrue();
        assertThat(c.describe()).endsWith("3.00 chars/token (calibrated)");
        assertThat(w.calibrated(t, -1)).isSameAs(w);
    }

    @Test
    void lengthsThatCanDrawNothingAreRefused() {
        assertThatThrownBy(() -> workload(new Distribution.Uniform(0, 10, "uniform:0:10"), null, 0, PromptOrder.SEQUENTIAL))
                .hasMessage("--input-tokens uniform:0:10 can draw less than 1 token");
        assertThatThrownBy(() -> workload(null, new Distribution.Fixed(0, "0"), 0, PromptOrder.SEQUENTIAL))
                .hasMessage("--turns 0 can draw less than 1 turn");
    }
}
