package com.aiinference.loadtest.traffic;

import java.util.List;

/**
 * One request of a session: the whole conversation so far (system messages, earlier turns with the server's own
 * answers, and the new user message last), the answer length asked, and the client's estimate of the prompt's tokens.
 *
 * @param number            1 for a conversation's first request, 2 for its second, ...
 * @param messages          what a chat API is sent (a prompt API gets them {@link Message#flatten flattened})
 * @param maxTokens         num_predict / max_tokens for this request; 0: the run's {@code --max-tokens}
 * @param askedInputTokens  the prompt's length in tokens as the client estimates it (its characters over the
 *                          calibrated characters per token)
 */
public record Turn(int number, List<Message> messages, int maxTokens, long askedInputTokens) {
    public Turn {
        messages = List.copyOf(messages);
    }
}
