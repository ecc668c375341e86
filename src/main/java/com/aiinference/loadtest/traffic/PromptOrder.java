package com.aiinference.loadtest.traffic;

/** How prompts are taken from their source: in file order, or drawn at random with the run's seed. */
public enum PromptOrder {
    SEQUENTIAL,
    RANDOM
}
