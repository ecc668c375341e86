package com.aiinference.stack;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.InvalidConfigException;
import com.aiinference.config.PolicyRules;
import com.aiinference.config.Quantity;
import com.aiinference.config.Settings;
import com.aiinference.config.SettingsParser;
import com.aiinference.core.Check;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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

    /** Every rule's check, Java's first and then the chart's. */
    public static List<Check> check(Settings settings, Path projectDir) {
        ChartValidation.Verdict chart = ChartValidation.validate(settings, projectDir);
        List<Check> checks = new ArrayList<>(PolicyRules.check(settings, verdict(chart)));
        checks.add(chart.check());
        return checks;
    }

    /** The chart's verdict as {@link PolicyRules} reads it: the gateway it renders, the keys it refused. */
    static PolicyRules.ChartVerdict verdict(ChartValidation.Verdict chart) {
        return new PolicyRules.ChartVerdict(gateway(chart), chart.refused());
    }

    /**
     * The gateway container's CPU request and memory limit in the pod the chart rendered: the node-fit rules count
     * the chart's own numbers (its {@code gateway.resources}), not a copy of them. Empty when the chart did not render;
     * a resource the container does not state counts as Kubernetes counts it (a request defaults to the limit, else 0).
     */
    static Optional<PolicyRules.Sidecar> gateway(ChartValidation.Verdict verdict) {
        return verdict.chart().map(chart -> chart.single(Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .filter(c -> ChartContract.GATEWAY_CONTAINER.equals(c.getName())).findFirst()
                .map(Container::getResources)
                .map(r -> new PolicyRules.Sidecar(
                        quantity(r.getRequests(), "cpu").or(() -> quantity(r.getLimits(), "cpu")).orElse(ZERO),
                        quantity(r.getLimits(), "memory").or(() -> quantity(r.getRequests(), "memory")).orElse(ZERO)))
                .orElse(new PolicyRules.Sidecar(ZERO, ZERO)));
    }

    private static final Quantity ZERO = Quantity.parse("0").orElseThrow();

    private static Optional<Quantity> quantity(Map<String, io.fabric8.kubernetes.api.model.Quantity> resources,
                                               String name) {
        return Optional.ofNullable(resources).map(m -> m.get(name)).flatMap(q -> Quantity.parse(q.toString()));
    }

    /**
     * Parses and checks, throwing on any problem: what {@code App.stack} does before creating anything.
     *
     * @throws InvalidConfigException with one line per problem, each naming the key
     */
    public static Accepted requireValid(String project, Map<String, String> config, Set<String> secretKeys,
                                        Path projectDir) {
        Settings settings = SettingsParser.parse(project, config, secretKeys);
        ChartValidation.Verdict chart = ChartValidation.validate(settings, projectDir);
        List<String> failures = new ArrayList<>(PolicyRules.check(settings, verdict(chart)).stream()
                .filter(Check::failed).map(Check::message).toList());
        failures.addAll(chart.problems());
        if (!failures.isEmpty()) {
            throw new InvalidConfigException(failures);
        }
        return new Accepted(settings, chart.chart().orElseThrow());
    }
}
