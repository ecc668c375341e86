package com.aiinference.plan;

import com.aiinference.App;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.stack.PulumiInternals;
import com.pulumi.core.Output;
import com.pulumi.test.TestOptions;
import com.pulumi.test.TestResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link App#stack} run on Pulumi's mock engine with a stack's config: every resource registration is recorded as the
 * engine received it, and the stack outputs are resolved. Nothing leaves the process.
 */
public final class MockEngineRun {

    /** The outcome: registered resources in registration order, outputs (secret ones listed), program errors. */
    public record Result(List<RegisteredResource> resources, Map<String, Object> outputs, Set<String> secretOutputs,
                         List<String> errors, List<RecordedInvoke> invokes) {
        public boolean succeeded() {
            return errors.isEmpty();
        }

        public List<RegisteredResource> ofType(String type) {
            return resources.stream().filter(r -> r.type().equals(type)).toList();
        }
    }

    private MockEngineRun() {}

    public static Result run(String project, String stack, Map<String, String> config, Set<String> secretKeys) {
        return run(project, stack, config, secretKeys, new PlanMocks());
    }

    /** As {@link #run(String, String, Map, Set)} with the given cloud answers (tests pass a spy). */
    public static Result run(String project, String stack, Map<String, String> config, Set<String> secretKeys,
                             com.pulumi.test.Mocks mocks) {
        return run(ChartRenderer.projectRoot(), project, stack, config, secretKeys, mocks);
    }

    /** The program of the project at {@code projectDir} (its chart path is relative to it) on the mock engine. */
    public static Result run(Path projectDir, String project, String stack, Map<String, String> config,
                             Set<String> secretKeys, com.pulumi.test.Mocks mocks) {
        RecordingMonitor[] monitor = new RecordingMonitor[1];
        TestResult result = PulumiInternals.runOnMockEngine(
                TestOptions.builder().projectName(project).stackName(stack).preview(false).build(),
                config, secretKeys, mocks, quietLogger(),
                original -> monitor[0] = new RecordingMonitor(mocks, PulumiInternals.mockLog(quietLogger())),
                ctx -> App.stack(ctx, projectDir));
        Set<String> distinct = new LinkedHashSet<>();
        for (Exception e : result.exceptions()) {
            distinct.add(rootMessage(e));
        }
        List<String> errors = new ArrayList<>(distinct);
        for (String e : result.errors()) {
            if (errors.stream().noneMatch(e::contains)) {
                errors.add(e.strip());
            }
        }
        Map<String, Object> outputs = new TreeMap<>();
        Set<String> secret = new LinkedHashSet<>();
        if (errors.isEmpty()) {
            for (Map.Entry<String, Output<?>> e : result.outputs().entrySet()) {
                var data = PulumiInternals.outputData(e.getValue());
                outputs.put(e.getKey(), data.getValueNullable());
                if (data.isSecret()) {
                    secret.add(e.getKey());
                }
            }
        }
        List<RegisteredResource> recorded = monitor[0] == null ? List.of() : monitor[0].recorded();
        List<RecordedInvoke> invokes = monitor[0] == null ? List.of() : monitor[0].invokes();
        return new Result(recorded, new LinkedHashMap<>(outputs), secret, errors, invokes);
    }

    /** The first line of the innermost message: the program's own refusal rather than the runner's wrapping. */
    static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        String msg = cur.getMessage() == null ? cur.getClass().getSimpleName() : cur.getMessage();
        return msg.strip().lines().findFirst().orElse(msg);
    }

    /** The mock engine logs every resource at INFO; the plan prints its own report. */
    private static java.util.logging.Logger quietLogger() {
        var logger = java.util.logging.Logger.getLogger("ai-inference.plan.engine");
        logger.setUseParentHandlers(false);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }
}
