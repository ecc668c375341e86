package com.aiinference.status;

import com.aiinference.cli.CliException;
import com.aiinference.cli.Durations;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.OutputFormat;
import com.aiinference.cli.StackOutputs;
import com.aiinference.cli.StackOutputsOptions;
import com.aiinference.kube.KubeAccess;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code status}: where a deployed stack stands on its way to serving, from its kubeconfig. {@code pulumi up} returns
 * once the objects exist; this follows the rest (the DWS queue, nodes, driver, image, model, load balancer) and says when
 * queued nodes will be removed.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Follow a deployed stack: the DWS request, GPU nodes, pods, the model and the endpoint.",
        description = {
            "Follow a deployed stack from its kubeconfig: the ProvisioningRequest's conditions (Pending, Accepted, "
                    + "Provisioned; QuotaExceeded, ResourcePoolExhausted, BookingExpired, CapacityRevoked quoted), GPU nodes "
                    + "joined and their GPUs allocatable, pods scheduled / pulling / loading the model / Ready, the load "
                    + "balancer's address, and the time left before queued or flex-start nodes are removed.",
            "Target: --stack NAME or --outputs FILE, or --kubeconfig FILE [--namespace NS] [--release NAME].",
            "The report goes to stdout; with --wait a progress line goes to stderr (rewritten in place on a terminal, "
                    + "one line per change otherwise)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ready: every replica Ready with the model loaded, the load balancer on its address",
            "1:a failed state (the request Failed, capacity revoked, the wrong address), not ready yet, or --wait timed out",
            "2:invalid usage or input, missing outputs, the Kubernetes API unreachable"
        })
