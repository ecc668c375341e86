package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerParserTest {

    @Test
    void ollamaUsesTheServersEvalCount() {
        AnswerParser p = new AnswerParser(Api.OLLAMA);
        assertThat(p.line("{\"response\":\"Hi\",\"done\":false}", 100)).isTrue();
        assertThat(p.line("{\"response\":\" there\",\"done\":false}", 130)).isTrue();
        assertThat(p.line("{\"response\":\"\",\"done\":true,\"eval_count\":7,\"eval_duration\":70000000}", 140)).isTrue();
        assertThat(p.complete()).isTrue();
        assertThat(p.outputTokens()).isEqualTo(7);
        assertThat(p.tokensFromServer()).isTrue();
        assertThat(p.firstTokenNanos).isEqualTo(100);
        assertThat(p.itlCount).isEqualTo(1);
        assertThat(p.itl[0]).isEqualTo(30);
        assertThat(p.doneNanos).isEqualTo(140);
    }

    @Test
    void ollamaChatReadsMessageContentAndTheServersCounts() {
        AnswerParser p = new AnswerParser(Api.OLLAMA_CHAT);
        assertThat(p.line("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}", 100)).isTrue();
        assertThat(p.line("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"hm\"},"
                + "\"done\":false}", 120)).isTrue();
        assertThat(p.line("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":false}", 125)).isTrue();
        assertThat(p.line("{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,"
                + "\"prompt_eval_count\":26,\"eval_count\":9,\"eval_duration\":90000000}", 140)).isTrue();
        assertThat(p.complete()).isTrue();
        assertThat(p.outputTokens()).isEqualTo(9);
        assertThat(p.tokensFromServer()).isTrue();
        assertThat(p.inputTokens).isEqualTo(26);
        assertThat(p.chunksWithText).as("an empty content line is no token").isEqualTo(2);
        assertThat(p.itl[0]).isEqualTo(20);

        AnswerParser whole = new AnswerParser(Api.OLLAMA_CHAT);
        whole.body("{\"message\":{\"role\":\"assistant\",\"content\":\"Hi there\"},\"done\":true,\"eval_count\":2}", 5);
        assertThat(whole.complete()).isTrue();
        assertThat(whole.outputTokens()).isEqualTo(2);

        AnswerParser badMessage = new AnswerParser(Api.OLLAMA_CHAT);
        assertThat(badMessage.line("{\"message\":\"Hi\",\"done\":false}", 1)).isFalse();
        assertThat(badMessage.failure).isEqualTo(ErrorKind.MALFORMED_BODY);
        AnswerParser error = new AnswerParser(Api.OLLAMA_CHAT);
        assertThat(error.line("{\"error\":\"model requires more system memory\"}", 1)).isFalse();
        assertThat(error.failure).isEqualTo(ErrorKind.SERVER_ERROR_IN_STREAM);
    }

    @Test
    void sseWithoutUsageFallsBackToChunksWithText() {
        AnswerParser p = new AnswerParser(Api.OPENAI_COMPLETIONS);
        p.line("data: {\"choices\":[{\"text\":\"a\",\"finish_reason\":null}]}", 1);
        p.line("", 1);
        p.line(": keep-alive comment", 2);
        p.line("data: {\"choices\":[{\"text\":\"b\",\"finish_reason\":null}]}", 3);
        p.line("data: {\"choices\":[{\"text\":\"\",\"finish_reason\":\"stop\"}]}", 4);
        p.line("data: [DONE]", 5);
        assertThat(p.complete()).isTrue();
        assertThat(p.tokensFromServer()).isFalse();
        assertThat(p.outputTokens()).isEqualTo(2);
    }

    @Test
    void garbageAndInStreamErrorsFailTheAnswer() {
        AnswerParser garbage = new AnswerParser(Api.OLLAMA);
        assertThat(garbage.line("<html>502 Bad Gateway</html>", 1)).isFalse();
        assertThat(garbage.failure).isEqualTo(ErrorKind.MALFORMED_BODY);
        AnswerParser error = new AnswerParser(Api.OLLAMA);
        assertThat(error.line("{\"error\":\"an error was encountered while running the model\"}", 1)).isFalse();
        assertThat(error.failure).isEqualTo(ErrorKind.SERVER_ERROR_IN_STREAM);
        AnswerParser notAnswer = new AnswerParser(Api.OPENAI_CHAT);
        notAnswer.body("{\"hello\":1}", 1);
        assertThat(notAnswer.failure).isEqualTo(ErrorKind.MALFORMED_BODY);
    }

    @Test
    void streamWithoutEndMarkerIsNotComplete() {
        AnswerParser p = new AnswerParser(Api.OLLAMA);
        p.line("{\"response\":\"Hi\",\"done\":false}", 1);
        assertThat(p.complete()).isFalse();
    }

    @Test
    void non200BodiesAreClassified() {
        assertThat(LoadTestRunner.classifyStatus(503, "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}"))
                .isEqualTo("server_busy_503");
        assertThat(LoadTestRunner.classifyStatus(503, "<html>no healthy upstream</html>")).isEqualTo("http_503");
        assertThat(LoadTestRunner.classifyStatus(404, "{\"error\":\"model 'x' not found\"}")).isEqualTo("model_not_found_404");
        assertThat(LoadTestRunner.classifyStatus(404, "404 page not found")).isEqualTo("http_404");
        assertThat(LoadTestRunner.classifyStatus(401, "")).isEqualTo("http_401");
    }
}
