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
import java.util.Optional;
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

    /**
     * The one verdict on a config: the chart asked once (it renders the release's values or says which keys it
     * refuses), then the rules only Java knows, reading what the chart rendered (its gateway's resources) and refused.
     *
     * @param chart    the chart as it renders for these settings, when it accepted them
     * @param checks   every rule's check, Java's first and then the chart's
     * @param failures one line per problem, each naming its key (the chart's refusals one by one)
     */
    public record Verdict(Settings settings, Optional<RenderedChart> chart, List<Check> checks, List<String> failures) {
        public Verdict {
            checks = List.copyOf(checks);
            failures = List.copyOf(failures);
        }
    }

    /** Judges {@code settings} with the chart at {@code projectDir}. */
    public static Verdict judge(Settings settings, Path projectDir) {
        ChartValidation.Verdict chart = ChartValidation.validate(settings, projectDir);
        List<Check> checks = new ArrayList<>(PolicyRules.check(settings, chart.forPolicyRules()));
        List<String> failures = new ArrayList<>(checks.stream().filter(Check::failed).map(Check::message).toList());
        failures.addAll(chart.problems());
        checks.add(chart.check());
        return new Verdict(settings, chart.chart().filter(c -> chart.accepted()), checks, failures);
    }

    /** Every rule's check ({@link #judge}). */
    public static List<Check> check(Settings settings, Path projectDir) {
        return judge(settings, projectDir).checks();
    }

    /**
     * Parses and checks, throwing on any problem: what {@code App.stack} does before creating anything.
     *
     * @throws InvalidConfigException with one line per problem, each naming the key
     */
    public static Accepted requireValid(String project, Map<String, String> config, Set<String> secretKeys,
                                        Path projectDir) {
        Verdict verdict = judge(SettingsParser.parse(project, config, secretKeys), projectDir);
        if (!verdict.failures().isEmpty()) {
            throw new InvalidConfigException(verdict.failures());
        }
        return new Accepted(verdict.settings(), verdict.chart().orElseThrow());
    }
}
