package com.aiinference.config;

import com.aiinference.chart.ChartContract;

import static com.aiinference.config.ConfigKeys.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the project's config namespace into {@link Settings}: every key typed, parsed and checked for form
 * (unknown keys, types, quantities, CIDRs, regions, zones, enums). All problems are collected, so one run names
 * every bad key. Capacity and DWS rules across keys live in {@link PolicyRules}.
 *
 * <p>Values arrive as Pulumi hands them to a program: strings, with arrays as JSON text.
 */
public final class SettingsParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROJECT_ID_FORM = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    private static final Pattern REGION_FORM = Pattern.compile("[a-z]+-[a-z]+[0-9]+");
    private static final Pattern ZONE_FORM = Pattern.compile("([a-z]+-[a-z]+[0-9]+)-[a-z]");
    /** RFC 1035 labels, as GKE and Kubernetes want for cluster, pool, namespace and release names. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,38}[a-z0-9])?");
    /** A Compute Engine resource name (RFC 1035, up to 63), or empty. */
    private static final Pattern RESERVATION_NAME = Pattern.compile("([a-z]([-a-z0-9]{0,61}[a-z0-9])?)?");
    private static final Pattern MACHINE_TYPE = Pattern.compile("[a-z][a-z0-9]*-[a-z0-9-]+");
    private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");
    private static final Pattern EXACT_RELEASE = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    /** What nginx can compare in an Authorization header: no spaces, commas or quotes. */
    private static final Pattern API_KEY_FORM = Pattern.compile("[A-Za-z0-9._~+/=-]{16,256}");

    private final String project;
    private final Map<String, String> config;
    private final Set<String> secretKeys;
    private final List<String> problems = new ArrayList<>();

    private SettingsParser(String project, Map<String, String> config, Set<String> secretKeys) {
        this.project = project;
        this.config = config;
        this.secretKeys = secretKeys;
    }

    /**
     * Parses the config of project {@code project} ({@code project:key} entries; other namespaces such as
     * {@code gcp:} or {@code pulumi:} are left alone).
     *
     * @throws InvalidConfigException naming every key that is unknown or malformed
     */
    public static Settings parse(String project, Map<String, String> config) {
        return parse(project, config, Set.of());
    }

    /**
     * As {@link #parse(String, Map)}, knowing which entries were set as secrets ({@code project:key} names): a key
     * the registry marks secret must be one of them.
     */
    public static Settings parse(String project, Map<String, String> config, Set<String> secretKeys) {
        SettingsParser p = new SettingsParser(project, config, secretKeys);
        Settings s = p.read();
        if (!p.problems.isEmpty()) {
            throw new InvalidConfigException(p.problems);
        }
        return s;
    }

    private Settings read() {
        rejectUnknownKeys();

        String projectId = str(GCP_PROJECT);
        if (projectId.isEmpty()) {
            problem(GCP_PROJECT, "is required: set it with `pulumi config set " + GCP_PROJECT.name() + " <project-id>`");
        } else if (!PROJECT_ID_FORM.matcher(projectId).matches()) {
            bad(GCP_PROJECT, projectId, "is not a GCP project ID (6-30 lowercase letters, digits and hyphens, starting with a letter)");
        }
        String region = str(REGION);
        boolean regionOk = REGION_FORM.matcher(region).matches();
        if (!regionOk) {
            bad(REGION, region, "is not a GCP region (e.g. us-central1)");
        }
        List<String> zones = list(GPU_ZONES);
        for (String zone : zones) {
            var m = ZONE_FORM.matcher(zone);
            if (!m.matches()) {
                bad(GPU_ZONES, zone, "is not a GCP zone (e.g. " + region + "-a)");
            } else if (regionOk && !m.group(1).equals(region)) {
                bad(GPU_ZONES, zone, "is not in region " + region);
            }
        }
        var gcp = new Settings.Gcp(projectId, region, zones);

        var network = new Settings.Network(
                str(NETWORK_NAME), str(SUBNETWORK_NAME),
                cidr(SUBNET_CIDR), cidr(PODS_CIDR), cidr(SERVICES_CIDR),
                label(PODS_RANGE_NAME), label(SERVICES_RANGE_NAME));
        if (!network.existingNetwork().isEmpty() && network.existingSubnetwork().isEmpty()) {
            problem(SUBNETWORK_NAME, "is required when " + key(NETWORK_NAME) + " names an existing network");
        }
        if (network.existingNetwork().isEmpty() && !network.existingSubnetwork().isEmpty()) {
            problem(NETWORK_NAME, "is required when " + key(SUBNETWORK_NAME) + " names an existing subnetwork");
        }

        String gkeVersionText = str(GKE_VERSION);
        GkeVersionPin gkeVersion = GkeVersionPin.parse(gkeVersionText).orElse(null);
        if (gkeVersion == null) {
            bad(GKE_VERSION, gkeVersionText, "is not a GKE version: leave it empty (the release channel's default), "
                    + "give a minor such as 1.33, or a full version such as " + GkeVersion.DWS_MINIMUM);
        }
        String clusterName = label(CLUSTER_NAME);
        if (clusterName.length() > 24) {
            // The node service account is <cluster>-nodes, and GCP account IDs stop at 30 characters.
            bad(CLUSTER_NAME, clusterName, "is longer than 24 characters (the node service account "
                    + clusterName + "-nodes must fit GCP's 30)");
        }
        var cluster = new Settings.Cluster(
                clusterName,
                oneOf(RELEASE_CHANNEL, "RAPID", "REGULAR", "STABLE"),
                gkeVersion,
                bool(DELETION_PROTECTION),
                machineType(SYSTEM_MACHINE_TYPE),
                positive(SYSTEM_NODES_PER_ZONE),
                bool(PRIVATE_NODES),
                cidrs(CONTROL_PLANE_AUTHORIZED_NETWORKS));

        String gpuMachineName = str(GPU_MACHINE_TYPE);
        MachineShape gpuMachine = MachineShape.byName(gpuMachineName).orElse(null);
        if (gpuMachine == null) {
            bad(GPU_MACHINE_TYPE, gpuMachineName, "is not a known machine shape (known: "
                    + String.join(", ", MachineShape.knownNames()) + ")");
        }
        var gpuPool = new Settings.GpuPool(
                label(GPU_POOL_NAME),
                gpuMachine,
                str(ACCELERATOR_TYPE),
                positive(ACCELERATORS_PER_NODE),
                positive(GPU_NODE_COUNT),
                nonNegative(GPU_MIN_NODES),
                oneOf(GPU_DRIVER_VERSION, "DEFAULT", "LATEST"),
                oneOf(GPU_IMAGE_TYPE, "COS_CONTAINERD", "UBUNTU_CONTAINERD"),
                atLeast(GPU_DISK_SIZE_GB, 10),
                Settings.Provisioning.byConfigName(oneOf(GPU_PROVISIONING, "queued", "flex-start", "on-demand", "spot",
                        "reservation")).orElseThrow(),
                matching(GPU_RESERVATION, RESERVATION_NAME, "is not a Compute Engine reservation name (lowercase letters, digits, hyphens; up to 63)"),
                atLeast(DWS_GENERATION, 1),
                bool(GPU_AUTO_REPAIR),
                bool(COMPACT_PLACEMENT),
                integerAsIs(DWS_MAX_RUN_DURATION),
                quantity(DAEMONSET_MEMORY, true),
                quantity(DAEMONSET_CPU, true));

        var workload = new Settings.Workload(
                label(NAMESPACE),
                label(RELEASE_NAME),
                nonEmpty(CHART_PATH),
                // The chart's values: their forms and ranges are the chart's schema's to judge (stack.ChartValidation).
                str(IMAGE_TAG),
                modelOrEngineDefault(),
                integerAsIs(NUM_PARALLEL),
                integerAsIs(MAX_QUEUE),
                str(KEEP_ALIVE),
                integerAsIs(CONTEXT_LENGTH),
                bool(FLASH_ATTENTION),
                quantity(CPU_REQUEST, false),
                quantity(MEMORY_REQUEST, false),
                quantity(MEMORY_LIMIT, false),
                integerAsIs(GPUS_PER_POD),
                integerAsIs(REPLICAS),
                bool(HPA_ENABLED),
                bool(HPA_PINNED),
                integerAsIs(HPA_MIN_REPLICAS),
                integerAsIs(HPA_MAX_REPLICAS));

        // Source ranges, port and Secret name go to the chart as they are; its schema judges their form.
        List<String> sourceRanges = list(LB_SOURCE_RANGES);
        int port = integerAsIs(SERVICE_PORT);
        String apiKeysSecret = str(API_KEYS_SECRET);
        List<String> apiKeys = new ArrayList<>();
        String rawKeys = str(API_KEYS);
        if (!rawKeys.isEmpty()) {
            if (!secretKeys.contains(key(API_KEYS))) {
                problem(API_KEYS, "must be set as a secret: pulumi config set --secret " + API_KEYS.name() + " <key1,key2>");
            }
            int i = 0;
            Map<String, Integer> seen = new HashMap<>();
            for (String k : rawKeys.split(",", -1)) {
                i++;
                String key = k.strip();
                // Never echo a secret: name its position only.
                Integer first = seen.putIfAbsent(key.toLowerCase(Locale.ROOT), i);
                if (!API_KEY_FORM.matcher(key).matches()) {
                    problem(API_KEYS, "key #" + i + " is not 16-256 characters of letters, digits and ._~+/=-");
                } else if (first != null) {
                    // Keys match exactly, but two that differ only in case are one key typed twice, or a guessable pair.
                    problem(API_KEYS, "key #" + i + " repeats key #" + first + " (keys that differ only in case count as the same)");
                } else {
                    apiKeys.add(key);
                }
            }
            if (!apiKeysSecret.isEmpty()) {
                problem(API_KEYS, "and " + key(API_KEYS_SECRET) + " are both set; use one");
            }
        }
        String certificate = str(TLS_CERTIFICATE).strip();
        String tlsKey = str(TLS_KEY);
        List<String> tlsKeys = new ArrayList<>();
        if (!tlsKey.isEmpty() && !secretKeys.contains(key(TLS_KEY))) {
            problem(TLS_KEY, "must be set as a secret: pulumi config set --secret " + TLS_KEY.name() + " < key.pem");
        }
        if (certificate.isEmpty() != tlsKey.isEmpty()) {
            problem(certificate.isEmpty() ? TLS_KEY : TLS_CERTIFICATE, "needs " + key(certificate.isEmpty() ? TLS_CERTIFICATE : TLS_KEY)
                    + " too: HTTPS needs the certificate and its private key");
        } else if (!certificate.isEmpty()) {
            // The form only; the gateway's nginx judges the rest when it loads them.
            if (!certificate.startsWith("-----BEGIN CERTIFICATE-----")) {
                problem(TLS_CERTIFICATE, "is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)");
            }
            if (!tlsKey.strip().startsWith("-----BEGIN ") || !tlsKey.contains("PRIVATE KEY-----")) {
                // Never echo a secret.
                problem(TLS_KEY, "is not a PEM private key (-----BEGIN ... PRIVATE KEY----- ...)");
            }
            tlsKeys.add(tlsKey.strip() + "\n");
        }
        var tls = new Settings.Tls(certificate.isEmpty() ? "" : certificate + "\n", new Settings.SecretList(tlsKeys),
                bool(PLAIN_HTTP), bool(ALLOW_API_KEYS_OVER_PLAIN_HTTP), bool(ALLOW_PUBLIC_ACCESS_WITHOUT_KEYS));
        var service = new Settings.Service(
                str(SERVICE_TYPE),
                port,
                sourceRanges,
                bool(INTERNAL_LB),
                bool(ALLOW_PUBLIC_ACCESS),
                bool(GATEWAY_ENABLED),
                // Its range (1..contextLength) is the chart's rule (gateway.policy.maxOutputTokens).
                integerAsIs(MAX_OUTPUT_TOKENS),
                apiKeysSecret,
                new Settings.SecretList(apiKeys),
                tls,
                // Their form is the chart's schema's (gateway.limits.exemptSources).
                list(LOAD_TEST_SOURCE_RANGES));

        var providers = new Settings.ProviderPlugins(
                gcpPluginVersion(),
                matching(K8S_PLUGIN_VERSION, SEMVER, "is not a plugin version (e.g. 4.34.2)"));

        String engineKind = oneOf(ENGINE, Settings.Engine.OLLAMA, Settings.Engine.VLLM);
        // The vLLM values' bounds and choices (gpuMemoryUtilization in (0, 0.98], dtype, quantization) are the chart's
        // schema's: the chart is asked (stack.ChartValidation). Here only their type, and that they apply to vLLM.
        double gpuMemory = 0;
        String utilization = str(GPU_MEMORY_UTILIZATION);
        try {
            gpuMemory = Double.parseDouble(utilization);
        } catch (NumberFormatException e) {
            bad(GPU_MEMORY_UTILIZATION, utilization, "is not a number (a share of the GPU's memory such as 0.9)");
        }
        if (!Settings.Engine.VLLM.equals(engineKind)) {
            for (ConfigKey vllmOnly : List.of(GPU_MEMORY_UTILIZATION, DTYPE, QUANTIZATION)) {
                if (!str(vllmOnly).equals(vllmOnly.defaultValue())) {
                    bad(vllmOnly, str(vllmOnly), "is only used with " + key(ENGINE) + " vllm (it is " + engineKind + ")");
                }
            }
        }
        List<String> hfToken = new ArrayList<>();
        String rawToken = str(HF_TOKEN);
        if (!rawToken.isEmpty()) {
            if (!secretKeys.contains(key(HF_TOKEN))) {
                problem(HF_TOKEN, "must be set as a secret: pulumi config set --secret " + HF_TOKEN.name() + " <token>");
            }
            if (!Settings.Engine.VLLM.equals(engineKind)) {
                problem(HF_TOKEN, "is only used with " + key(ENGINE) + " vllm (Ollama pulls from its own registry)");
            }
            hfToken.add(rawToken.strip());
        }
        var engine = new Settings.Engine(engineKind, gpuMemory,
                str(DTYPE),
                str(QUANTIZATION),
                new Settings.SecretList(hfToken));
        if (engine.isVllm() && !workload.model().contains("/")) {
            bad(MODEL, workload.model(), "is an Ollama model name, but " + key(ENGINE)
                    + " vllm serves a Hugging Face id such as meta-llama/Llama-3.1-8B-Instruct");
        }

        return new Settings(project, gcp, network, cluster, gpuPool, workload, service, providers, engine);
    }

    /**
     * Config namespaces a stack file of this project may hold besides its own: the providers the program uses and
     * Pulumi's own. Any other namespace is a typo ({@code aiinference:memoryLimit}) that would otherwise fall back to
     * the default without a word.
     */
    static final List<String> OTHER_NAMESPACES = List.of("gcp", "kubernetes", "pulumi");

    private void rejectUnknownKeys() {
        String prefix = project + ":";
        Set<String> unknown = new TreeSet<>();
        Set<String> foreign = new TreeSet<>();
        for (String fullKey : config.keySet()) {
            int colon = fullKey.indexOf(':');
            String namespace = colon < 0 ? project : fullKey.substring(0, colon);
            if (!namespace.equals(project) && !OTHER_NAMESPACES.contains(namespace)) {
                foreign.add(fullKey);
            }
            if (fullKey.startsWith(prefix) && ConfigKeys.byName(fullKey.substring(prefix.length())).isEmpty()) {
                unknown.add(fullKey.substring(prefix.length()));
            }
        }
        for (String name : unknown) {
            String hint = ConfigKeys.closest(name).map(k -> " (did you mean " + prefix + k + "?)").orElse("");
            problems.add(prefix + com.aiinference.core.Text.clip(name, 80) + " is not a known key of this project" + hint);
        }
        java.util.Map<String, List<String>> byNamespace = new java.util.TreeMap<>();
        foreign.forEach(k -> byNamespace.computeIfAbsent(k.substring(0, k.indexOf(':')), n -> new ArrayList<>()).add(k));
        byNamespace.forEach((namespace, keys) -> {
            String first = keys.get(0);
            String name = first.substring(first.indexOf(':') + 1);
            String hint = ConfigKeys.byName(name).isPresent() ? " (did you mean " + prefix + name + "?)"
                    : ConfigKeys.closest(name).map(k -> " (did you mean " + prefix + k + "?)").orElse("");
            problems.add(com.aiinference.core.Text.clip(first, 80) + (keys.size() == 1 ? "" : " and " + (keys.size() - 1)
                    + " more") + ": namespace '" + com.aiinference.core.Text.clip(namespace, 40)
                    + "' is neither this project's (" + project + ") nor one of " + String.join(", ", OTHER_NAMESPACES) + hint);
        });
    }

    // ---- typed readers: each records a problem and returns a harmless value so parsing can go on ----

    private String raw(ConfigKey key) {
        return config.get(project + ":" + key.name());
    }

    private String str(ConfigKey key) {
        String v = raw(key);
        if (v == null) {
            return key.defaultValue() == null ? "" : (String) key.defaultValue();
        }
        return v.strip();
    }

    private String nonEmpty(ConfigKey key) {
        String v = str(key);
        if (v.isEmpty()) {
            problem(key, "must not be empty");
        }
        return v;
    }

    private String gcpPluginVersion() {
        String v = str(GCP_PLUGIN_VERSION);
        String floor = Settings.ProviderPlugins.GCP_FLEX_START_MINIMUM;
        if (!EXACT_RELEASE.matcher(v).matches()) {
            bad(GCP_PLUGIN_VERSION, v, "is not an exact plugin release (x.y.z, e.g. 9.37.0)");
        } else if (PolicyRules.compareRelease(v, floor) < 0) {
            bad(GCP_PLUGIN_VERSION, v, "is below " + floor + ", the first pulumi-gcp release whose NodePool knows nodeConfig.flexStart");
        }
        return v;
    }

    private String label(ConfigKey key) {
        String v = str(key);
        if (!DNS_LABEL.matcher(v).matches()) {
            bad(key, v, "is not a valid name (lowercase letters, digits and '-', starting with a letter, at most 40 characters)");
        }
        return v;
    }

    private String machineType(ConfigKey key) {
        String v = str(key);
        if (!MACHINE_TYPE.matcher(v).matches()) {
            bad(key, v, "is not a machine type (e.g. e2-standard-4)");
        } else {
            MachineShape.byName(v).filter(MachineShape::hasGpus).ifPresent(m ->
                    bad(key, v, "is a GPU machine; the system pool needs a general-purpose machine type"));
        }
        return v;
    }

    private String matching(ConfigKey key, Pattern pattern, String rule) {
        String v = str(key);
        if (!pattern.matcher(v).matches()) {
            bad(key, v, rule);
        }
        return v;
    }

    private String oneOf(ConfigKey key, String... allowed) {
        String v = str(key);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        bad(key, v, "is not one of " + String.join(", ", allowed));
        return allowed[0];
    }

    private String cidr(ConfigKey key) {
        String v = str(key);
        if (Cidr.parse(v).isEmpty()) {
            bad(key, v, "is not a CIDR (e.g. 10.10.0.0/20)");
        }
        return v;
    }

    /** {@code model}, or when it is empty the engine's default (the chart's): one line switches the engine. */
    private String modelOrEngineDefault() {
        String model = str(MODEL);
        if (!model.isEmpty()) {
            return model;
        }
        return Settings.Engine.VLLM.equals(str(ENGINE)) ? ChartContract.DEFAULT_VLLM_MODEL : ChartContract.DEFAULT_MODEL;
    }

    private List<String> cidrs(ConfigKey key) {
        List<String> out = list(key);
        for (String v : out) {
            if (Cidr.parse(v).isEmpty()) {
                bad(key, v, "is not a CIDR (e.g. 203.0.113.0/24)");
            }
        }
        return out;
    }

    private boolean bool(ConfigKey key) {
        String v = raw(key);
        if (v == null) {
            return (Boolean) key.defaultValue();
        }
        return switch (v.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                bad(key, v, "is not a boolean (true or false; Pulumi reads YAML 1.2, where yes, no, on and off are text)");
                yield (Boolean) key.defaultValue();
            }
        };
    }

    private int integerAsIs(ConfigKey key) {
        String v = raw(key);
        if (v == null) {
            return (Integer) key.defaultValue();
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            bad(key, v, "is not an integer");
            return (Integer) key.defaultValue();
        }
    }

    private int positive(ConfigKey key) {
        return atLeast(key, 1);
    }

    private int nonNegative(ConfigKey key) {
        return atLeast(key, 0);
    }

    private int atLeast(ConfigKey key, int min) {
        int v = integerAsIs(key);
        if (v < min) {
            bad(key, v, min == 1 ? "must be at least 1" : "must be at least " + min);
            return (Integer) key.defaultValue();
        }
        return v;
    }

    private Quantity quantity(ConfigKey key, boolean zeroAllowed) {
        String v = str(key);
        Quantity q = Quantity.parse(v).orElse(null);
        if (q == null) {
            bad(key, v, "is not a Kubernetes quantity (e.g. 40Gi, 512Mi, 8, 500m)");
            return Quantity.parse((String) key.defaultValue()).orElseThrow();
        }
        if (!zeroAllowed && !q.isPositive()) {
            bad(key, v, "must be greater than zero");
        }
        return q;
    }

    @SuppressWarnings("unchecked")
    private List<String> list(ConfigKey key) {
        String v = raw(key);
        if (v == null) {
            return (List<String>) key.defaultValue();
        }
        try {
            JsonNode node = JSON.readTree(v);
            if (node != null && node.isArray()) {
                List<String> out = new ArrayList<>();
                for (JsonNode item : node) {
                    if (!item.isTextual()) {
                        bad(key, v, "must be a list of strings");
                        return List.of();
                    }
                    out.add(item.asText().strip());
                }
                return out;
            }
        } catch (JsonProcessingException e) {
            // fall through: a plain string is not a list
        }
        bad(key, v, "must be a list (in the stack file: a YAML list; on the CLI: pulumi config set --path '"
                + key.name() + "[0]' VALUE)");
        return List.of();
    }

    private String key(ConfigKey key) {
        return project + ":" + key.name();
    }

    private void bad(ConfigKey key, Object value, String rule) {
        problems.add(key(key) + " " + com.aiinference.core.Text.clip(String.valueOf(value), 80) + " " + rule);
    }

    private void problem(ConfigKey key, String rule) {
        problems.add(key(key) + " " + rule);
    }
}
