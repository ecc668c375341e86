package com.aiinference.plan;

import com.aiinference.chart.ChartException;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.InvalidConfigException;
import com.aiinference.config.Settings;
import com.aiinference.config.SettingsParser;
import com.aiinference.core.Check.Status;
import com.aiinference.core.Check;
import com.aiinference.stack.StackRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The offline plan of one stack: its config through the program's own parser and rules, the program itself
 * ({@code App.stack}) on the mock engine, and the chart rendered by real Helm with the values the release registered.
 */
public final class Plan {
    public static final String RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
    public static final String NODE_POOL_TYPE = "gcp:container/nodePool:NodePool";

    public record Report(String project, String stack, Settings settings, List<RegisteredResource> resources,
                         Map<String, Object> outputs, Set<String> secretOutputs, List<Check> checks,
                         Optional<RenderedChart> rendered) {
        /** Resources in URN order: the mock engine registers them as their inputs resolve, in any order. */
        public Report {
            resources = resources.stream().sorted(java.util.Comparator.comparing(RegisteredResource::urn)).toList();
        }

        public boolean passed() {
            return checks.stream().noneMatch(Check::failed);
        }
    }

    private Plan() {}

    /**
     * @throws InvalidConfigException naming the stack file when the config is malformed: unknown keys, wrong types, bad
     *     quantities or CIDRs
     */
    public static Report run(Path projectDir, String project, String stack, StackFile stackFile) {
        Settings settings;
        try {
            settings = SettingsParser.parse(project, stackFile.config(), stackFile.secretKeys());
        } catch (InvalidConfigException e) {
            throw e.in(stackFile.path());
        }
        List<Check> checks = new ArrayList<>(StackRules.check(settings, projectDir));
        if (checks.stream().anyMatch(Check::failed)) {
            checks.add(new Check("program", Status.SKIP,
                    "not run: the program refuses this config before registering any resource"));
            checks.add(new Check("chart-render", Status.SKIP, "not run: config rules failed"));
            return new Report(project, stack, settings, List.of(), Map.of(), Set.of(), checks, Optional.empty());
        }

        MockEngineRun.Result run = MockEngineRun.run(projectDir, project, stack, stackFile.config(), stackFile.secretKeys(),
                new PlanMocks());
        if (!run.succeeded()) {
            checks.add(new Check("program", Status.FAIL, String.join("; ", run.errors())));
            return new Report(project, stack, settings, run.resources(), run.outputs(), run.secretOutputs(), checks,
                    Optional.empty());
        }
        checks.add(new Check("program", Status.PASS, run.resources().size()
                + " resources registered on the mock engine, " + run.outputs().size() + " outputs"));
        ProgramChecks.check(run, settings).forEach(checks::add);

        Optional<RenderedChart> rendered = Optional.empty();
        Optional<RegisteredResource> release = run.ofType(RELEASE_TYPE).stream().findFirst();
        if (release.isEmpty()) {
            checks.add(new Check("chart-render", Status.FAIL, "the program registered no Helm release"));
        } else {
            rendered = render(projectDir, settings, release.get(), checks);
        }
        return new Report(project, stack, settings, run.resources(), run.outputs(), run.secretOutputs(), checks, rendered);
    }

    private static Optional<RenderedChart> render(Path projectDir, Settings settings, RegisteredResource release,
                                                  List<Check> checks) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = release.input("values") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        String chartPath = String.valueOf(release.input("chart"));
        String name = String.valueOf(release.input("name"));
        String namespace = String.valueOf(release.input("namespace"));
        var renderer = new ChartRenderer(projectDir.resolve(chartPath));
        RenderedChart chart;
        try {
            chart = renderer.template(name, namespace, values);
        } catch (ChartException e) {
            checks.add(new Check("chart-render", Status.FAIL, chartPath + ": " + e.getMessage()));
            checks.add(new Check("rendered-objects", Status.SKIP, "not run: the chart did not render"));
            return Optional.empty();
        }
        checks.add(new Check("chart-render", Status.PASS, "helm template " + name + " " + chartPath + " -n " + namespace
                + " with the release's values: " + chart.objects().size() + " objects"));
        String pool = String.valueOf(((Map<?, ?>) values.getOrDefault("gpu", Map.of())).get("nodePool"));
        RenderedChartChecks.check(chart, settings, pool).forEach(checks::add);
        return Optional.of(chart);
    }
}
