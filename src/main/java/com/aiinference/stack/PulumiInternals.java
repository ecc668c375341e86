package com.aiinference.stack;

import com.pulumi.core.Output;
import com.pulumi.core.internal.OutputData;
import com.pulumi.deployment.internal.DeploymentImpl;
import com.pulumi.deployment.internal.DeploymentInternal;
import com.pulumi.test.Mocks;
import com.pulumi.test.TestOptions;
import com.pulumi.test.TestResult;
import com.pulumi.test.internal.PulumiTestInternal;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The one place that reaches past Pulumi Java's public API (1.36.1), and why each reach is needed:
 * <ul>
 *   <li>{@link #configEntries()}: {@code Config} can look keys up but not list them, and refusing unknown keys needs
 *   the list. The deployment's config object holds it in a private field (read by reflection); when that fails the
 *   {@code PULUMI_CONFIG} variable the engine sets is parsed instead.</li>
 *   <li>{@link #runOnMockEngine}: the public {@code PulumiTest} runs a program on mocks but cannot take secret config
 *   keys, a logger, or a monitor decorator; {@code plan} needs all three (secrets as the engine marks them, a quiet
 *   log, and {@code plan.RecordingMonitor}, a subclass of the mock engine's monitor, to see every registration).</li>
 *   <li>{@link #outputData}: a stack output's value and secret flag, which the public {@code Output} hides.</li>
 *   <li>{@link #useEnoughRunnerThreads()}: on JDK 21+ with one or two CPUs, Pulumi's runner can spin on the common
 *   ForkJoinPool; four threads keep it moving. A JVM-wide setting, so it is made once, before the first run.</li>
 * </ul>
 * An SDK upgrade that breaks one of these breaks it here, and {@code plan}'s tests show it.
 */
public final class PulumiInternals {
    private PulumiInternals() {}

    /** The entries of {@link #configEntries()} that were set as secrets. */
    public static java.util.Set<String> secretKeys(Map<String, String> all) {
        var deployment = DeploymentInternal.getInstance();
        java.util.Set<String> secret = new java.util.TreeSet<>();
        for (String key : all.keySet()) {
            if (deployment.isConfigSecret(key)) {
                secret.add(key);
            }
        }
        return secret;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, String> configEntries() {
        var config = DeploymentInternal.getInstance().getConfig();
        try {
            Field f = DeploymentImpl.Config.class.getDeclaredField("allConfig");
            f.setAccessible(true);
            Object value = f.get(config);
            if (value instanceof Map<?, ?> m) {
                return Map.copyOf((Map<String, String>) m);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall back to the environment below
        }
        String env = System.getenv("PULUMI_CONFIG");
        return env == null || env.isBlank() ? Map.of() : DeploymentImpl.Config.parseConfig(env);
    }

    /** The program {@code program} on Pulumi's mock engine with these config entries (some secret) and mocks. */
    public static TestResult runOnMockEngine(TestOptions options, Map<String, String> config, Set<String> secretKeys,
                                             Mocks mocks, Logger logger,
                                             java.util.function.Function<com.pulumi.test.internal.MockMonitor,
                                                     com.pulumi.test.internal.MockMonitor> monitor,
                                             Consumer<com.pulumi.Context> program) {
        useEnoughRunnerThreads();
        var test = PulumiTestInternal.builder()
                .options(options)
                .config(config, secretKeys)
                .mocks(mocks)
                .standardLogger(logger)
                .monitorDecorator(original -> monitor.apply((com.pulumi.test.internal.MockMonitor) original))
                .build();
        try {
            return test.runTest(program);
        } finally {
            PulumiTestInternal.cleanup();
        }
    }

    /** The mock engine's log, for a monitor that stands in for the mock one. */
    public static com.pulumi.Log mockLog(Logger logger) {
        return PulumiTestInternal.mockLog(logger);
    }

    /** A stack output's value (null when unknown) and whether it is secret. */
    public static <T> OutputData<T> outputData(Output<T> output) {
        return PulumiTestInternal.extractOutputData(output);
    }

    /** Sets the common pool to four threads unless the JVM was started with a value (see the class comment). */
    public static void useEnoughRunnerThreads() {
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
        }
    }
}