public final class StatusCommand implements Callable<Integer> {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** Below this much time left, the report says to renew now. */
    static final Duration RENEW_WARNING = Duration.ofHours(24);


    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    StackOutputsOptions stack;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--wait", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Poll until ready (exit 0), a failed state (exit 1) or this long has passed (exit 1), e.g. 30m.")
    Duration wait;

    @Option(names = "--interval", paramLabel = "DURATION", converter = Durations.Converter.class, defaultValue = "10s",
            description = "Time between polls with --wait (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    /** The clock the countdown and the wait use. */
    private final Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        if (wait != null && (wait.isNegative() || wait.isZero())) {
            throw CliException.usage("--wait must be a positive duration, e.g. 30m");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw CliException.usage("--interval must be a positive duration, e.g. 10s");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<StackOutputs> outputs = stack.resolve(System.in);
        if (outputs.isEmpty() && cluster.kubeconfig == null) {
            throw CliException.usage("give --stack NAME, --outputs FILE or --kubeconfig FILE");
        }
        KubeAccess access = cluster.access(outputs);
        String release = cluster.release(outputs);
        Integer replicas = outputs.flatMap(o -> o.integer("replicas")).orElse(null);
        var target = new PlatformTarget(access, cluster.namespace(outputs), release, null,
                new Expectations(replicas, outputs.flatMap(o -> o.get("model")).orElse(null), null, null, null));

        try (KubernetesClient client = access.connect()) {
            access.ensureReachable(client);
            var inspector = StatusInspector.of(client, target, outputs, clock);
            PlatformStatus status = inspector.read();
            if (wait != null) {
                status = new StatusWatch(inspector, clock, interval).follow(status, wait, err);
            }
            print(status, out);
            if (status.ready()) {
                return ExitCodes.OK;
            }
            throw new CliException(ExitCodes.CHECK_FAILED, status.notReady(wait));
        }
    }

    private void print(PlatformStatus s, PrintWriter out) {
        if (format == OutputFormat.json) {
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json(s)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out.flush();
            return;
        }
        out.printf(Locale.ROOT, "state        %s: %s%n", s.stage().name(), s.stage().meaning());
        out.printf(Locale.ROOT, "             %s%n", s.summary());
        s.request().ifPresent(r -> {
            out.printf(Locale.ROOT, "DWS request  %s: %s%n", r.name(), r.phase().name());
            if (r.conditions().isEmpty()) {
                out.println("             no conditions yet");
            }
            r.conditions().forEach(c -> out.println("             " + c));
        });
        var n = s.nodes();
        out.printf(Locale.ROOT, "GPU nodes    %s%n", n.readable()
                ? n.joined() + " of " + n.expected() + " joined" + (n.pool().isBlank() ? "" : " (pool " + n.pool() + ")")
                        + ", GPUs allocatable on " + n.withGpus()
                : "not readable (nodes list refused)");
        var p = s.pods();
        out.printf(Locale.ROOT, "pods         %d of %d Ready with the model loaded; %d not scheduled, %d pulling the image, "
                + "%d pulling/loading the model%n", p.ready(), p.expected(), p.unscheduled(), p.pullingImage(), p.loadingModel());
        p.problems().forEach(x -> out.println("             " + x));
        var e = s.endpoint();
        out.printf(Locale.ROOT, "endpoint     %s%n", !e.loadBalancer() ? "Service " + e.service() + " (ClusterIP: no load balancer)"
                : "Service " + e.service() + ": load balancer " + (e.assigned().isEmpty() ? "has no address yet" : "at " + e.assigned())
                        + (e.reserved().isEmpty() ? "" : ", reserved " + e.reserved()));
        if (s.expiry().isPresent()) {
            var x = s.expiry().get();
            out.printf(Locale.ROOT, "nodes end    %s (%s); %s%n", x.left().isNegative() ? "overdue since " + left(x.left().negated())
                    : "removed in " + left(x.left()), UTC.format(x.removeAt()), x.basis());
            if (s.request().isPresent() && x.left().compareTo(RENEW_WARNING) < 0) {
                out.println("             renew now: a new ProvisioningRequest (pulumi config set dwsGeneration <next>; "
                        + "pulumi up) needs new capacity, and the service is down until it is granted (docs/stack.md)");
            }
        }
        out.flush();
    }

    private static ObjectNode json(PlatformStatus s) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("at", s.at().toString());
        root.put("stage", s.stage().name());
        root.put("ready", s.ready());
        root.put("summary", s.summary());
        s.request().ifPresentOrElse(r -> {
            ObjectNode o = root.putObject("provisioningRequest");
            o.put("name", r.name());
            o.put("phase", r.phase().name());
            ArrayNode c = o.putArray("conditions");
            r.conditions().forEach(c::add);
            r.provisionedAt().ifPresent(t -> o.put("provisionedAt", t.toString()));
            o.put("maxRunDurationSeconds", r.maxRunDuration().toSeconds());
        }, () -> root.putNull("provisioningRequest"));
        ObjectNode nodes = root.putObject("gpuNodes");
        nodes.put("pool", s.nodes().pool());
        nodes.put("expected", s.nodes().expected());
        nodes.put("joined", s.nodes().joined());
        nodes.put("withGpusAllocatable", s.nodes().withGpus());
        nodes.put("readable", s.nodes().readable());
        ObjectNode pods = root.putObject("pods");
        pods.put("expected", s.pods().expected());
        pods.put("existing", s.pods().total());
        pods.put("unscheduled", s.pods().unscheduled());
        pods.put("pullingImage", s.pods().pullingImage());
        pods.put("loadingModel", s.pods().loadingModel());
        pods.put("ready", s.pods().ready());
        ArrayNode problems = pods.putArray("problems");
        s.pods().problems().forEach(problems::add);
        ObjectNode endpoint = root.putObject("endpoint");
        endpoint.put("service", s.endpoint().service());
        endpoint.put("loadBalancer", s.endpoint().loadBalancer());
        endpoint.put("reserved", s.endpoint().reserved());
        endpoint.put("assigned", s.endpoint().assigned());
        s.expiry().ifPresentOrElse(x -> {
            ObjectNode o = root.putObject("nodesRemoved");
            o.put("at", x.removeAt().toString());
            o.put("secondsLeft", x.left().toSeconds());
            o.put("basis", x.basis());
        }, () -> root.putNull("nodesRemoved"));
        return root;
    }

    /** {@code 6d 23h 59m}, {@code 3h 05m}, {@code 42m}, {@code 30s}. */
    static String left(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86400;
        long hours = (s % 86400) / 3600;
        long minutes = (s % 3600) / 60;
        if (days > 0) {
            return String.format(Locale.ROOT, "%dd %02dh %02dm", days, hours, minutes);
        }
        if (hours > 0) {
            return String.format(Locale.ROOT, "%dh %02dm", hours, minutes);
        }
        return minutes > 0 ? minutes + "m" : s + "s";
    }
}
