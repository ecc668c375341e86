package com.aiinference.loadtest;

import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.OutputFormat;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.sweep.Capacity;
import com.aiinference.loadtest.sweep.SweepInputException;
import com.aiinference.loadtest.sweep.SweepResult;
import com.aiinference.loadtest.sweep.SweepStep;
import com.aiinference.report.ReportFiles;
import com.aiinference.report.ReportVersion;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code loadtest capacity}: replicas that hold N concurrent users within an SLO, from a sweep's JSON. */
@Command(
        name = "capacity",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "How many replicas hold N users within the SLO, from a sweep's JSON report.",
        description = {
            "How many replicas of the measured configuration hold --users concurrent users within the SLO, from the",
            "per-replica curve of a 'loadtest sweep --report-json' file: knee / replicas of the sweep = users per",
            "replica; users / that, rounded up. Prints its assumptions; no figure it did not measure or derive.",
            "Optional --url, --stack or --outputs: the endpoint the answer is for; a sweep of another endpoint is refused."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the replica count was derived",
            "1:no step of the sweep met the SLO (nothing measured to scale from)",
            "2:invalid usage or input: no sweep file, not a sweep report, steps that do not rise, a sweep of another endpoint"
        })
public final class CapacityCommand implements Callable<Integer> {
    /** Output formats. */

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
    OutputFormat output;

    /** Optional: the endpoint the answer is for; a sweep measured against another endpoint is refused. */
    @Mixin
    TargetOptions where;

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
            if (where.isSet()) {
                Api api;
                try {
                    api = Api.parse(sweep.api());
                } catch (IllegalArgumentException e) {
                    throw new SweepInputException(sweepFile + ": api: " + e.getMessage());
                }
                URI want = where.originOf(api, System.in);
                requireSameEndpoint(sweep, want);
            }
            c = Capacity.of(sweep, users, objectives);
        } catch (SweepInputException e) {
            throw CliException.usage(e.getMessage());
        } catch (Capacity.NoStepWithinSloException e) {
            if (output == OutputFormat.json) {
                out.print(ReportFiles.toJson(Answer.refused(e.getMessage())));
                out.flush();
            }
            throw new CliException(ExitCodes.CHECK_FAILED, e.getMessage());
        }
        if (output == OutputFormat.json) {
            out.print(ReportFiles.toJson(Answer.of(c, sweep)));
        } else {
            out.print(text(c, sweep));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The sweep must come from the same scheme, host and port as the endpoint asked about. */
    public static void requireSameEndpoint(SweepResult sweep, URI want) {
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
                        + " %s succeeded%n", com.aiinference.core.Format.millis(k.latency().p95()), com.aiinference.core.Format.millis(k.ttft().p95()),
                com.aiinference.core.Format.number(k.requestsPerSecond()), com.aiinference.core.Format.number(k.outputTokensPerSecond()),
                com.aiinference.core.Format.share(k.requests().successShare())));
        sb.append("  sweep: ").append(s.target()).append(", ").append(s.steps().size()).append(" steps, started ")
                .append(s.startedAt()).append(", replicas from ").append(s.replicasSource()).append('\n');
        sb.append("Assumptions:\n");
        for (String a : c.assumptions()) {
            sb.append("  - ").append(a).append('\n');
        }
        return sb.toString();
    }

    /**
     * The JSON answer (Jackson data binding, the conventions of every report): the replicas and how they follow from
     * the knee; with no step within the SLO, {@code replicas} null and the reason in {@code error}.
     */
    @JsonPropertyOrder({"version", "replicas", "per_replica_concurrency", "users", "slo", "knee", "sweep_replicas",
            "target", "derivation", "assumptions", "error"})
    record Answer(ReportVersion version, Integer replicas, Double perReplicaConcurrency, Integer users, String slo,
                  Knee knee, Integer sweepReplicas, String target, String derivation, List<String> assumptions,
                  String error) {

        /** The knee step: its load (concurrency or rate, the other null), throughput and latency p95. */
        @JsonPropertyOrder({"concurrency", "rate", "requests_per_s", "latency_p95_ms"})
        record Knee(Long concurrency, Double rate, Double requestsPerS, Double latencyP95Ms) {}

        static Answer of(Capacity c, SweepResult s) {
            return new Answer(ReportVersion.current(), c.replicas(), c.perReplicaConcurrency(), c.users(),
                    c.slo().toString(), new Knee(c.knee().concurrency(), c.knee().rate(), c.knee().requestsPerSecond(),
                    c.knee().latency().p95()), s.replicas(), s.target(), c.derivation(), c.assumptions(), null);
        }

        static Answer refused(String reason) {
            return new Answer(ReportVersion.current(), null, null, null, null, null, null, null, null, null, reason);
        }
    }
}
