package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.InvalidConfigException;
import com.aiinference.config.Settings;
import com.aiinference.config.SettingsParser;
import com.aiinference.stack.ChartValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code simulate cluster} seeds its mock API server with: {@code charts/ai-inference} rendered by real Helm
 * with the values the stack itself would pass. The simulated settings become the stack's config
 * ({@code ai-inference:replicas}, {@code :memoryLimit}, ...), go through the stack's {@link SettingsParser} and
 * {@link ChartValues#of}, so the simulation can never be seeded with objects the chart does not make.
 */
public final class ChartSeed {
    /** The Pulumi project (config namespace) whose settings are simulated. */
    static final String PROJECT = "ai-inference";
    /** The GKE node pool the stack creates by default; the pods' nodeSelector names it. */
    public static final String GPU_NODE_POOL = "l4-pool";
    /** The round-robin front listens on loopback only, so that is the one client range the LoadBalancer admits. */
    static final String CLIENT_RANGE = "127.0.0.1/32";

    private ChartSeed() {}

    /** The chart directory under a project directory, where the stack's {@code chartPath} default points. */
    public static Path chartDir(Path projectDir) {
        return projectDir.resolve(ChartRenderer.CHART_PATH).toAbsolutePath().normalize();
    }

    public static boolean hasChart(Path chartDir) {
        return Files.isRegularFile(chartDir.resolve("Chart.yaml"));
    }

    /**
     * The stack config for a simulated release. Memory request = limit (the dev stack's Guaranteed QoS). A public
     * LoadBalancer needs client ranges by the chart's rules; without the gateway the chart refuses a public one, so
     * that simulation uses an internal LoadBalancer, which is what a user turning the gateway off must pick.
     */
    static Map<String, String> stackConfig(SimulatedCluster.Spec spec) {
        Map<String, String> c = new LinkedHashMap<>();
        put(c, "gcpProject", "simulated-project");
        put(c, "namespace", spec.namespace());
        put(c, "releaseName", spec.release());
        put(c, "gpuPoolName", GPU_NODE_POOL);
        // The chart's engine: vLLM pods (container vllm, its args and env) when the replicas speak vLLM.
        put(c, "engine", spec.engine());
        put(c, "model", spec.model());
        // The pods' OLLAMA_NUM_PARALLEL is what the fake replicas serve at once (--parallel).
        put(c, "numParallel", String.valueOf(spec.numParallel()));
        put(c, "memoryRequest", spec.memoryLimit());
        put(c, "memoryLimit", spec.memoryLimit());
        put(c, "replicas", String.valueOf(spec.replicas()));
        put(c, "hpaEnabled", "true");
        put(c, "hpaPinned", String.valueOf(spec.hpaPinned()));
        put(c, "hpaMinReplicas", String.valueOf(spec.hpaMin()));
        put(c, "hpaMaxReplicas", String.valueOf(spec.hpaMax()));
        put(c, "gpuProvisioning", spec.dwsState() != null ? "queued" : "on-demand");
        put(c, "serviceType", "LoadBalancer");
        put(c, "servicePort", String.valueOf(ChartContract.SERVICE_PORT));
        put(c, "gatewayEnabled", String.valueOf(spec.gateway()));
        if (spec.gateway()) {
            put(c, "loadBalancerSourceRanges", "[\"" + CLIENT_RANGE + "\"]");
        } else {
            put(c, "internalLoadBalancer", "true");
        }
        return c;
    }

    /** The chart values the stack's Helm release would get for these settings. */
    public static Map<String, Object> values(SimulatedCluster.Spec spec) {
        Settings settings;
        try {
            settings = SettingsParser.parse(PROJECT, stackConfig(spec));
        } catch (InvalidConfigException e) {
            // Name the flag the user typed, not the stack key it became.
            throw new IllegalArgumentException(e.problems().stream().map(ChartSeed::asFlag).distinct()
                    .collect(java.util.stream.Collectors.joining("; ")), e);
        }
        return ChartValues.of(settings, GPU_NODE_POOL);
    }

    /**
     * {@code helm template} of the chart with those values.
     *
     * @throws com.aiinference.chart.ChartException when Helm refuses the values (its one-line message, e.g. the chart's
     *     rule that DWS needs a pinned HPA)
     */
    public static RenderedChart render(SimulatedCluster.Spec spec, ChartRenderer chart) {
        return chart.template(spec.release(), spec.namespace(), values(spec));
    }

    private static final Map<String, String> FLAGS = Map.of(
            "namespace", "--namespace", "releaseName", "--release", "model", "--model", "memoryRequest", "--memory-limit",
            "memoryLimit", "--memory-limit", "replicas", "--replicas", "hpaMinReplicas", "--hpa-min",
            "hpaMaxReplicas", "--hpa-max", "numParallel", "--parallel");

    private static String asFlag(String problem) {
        for (var e : FLAGS.entrySet()) {
            String key = PROJECT + ":" + e.getKey() + " ";
            if (problem.startsWith(key)) {
                return e.getValue() + " " + problem.substring(key.length());
            }
        }
        return problem;
    }

    private static void put(Map<String, String> c, String key, String value) {
        c.put(PROJECT + ":" + key, value);
    }
}
