package com.aiinference.loadtest.engine;

/**
 * What one request did, as times on {@link System#nanoTime()}.
 *
 * @param measured                 started after the warm-up
 * @param originNanos              latency origin: the scheduled send time (open loop) or the send time (closed loop)
 * @param firstTokenNanos          first token seen (0 if none, or not streamed)
 * @param endNanos                 answer complete, or failure seen
 * @param errorKey                 null on success, else the error kind key
 * @param itlNanos                 gaps between successive tokens (first {@code itlCount} entries)
 * @param outputTokens             server count if it gave one, else chunks with text
 * @param tokensFromServer         whether {@code outputTokens} is the server's count
 * @param serverEvalCount          Ollama eval_count (0 if absent)
 * @param serverEvalDurationNanos  Ollama eval_duration (0 if absent)
 * @param inputTokens              the server's prompt token count (-1 if it gave none, or the request failed)
 */
record RequestRecord(boolean measured, long originNanos, long firstTokenNanos, long endNanos, String errorKey,
                     long[] itlNanos, int itlCount, long outputTokens, boolean tokensFromServer,
                     long serverEvalCount, long serverEvalDurationNanos, long inputTokens) {
    boolean ok() {
        return errorKey == null;
    }

    /** Cut by the user's stop: neither a success nor a failure. */
    boolean stoppedByUser() {
        return ErrorKind.STOPPED_BY_USER.key().equals(errorKey);
    }

    /** The record of a request that ended at {@code endNanos} ({@code errorKey} null: success) with this answer. */
    static RequestRecord of(boolean measured, long originNanos, long endNanos, String errorKey, AnswerParser parser) {
        boolean ok = errorKey == null;
        return new RequestRecord(measured, originNanos, ok ? parser.firstTokenNanos : 0, endNanos, errorKey, parser.itl,
                ok ? parser.itlCount : 0, ok ? parser.outputTokens() : 0, parser.tokensFromServer(), parser.evalCount,
                parser.evalDurationNanos, ok ? parser.inputTokens : -1);
    }
}
