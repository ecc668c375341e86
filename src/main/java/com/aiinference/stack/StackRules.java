package com.aiinference.stack;

import com.aiinference.chart.RenderedChart;
import com.aiinference.config.InvalidConfigException;
import com.aiinference.config.PolicyRules;
import com.aiinference.config.Settings;
import com.aiinference.config.SettingsParser;
import com.aiinference.core.Check;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every rule a stack's config must pass, each from its one home: the facts the chart cannot know
 * ({@link PolicyRules}: node allocatable, GKE and DWS limits, CIDR overlap, provider pins) and the chart's own rules
 * ({@link ChartValidation}: the chart rendering the release's values). {@code pulumi up} refuses a config that fails
 * any of them before registering a resource; {@code plan} reports them all.
 */
public final class StackRules {
    private StackRules() {}

    /** A config every rule accepted, with the chart as it renders for it. */
    public record Accepted(Settings settings, RenderedChart chart) {
        /** The chart's Service name (the stack reads the Service back by it after the release). */
        public String serviceName() {
            return chart.single(Service.class).map(svc -> svc.getMetadata().getName())
                    .orElseThrow(() -> new InvalidConfigException(List.of("the chart " + settings.workload().chartPath()
                            + " renders no Service for the release's values")));
        }
    }

    /** Every rule's check, Java's first and then the chart's. */
    public static List<Check> check(Settings settings, Path projectDir) {
        List<Check> checks = new ArrayList<>(PolicyRules.check(settings));
        checks.add(ChartValidation.validate(settings, projectDir).check());
        return checks;
    }

    /**
     * Parses and checks, throwing on any problem: what {@code App.stack} does before creating anything.
     *
     * @throws InvalidConfigException with one line per problem, each naming the key
     */
    public static Accepted requireValid(String project, Map<String, String> config, Set<String> secretKeys,
                                        Path projectDir) {
        Settings settings = SettingsParser.parse(project, config, secretKeys);
        List<String> failures = new ArrayList<>(PolicyRules.check(settings).stream().filter(Check::failed)
                .map(Check::message).toList());
        ChartValidation.Verdict chart = ChartValidation.validate(settings, projectDir);
        failures.addAll(chart.problems());
        if (!failures.isEmpty()) {
            throw new InvalidConfigException(failures);
        }
        return new Accepted(settings, chart.chart().orElseThrow());
    }
}
