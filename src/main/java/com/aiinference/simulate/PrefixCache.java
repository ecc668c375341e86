package com.aiinference.simulate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * vLLM's automatic prefix caching, as far as a client can see it: a prompt is cut into blocks of
 * {@link #BLOCK_TOKENS} tokens, each block keyed by its text and every block before it (a chain of hashes), and a new
 * prompt's leading blocks found in the cache need no prefill. The least recently used blocks leave first. Only the
 * simulator's event loop touches it.
 */
final class PrefixCache {
    /** vLLM's default block size. */
    static final int BLOCK_TOKENS = 16;
    private final int charsPerToken;
    private final int capacity;
    private final Map<Long, Boolean> blocks;

    /** A cache of up to {@code capacityBlocks} blocks over text of {@code charsPerToken} characters per token. */
    PrefixCache(int charsPerToken, int capacityBlocks) {
        this.charsPerToken = charsPerToken;
        this.capacity = capacityBlocks;
        this.blocks = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > PrefixCache.this.capacity;
            }
        };
    }

    /**
     * The tokens of {@code prompt} ({@code promptTokens} long) already in the cache, as vLLM reports them in
     * {@code usage.prompt_tokens_details.cached_tokens}: whole leading blocks, never the last token (the model must
     * compute at least one). The prompt's own blocks are cached for the next one.
     */
    int lookupAndAdd(String prompt, int promptTokens) {
        int blockChars = BLOCK_TOKENS * charsPerToken;
        long hash = 17;
        int hits = 0;
        boolean missed = false;
        for (int start = 0; start + blockChars <= prompt.length(); start += blockChars) {
            hash = hash * 1_000_003L + prompt.substring(start, start + blockChars).hashCode();
            if (!missed && blocks.get(hash) != null) {
                hits++;
            } else {
                missed = true;
                blocks.put(hash, Boolean.TRUE);
            }
        }
        return Math.max(0, Math.min(hits * BLOCK_TOKENS, promptTokens - 1));
    }
}
