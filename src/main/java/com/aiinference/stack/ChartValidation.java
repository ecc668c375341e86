package com.aiinference.stack;

import static com.aiinference.config.ConfigKeys.CHART_PATH;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.ChartException;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.ConfigKey;
import com.aiinference.config.PolicyRules;
import com.aiinference.config.Quantity;
import com.aiinference.config.Settings;
import com.aiinference.core.Check;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart is the only home of its rules: the release's values are rendered by the chart itself (Helm through
 * helm-java: {@code values.schema.json} first, then the {@code fail} rules of {@code templates/_helpers.tpl}) before
 * any resource is registered, and each refusal is told back in the user's terms, naming the {@code ai-inference:KEY}
 * that produced the value ({@link ChartValues#sources()}). Java keeps only what the chart cannot know (node
 * allocatable, GKE and DWS limits, CIDR overlap, provider pins: {@code config.PolicyRules}).
 */
public final class ChartValidation {
    /** The check's name in {@code plan}. */
    public static final String CHECK = "chart-accepts-values";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA_HEADER = "values don't meet the specifications of the schema(s)";
    private static final Pattern SCHEMA_ITEM = Pattern.compile("^\\s*- at '([^']*)': (.*)$", Pattern.MULTILINE);
    private static final Pattern FAIL = Pattern.compile("execution error at \\([^)]*\\): (.*)", Pattern.DOTALL);

    private static final Quantity ZERO = Quantity.parse("0").orElseThrow();

    private ChartValidation() {}

    private static Optional<Quantity> quantity(Map<String, io.fabric8.kubernetes.api.model.Quantity> resources,
                                               String name) {
        return Optional.ofNullable(resources).map(m -> m.get(name)).flatMap(q -> Quantity.parse(q.toString()));
    }

    /**
     * The verdict: the chart rendered (then its objects), or the refusals, one line each, naming the keys, and the
     * keys whose values the chart refused (those its messages name).
     */
    public record Verdict(Optional<RenderedChart> chart, List<String> problems, Set<ConfigKey> refused) {
        public Verdict {
            problems = List.copyOf(problems);
            refused = Set.copyOf(refused);
        }

        public boolean accepted() {
            return problems.isEmpty();
        }

        /**
         * What the rules only Java knows need from the chart ({@code config.PolicyRules}): the gateway container it
         * rendered, with its CPU request and memory limit (the node-fit rules count the chart's own numbers, not a
         * copy of them; a resource the container does not state counts as Kubernetes counts it: a request defaults
         * to the limit, else 0), and the keys it refused. No gateway when the chart did not render.
         */
        public PolicyRules.ChartVerdict forPolicyRules() {
            Optional<PolicyRules.Sidecar> gateway = chart.map(c -> c.single(Deployment.class).stream()
                    .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                    .filter(container -> ChartContract.GATEWAY_CONTAINER.equals(container.getName())).findFirst()
                    .map(Container::getResources)
                    .map(r -> new PolicyRules.Sidecar(
                            quantity(r.getRequests(), "cpu").or(() -> quantity(r.getLimits(), "cpu")).orElse(ZERO),
                            quantity(r.getLimits(), "memory").or(() -> quantity(r.getRequests(), "memory")).orElse(ZERO)))
                    .orElse(new PolicyRules.Sidecar(ZERO, ZERO)));
            return new PolicyRules.ChartVerdict(gateway, refused);
        }

        /** As a check: PASS with the count of objects, or FAIL with every refusal. */
        public Check check() {
            return chart.filter(c -> accepted())
                    .map(c -> Check.pass(CHECK, "the chart renders the release's values: " + c.objects().size() + " objects"))
                    .orElseGet(() -> Check.fail(CHECK, String.join("; ", problems)));
        }
    }

    /**
     * Renders the chart at {@code projectDir}/{@code chartPath} with the values the stack would give the release
     * (the GPU pool as configured by name).
     */
    public static Verdict validate(Settings s, Path projectDir) {
        var w = s.workload();
        Path chartDir = projectDir.resolve(w.chartPath());
        ChartValues values = ChartValues.build(s, s.gpuPool().name(), ChartValues.releaseAddressName(s));
        try {
            RenderedChart chart = new ChartRenderer(chartDir).template(w.releaseName(), w.namespace(), values.values());
            return new Verdict(Optional.of(chart), List.of(), Set.of());
        } catch (ChartException e) {
            return explain(e, s, values, chartDir);
        }
    }

    /** Helm's refusal in the user's terms: one line per problem, and the keys they name. */
    static Verdict explain(ChartException e, Settings s, ChartValues values, Path chartDir) {
        String raw = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        if (!Files.isRegularFile(chartDir.resolve("Chart.yaml"))) {
            return refused(List.of(s.key(CHART_PATH) + " " + s.workload().chartPath() + ": " + e.getMessage()),
                    Set.of(CHART_PATH));
        }
        if (raw.contains(SCHEMA_HEADER)) {
            JsonNode schema = schema(chartDir);
            List<String> problems = new ArrayList<>();
            Set<ConfigKey> keys = new LinkedHashSet<>();
            Matcher m = SCHEMA_ITEM.matcher(raw);
            while (m.find()) {
                problems.add(schemaProblem(m.group(1), m.group(2).strip(), s, values, schema));
                values.source(path(m.group(1))).ifPresent(keys::add);
            }
            if (!problems.isEmpty()) {
                return refused(problems, keys);
            }
        }
        Matcher fail = FAIL.matcher(raw);
        if (fail.find()) {
            String message = fail.group(1).replaceAll("(?s)\\s*Use --debug flag to render out invalid YAML\\s*$", "")
                    .strip().replaceAll("\\s*\\R\\s*", " ");
            Set<ConfigKey> keys = new LinkedHashSet<>();
            String told = inKeys(message, s, values, keys);
            List<String> unset = unsetPaths(told, schema(chartDir));
            return refused(List.of(unset.isEmpty() ? told : told + " (no key of this stack sets "
                    + String.join(" or ", unset) + ": the chart's default is used)"), keys);
        }
        return refused(List.of("the chart " + s.workload().chartPath() + " refuses the release's values: " + e.getMessage()),
                Set.of());
    }

    private static Verdict refused(List<String> problems, Set<ConfigKey> keys) {
        return new Verdict(Optional.empty(), problems, keys);
    }

    /**
     * A {@code fail} message of the chart with every value path it names replaced by the key that set it.
     *
     * @param named collects the keys the message names
     */
    static String inKeys(String message, Settings s, ChartValues values, Set<ConfigKey> named) {
        String out = message;
        List<Map.Entry<String, ConfigKey>> byLength = new ArrayList<>(values.sources().entrySet());
        byLength.sort(Comparator.comparingInt((Map.Entry<String, ConfigKey> e) -> e.getKey().length()).reversed());
        for (var e : byLength) {
            // Not inside a longer dotted name (x.service.type), but after ".." of a range (min..autoscaling.maxReplicas);
            // with the value it is given in the message, if any (dws.enabled=true).
            Matcher m = Pattern.compile("(?<![A-Za-z0-9_:])(?<![A-Za-z0-9_]\\.)" + Pattern.quote(e.getKey())
                    + "(?![A-Za-z0-9_])(=[^\\s;,()]+)?").matcher(out);
            if (!m.find()) {
                continue;
            }
            named.add(e.getValue());
            String key = s.key(e.getValue());
            Optional<String> configValue = values.configValue(e.getKey());
            // A derived value is told as the key's own value: the chart's dws.enabled=true is gpuProvisioning=queued.
            out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) == null ? key
                    : key + configValue.map(v -> "=" + v).orElse(r.group(1))));
        }
        return out;
    }

    /**
     * The chart value paths a message still names once the stack's have become keys ({@code modelCache.existingClaim}):
     * values no config key sets, so the user learns that the stack leaves them at the chart's default.
     */
    static List<String> unsetPaths(String message, JsonNode schema) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?<![A-Za-z0-9_:.])([a-z][A-Za-z0-9]*)((?:\\.[A-Za-z][A-Za-z0-9]*)+)").matcher(message);
        while (m.find()) {
            if (!node(schema, "/" + (m.group(1) + m.group(2)).replace('.', '/')).isMissingNode()) {
                found.add(m.group(1) + m.group(2));
            }
        }
        return List.copyOf(found);
    }

    /** A JSON pointer ({@code /ollama/numParallel}) as a value path ({@code ollama.numParallel}). */
    private static String path(String pointer) {
        return pointer.replaceFirst("^/", "").replace('/', '.');
    }

    /** One schema error ({@code /ollama/numParallel}, {@code maximum: got 65, want 64}) as a line naming the key. */
    static String schemaProblem(String pointer, String error, Settings s, ChartValues values, JsonNode schema) {
        String path = path(pointer);
        String shown = path.replaceAll("\\.(\\d+)(?=\\.|$)", "[$1]");
        Optional<ConfigKey> key = values.source(path);
        String who = key.map(s::key).orElse("the chart value " + (path.isEmpty() ? "(root)" : path));
        Matcher twice = Pattern.compile("items at (\\d+) and (\\d+) are equal").matcher(error);
        if (twice.find()) {
            return who + " lists " + text(values.valueAt(path + "." + twice.group(1)).orElse("a value")) + " twice";
        }
        String value = values.valueAt(path).map(ChartValidation::text).orElse("");
        String about = description(schema, pointer).map(d -> " (the chart's " + shown + ": " + d + ")").orElse("");
        return who + (value.isEmpty() ? "" : " " + value) + " " + rule(error, node(schema, pointer)) + about;
    }

    /** The schema error in words; bounds are read from the schema itself (Helm prints 1048576 as 1.048576×10⁰⁶). */
    private static String rule(String error, JsonNode node) {
        Matcher m;
        if ((m = Pattern.compile("^minimum: got .*, want (.*)$").matcher(error)).find()) {
            return "must be at least " + node.path("minimum").asText(m.group(1));
        }
        if ((m = Pattern.compile("^maximum: got .*, want (.*)$").matcher(error)).find()) {
            return "must be at most " + node.path("maximum").asText(m.group(1));
        }
        if ((m = Pattern.compile("^exclusiveMinimum: got .*, want (.*)$").matcher(error)).find()) {
            return "must be above " + node.path("exclusiveMinimum").asText(m.group(1));
        }
        if ((m = Pattern.compile("^maxLength: got .*, want (.*)$").matcher(error)).find()) {
            return "is longer than " + m.group(1).replace(",", "") + " characters";
        }
        if ((m = Pattern.compile("^minLength: got .*, want (.*)$").matcher(error)).find()) {
            return "is shorter than " + m.group(1).replace(",", "") + " characters";
        }
        if ((m = Pattern.compile("^value must be one of (.*)$").matcher(error)).find()) {
            return "must be one of " + m.group(1);
        }
        if (error.contains("does not match pattern")) {
            return "is not a form the chart accepts";
        }
        return "is refused by the chart's schema: " + error;
    }

    private static String text(Object value) {
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "[]" : String.join(", ", list.stream().map(String::valueOf).toList());
        }
        String s = String.valueOf(value);
        return s.isEmpty() ? "\"\"" : s;
    }

    private static JsonNode schema(Path chartDir) {
        try {
            return JSON.readTree(Files.readString(chartDir.resolve("values.schema.json")));
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** The schema of the value at a JSON pointer ({@code /service/loadBalancerSourceRanges/0}). */
    private static JsonNode node(JsonNode schema, String pointer) {
        JsonNode node = schema;
        for (String part : pointer.replaceFirst("^/", "").split("/")) {
            if (!part.isEmpty()) {
                node = part.matches("\\d+") && node.has("items") ? node.get("items") : node.path("properties").path(part);
            }
        }
        return node;
    }

    /** The schema's description of the value at a JSON pointer; a list item without one is described by its list. */
    static Optional<String> description(JsonNode schema, String pointer) {
        JsonNode node = schema;
        String described = "";
        for (String part : pointer.replaceFirst("^/", "").split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            node = part.matches("\\d+") && node.has("items") ? node.get("items") : node.path("properties").path(part);
            // A list item without its own description is described by its list.
            described = node.path("description").asText(described);
        }
        return described.isBlank() ? Optional.empty() : Optional.of(described);
    }
}
