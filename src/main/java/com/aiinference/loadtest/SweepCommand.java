package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.Durations;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.FractionConverter;
import com.aiinference.cli.StackOutputs;
import com.aiinference.core.Format;
import com.aiinference.io.UserFiles;
import com.aiinference.loadtest.engine.Api;
import com.aiinference.loadtest.engine.ClientLimits;
import com.aiinference.loadtest.engine.InterruptHook;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.loadtest.sweep.Sweep;
import com.aiinference.loadtest.sweep.SweepInputException;
import com.aiinference.loadtest.sweep.SweepReport;
import com.aiinference.loadtest.sweep.SweepResult;
import com.aiinference.loadtest.sweep.SweepSignals;
import com.aiinference.loadtest.sweep.SweepStep;
import com.aiinference.report.ReportFiles;
import com.aiinference.signals.SignalSampler;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code loadtest sweep}: the load test step by step from low to high load until throughput stops rising or the
 * SLO breaks; prints the table, marks the knee, writes JSON for {@code loadtest capacity} and an HTML curve.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Find the knee: the load test in rising steps until the SLO breaks or throughput stops rising.",
        description = {
            "Run the load test in steps of concurrency (--concurrency 8,16,32) or open-loop rate (--rates 1,2,4),",
            "each a short bounded run on the same endpoint, until every step ran, a step breaks the SLO, or throughput",
            "rises less than --min-gain over the best step before. Prints the table and the knee (the highest load",
            "within the SLO); --report-json feeds 'loadtest capacity'. Without --slo the knee only needs",
            "success>=99.9%%: give a latency objective (e.g. --slo \"p95<5s\") for a useful knee."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the sweep ran and found a knee (at least the first step was within the SLO)",
            "1:even the first step broke the SLO (knee null), or a step was aborted (--max-error-rate, every request"
                    + " failing)",
            "2:invalid usage or input (empty or non-rising steps), no target, target unreachable, the pre-flight"
                    + " request failed",
            "130:stopped by Ctrl-C: the steps so far are printed and written, the cut step marked 'stopped' and not"
                    + " judged; 'loadtest capacity' refuses such a sweep"
        })
public final class SweepCommand implements Callable<Integer> {
    /** The SLO a knee needs when --slo is not given: verify's default success share. */
    static final String DEFAULT_SLO = "success>=99.9%";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    TargetOptions where;

    @Option(names = "--concurrency", paramLabel = "N,N,...",
            description = "Closed-loop steps: concurrent users per step, rising, e.g. 8,16,32,64.")
    String concurrency;

    @Option(names = "--rates", paramLabel = "R,R,...",
            description = "Open-loop steps instead: requests/s per step (Poisson arrivals), rising, e.g. 1,2,4,8.")
    String rates;

    @Option(names = "--step-duration", paramLabel = "DURATION", defaultValue = "20s", converter = Durations.Converter.class,
            description = "Measured window of each step (each step also ends within --warmup + this + --timeout). Default: ${DEFAULT-VALUE}.")
    Duration stepDuration;

    @Option(names = "--replicas", paramLabel = "R",
            description = "Replicas serving the endpoint during the sweep (for per-replica capacity). Default: the stack outputs' 'replicas', else 1.")
    Integer replicas;

