package com.aiinference.plan;

import java.util.Map;

/**
 * One data-source call the program made ({@code getEngineVersions}), as the engine received it, and the answer.
 *
 * @param provider the explicit provider's URN ("" when the default provider would answer)
 */
public record RecordedInvoke(String token, String provider, String version, Map<String, Object> args,
                             Map<String, Object> result) {}
