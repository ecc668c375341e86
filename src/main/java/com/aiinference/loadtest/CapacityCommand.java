package com.aiinference.loadtest;

import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.StackOutputsOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loadtest capacity}: replicas that hold N concurrent users within an SLO, from a sweep's JSON. */
@Command(
        name = "capacity",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "How many replicas of the measured configuration hold --users concurrent users within the SLO, from the",
            "per-replica curve of a 'loadtest sweep --report-json' file: knee / replicas of the sweep = users per",
            "replica; users / that, rounded up. Prints its assumptions; no figure it did not measure or derive."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the replica count was derived",
            "1:no step of the sweep met the SLO (nothing measured to scale from)",
            "2:invalid usage or input: no sweep file, not a sweep report, steps that do not rise, a sweep of another endpoint"
        })
public final class CapacityCommand implements Callable<Integer> {

    /** Output formats. */
    public enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sweep", paramLabel = "FILE", required = true, description = "The sweep's JSON report.")
    Path sweepFile;

    @Option(names = "--users", paramLabel = "N", required = true, description = "Concurrent users to hold.")
    int users;

    @Option(names = "--slo", paramLabel = "OBJECTIVES",
            description = "Judge the steps on these objectives (e.g. \"p95<5s\"). Default: the sweep's own SLO.")
    String slo;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json. Default: ${DEFAULT-VALUE}.")
    Format output;

    @Option(names = "--url", paramLabel = "URL",
            description = "Optional: the endpoint the answer is for; a sweep measured against another endpoint is refused.")
    String url;

    @Mixin
    StackOutputsOptions stack;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Slo objectives;
        try {
            objectives = Slo.parse(slo);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        SweepResult sweep;
        Capacity c;
        try {
            sweep = SweepResult.read(sweepFile);
            if (url != null || stack.isSet()) {
                Api api;
                try {
                    api = Api.parse(sweep.api());
                } catch (IllegalArgumentException e) {
                    throw new SweepInputException(sweepFile + ": api: " + e.getMessage());
                }
                URI want = TargetResolver.resolve(url, stack, api, System.in).uri();
                requireSameEndpoint(sweep, want);
            }
            c = Capacity.of(sweep, users, objectives);
        } catch (SweepInputException e) {
            throw CliException.usage(e.getMessage());
        } catch (Capacity.NoStepWithinSloException e) {
            if (output == Format.json) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.putNull("replicas");
                o.put("error", e.getMessage());
                out.println(o.toPrettyString());
                out.flush();
            }
            throw new CliException(ExitCodes.CHECK_FAILED, e.getMessage());
        }
        if (output == Format.json) {
            out.println(json(c, sweep).toPrettyString());
        } else {
            out.print(text(c, sweep));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The sweep must come from the same scheme, host and port as the endpoint asked about. */
    static void requireSameEndpoint(SweepResult sweep, URI want) {
        URI got;
        try {
            got = URI.create(sweep.target());
        } catch (IllegalArgumentException e) {
            throw new SweepInputException("the sweep's target '" + sweep.target() + "' is not a URL");
        }
        if (!origin(got).equals(origin(want))) {
            throw new SweepInputException("the sweep measured " + origin(got) + ", not " + origin(want)
                    + ": sweep this endpoint first");
        }
    }

    private static String origin(URI u) {
        int port = u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        return (u.getScheme() + "://" + u.getHost() + ":" + port).toLowerCase(Locale.ROOT);
    }

    static String text(Capacity c, SweepResult s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d concurrent users within %s: %d replica%s%n", c.users(), c.slo(),
                c.replicas(), c.replicas() == 1 ? "" : "s"));
        sb.append("  per replica: ").append(c.derivation()).append('\n');
        SweepStep k = c.knee();
        sb.append(String.format(Locale.ROOT, "  measured at the knee: latency p95 %s, TTFT p95 %s, %s req/s, %s output tok/s,"
                        + " %s succeeded%n", com.aiinference.loadtest.Format.millis(k.latency().p95()), com.aiinference.loadtest.Format.millis(k.ttft().p95()),
                com.aiinference.loadtest.Format.number(k.requestsPerSecond()), com.aiinference.loadtest.Format.number(k.outputTokensPerSecond()),
                com.aiinference.loadtest.Format.share(k.successRate())));
        sb.append("  sweep: ").append(s.target()).append(", ").append(s.steps().size()).append(" steps, started ")
                .append(s.startedAt()).append(", replicas from ").append(s.replicasSource()).append('\n');
        sb.append("Assumptions:\n");
        for (String a : c.assumptions()) {
            sb.append("  - ").append(a).append('\n');
        }
        return sb.toString();
    }

    static ObjectNode json(Capacity c, SweepResult s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("replicas", c.replicas());
        o.put("per_replica_concurrency", SweepStep.round(c.perReplicaConcurrency(), 3));
        o.put("users", c.users());
        o.put("slo", c.slo().toString());
        ObjectNode knee = o.putObject("knee");
        if (s.openLoop()) {
            knee.put(s.loadKey(), c.knee().load());
        } else {
            knee.put(s.loadKey(), (long) c.knee().load());
        }
        knee.put("requests_per_s", SweepStep.round(c.knee().requestsPerSecond(), 3));
        knee.put("latency_p95_ms", SweepStep.round(c.knee().latency().p95(), 3));
        o.put("sweep_replicas", s.replicas());
        o.put("target", s.target());
        o.put("derivation", c.derivation());
        ArrayNode a = o.putArray("assumptions");
        c.assumptions().forEach(a::add);
        return o;
    }

    /** Created when capacity runs, not when the loadtest command is built. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
}