    @Option(names = "--min-gain", paramLabel = "FRACTION", defaultValue = "5%", converter = FractionConverter.class,
            description = "A step whose requests/s rise less than this over the best step before ends the sweep (throughput stopped rising). Default: ${DEFAULT-VALUE}.")
    double minGain;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Api api = run.api();
        run.checkFiles(java.util.Map.of(), where);
        if ((concurrency == null) == (rates == null)) {
            throw CliException.usage(concurrency == null
                    ? "give the steps: --concurrency N,N,... (closed loop) or --rates R,R,... (open loop)"
                    : "--concurrency and --rates are alternatives: give one");
        }
        String loadKey = concurrency != null ? SweepResult.CONCURRENCY : SweepResult.RATE;
        List<Double> loads = parseSteps(concurrency != null ? concurrency : rates, loadKey);
        TargetResolver.Target target = where.resolve(run::apiFor, System.in);
        api = target.api();
        int r;
        String replicasSource;
        if (replicas != null) {
            if (replicas < 1) {
                throw CliException.usage("--replicas must be at least 1, got " + replicas);
            }
            r = replicas;
            replicasSource = "--replicas";
        } else {
            Optional<String> fromStack = target.outputs().flatMap(o -> o.get("replicas"));
            if (fromStack.isPresent()) {
                r = parseReplicas(fromStack.get(), target.outputs().get());
                replicasSource = "stack output 'replicas' of " + target.outputs().get().source();
            } else {
                r = 1;
                replicasSource = "default (no --replicas, no stack outputs)";
            }
        }
        if (stepDuration.isZero() || stepDuration.isNegative()) {
            throw CliException.usage("--step-duration must be more than 0");
        }
        LoadTestConfig.Builder base = run.builder(target.stackModel().orElse(ChartContract.DEFAULT_MODEL)).api(api).duration(stepDuration)
                .tls(where.tls());
        if (run.slo == null || run.slo.isBlank()) {
            base.slo(Slo.parse(DEFAULT_SLO));
        }
        Sweep sweep;
        try {
            sweep = new Sweep(loadKey, loads, stepDuration, minGain, where.withApiKey(base.users(1).build(), target.outputs()));
            sweep.step(loads.get(0)); // a step's own rules (e.g. --turns needs users, not --rates): a usage error now
        } catch (IllegalArgumentException | SweepInputException e) {
            throw CliException.usage(e.getMessage());
        }
        URI uri = target.uri();
        // The highest step must fit this process: refused now rather than after the lower steps ran.
        ClientLimits.check(sweep.step(loads.get(loads.size() - 1)).load(), 1);
        Preflight.checkReachable(uri);
        if (run.preflight) {
            // The first step's request, once: a wrong --api, path or model is one line, not a step of failures.
            Preflight.Answer answer = Preflight.check(sweep.step(loads.get(0)), uri, err, "sweep");
            // Lengths in tokens: every step uses the characters per token the server's count of this request gives.
            sweep = new Sweep(sweep.loadKey(), sweep.loads(), sweep.stepDuration(), sweep.minGain(),
                    TrafficOptions.calibrate(sweep.base(), answer, err, "sweep"));
        }
        err.printf(Locale.ROOT, "sweep: %s -> %s, %s %s, %s per step, SLO %s, %d replica%s (%s) (stops by %s)%n",
                api.cliName(), uri, loadKey, joined(loads), Format.duration(stepDuration), sweep.base().slo(), r,
                r == 1 ? "" : "s", replicasSource, Format.duration(sweep.maxRunTime()));
        err.flush();
        SweepResult result;
        // The servers' own signals over the whole sweep, each step's window on their time line.
        java.util.Optional<SignalSampler> sampler = LoadTestCommand.signals(target, err);
        java.util.Map<Double, java.time.Instant[]> windows = new java.util.LinkedHashMap<>();
        try (InterruptHook interrupt = new InterruptHook("sweep")) {
            result = sweep.run(uri, r, replicasSource, (load, step) -> {
                var measured = LoadTestRunner.run(step, uri, err, interrupt.signal());
                windows.put(load, new java.time.Instant[] {measured.run().startedAt(), measured.run().startedAt()
                        .plusMillis(Math.round(measured.run().measuredS() * 1000))});
                return SweepStep.of(measured);
            }, err);
            SweepSignals signals = sampler.map(s -> sweepSignals(s, windows, result)).orElse(null);
            out.print(SweepReport.markdown(result));
            if (signals != null) {
                out.print(signals.markdown());
            }
            out.flush();
            try {
                if (run.reportJson != null) {
                    com.fasterxml.jackson.databind.node.ObjectNode json = ReportFiles.json().valueToTree(result);
                    if (signals != null) {
                        json.set("server_signals", ReportFiles.json().valueToTree(signals));
                    }
                    ReportFiles.writeJson(json, run.reportJson);
                    err.println("JSON report: " + run.reportJson + " (loadtest capacity --sweep " + run.reportJson
                            + " --users N)");
                }
                if (run.reportHtml != null) {
                    ReportFiles.writeText(SweepReport.html(result, signals), run.reportHtml);
                    err.println("HTML report: " + run.reportHtml);
                }
            } catch (UserFiles.UserFileException e) {
                throw CliException.usage(e.getMessage());
            }
            if (result.cutByUser().isPresent()) {
                // Said before the hook is released: after a Ctrl-C the JVM exits as soon as it is.
                err.println("loadtest sweep: " + result.stopped());
            }
            err.flush();
        } finally {
            sampler.ifPresent(SignalSampler::close);
        }
        if (result.cutByUser().isPresent()) {
            return ExitCodes.INTERRUPTED;
        }
        if (result.steps().stream().anyMatch(s -> s.aborted() != null)) {
            throw new CliException(ExitCodes.CHECK_FAILED, "stopped: " + result.stopped());
        }
        if (result.knee().isEmpty()) {
            throw new CliException(ExitCodes.CHECK_FAILED, "no knee: " + result.stopped());
        }
        return ExitCodes.OK;
    }

    /** The signals on the first step's time line, with each step's window. */
    private static SweepSignals sweepSignals(SignalSampler sampler, java.util.Map<Double, java.time.Instant[]> windows,
                                             SweepResult result) {
        java.time.Instant start = windows.values().stream().map(w -> w[0]).min(java.util.Comparator.naturalOrder())
                .orElse(java.time.Instant.now());
        java.util.Map<Double, double[]> seconds = new java.util.LinkedHashMap<>();
        windows.forEach((load, w) -> seconds.put(load, new double[] {
                java.time.Duration.between(start, w[0]).toMillis() / 1000.0,
                java.time.Duration.between(start, w[1]).toMillis() / 1000.0}));
        return SweepSignals.of(sampler.stop(start), seconds, result);
    }

    /** {@code 8,16,32}: numbers, positive and rising (the order is checked by {@link Sweep}). */
    static List<Double> parseSteps(String text, String loadKey) {
        String flag = SweepResult.RATE.equals(loadKey) ? "--rates" : "--concurrency";
        List<Double> list = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty()) {
                if (text.isBlank()) {
                    break;
                }
                throw CliException.usage(flag + " '" + text + "' has an empty step (steps are separated by single commas)");
            }
            try {
                list.add(Double.parseDouble(p));
            } catch (NumberFormatException e) {
                throw CliException.usage(flag + " step '" + p + "' is not a number");
            }
        }
        if (list.isEmpty()) {
            throw CliException.usage(flag + " has no steps");
        }
        return list;
    }

    private static int parseReplicas(String text, StackOutputs outputs) {
        try {
            int n = (int) Double.parseDouble(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw CliException.usage("stack output 'replicas' of " + outputs.source() + " is not a replica count: '" + text
                + "' (give --replicas)");
    }

    private static String joined(List<Double> loads) {
        StringBuilder sb = new StringBuilder();
        for (double v : loads) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v));
        }
        return sb.toString();
    }
}
