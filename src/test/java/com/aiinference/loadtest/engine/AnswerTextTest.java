package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a conversation takes from an answer: its text (to send back next turn) and the server's cached-token count. */
class AnswerTextTest {
    @Test
    void keepsTheAnswersTextInEveryDialectOnlyWhenAsked() {
        AnswerParser generate = new AnswerParser(Api.OLLAMA, true);
        generate.line("{\"response\":\"Hello\",\"done\":false}", 1);
        generate.line("{\"response\":\" there\",\"thinking\":\"hmm\",\"done\":false}", 2);
        generate.line("{\"response\":\"\",\"done\":true,\"eval_count\":2,\"prompt_eval_count\":9}", 3);
        assertThat(generate.answerText).hasToString("Hello there");
        assertThat(generate.inputTokens).isEqualTo(9);

        AnswerParser chat = new AnswerParser(Api.OLLAMA_CHAT, true);
        chat.line("{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}", 1);
        chat.line("{\"message\":{\"role\":\"assistant\",\"content\":\"!\"},\"done\":true,\"eval_count\":2}", 2);
        assertThat(chat.answerText).hasToString("Hi!");

        AnswerParser openai = new AnswerParser(Api.OPENAI_CHAT, true);
        openai.line("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Yes\"},\"finish_reason\":null}]}", 1);
        openai.line("data: {\"choices\":[{\"delta\":{\"content\":\".\"},\"finish_reason\":\"stop\"}]}", 2);
        openai.line("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":2,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":1024}}}", 3);
        openai.line("data: [DONE]", 4);
        assertThat(openai.answerText).hasToString("Yes.");
        assertThat(openai.cachedTokens).isEqualTo(1024);
        assertThat(openai.inputTokens).isEqualTo(1200);
        assertThat(openai.outputTokens()).isEqualTo(2);

        AnswerParser whole = new AnswerParser(Api.OPENAI_COMPLETIONS, true);
        whole.body("{\"choices\":[{\"text\":\"All of it.\",\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":3,\"prompt_tokens_details\":null}}", 1);
        assertThat(whole.complete()).isTrue();
        assertThat(whole.answerText).hasToString("All of it.");
        assertThat(whole.cachedTokens).as("no count given").isEqualTo(-1);

        AnswerParser plain = new AnswerParser(Api.OLLAMA);
        plain.line("{\"response\":\"Hello\",\"done\":false}", 1);
        assertThat(plain.answerText).as("a run without conversations keeps no text").isNull();
    }
}
