package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.StackOutputs;
import com.aiinference.core.Format;
import com.aiinference.kube.KubeAccess;
import com.aiinference.loadtest.distributed.ClusterWorkers;
import com.aiinference.loadtest.distributed.InClusterOptions;
import com.aiinference.loadtest.distributed.LocalWorkers;
import com.aiinference.loadtest.distributed.WorkerOutcome;
import com.aiinference.loadtest.distributed.WorkerSpec;
import com.aiinference.loadtest.engine.ClientLimits;
import com.aiinference.loadtest.engine.InterruptHook;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.loadtest.engine.TlsTrust;
import com.aiinference.report.HtmlReport;
import com.aiinference.report.MarkdownReport;
import com.aiinference.report.Report;
import com.aiinference.report.ReportFiles;
import com.aiinference.report.RunReport;
import com.aiinference.signals.SignalSampler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code loadtest}: load an Ollama (or OpenAI-compatible) endpoint, print the Verified Results table, write
 * reports and gate on SLOs.
 */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Load-test an Ollama or OpenAI-compatible endpoint: success, latency, TTFT, ITL, TPOT, tokens/s.",
            "Target: --url, or the 'endpoint' output of --stack NAME / --outputs FILE.",
            "One request is sent first (--no-preflight skips it); a run where every request fails stops early.",
            "Prints the report (Markdown) on stdout; progress goes to stderr (a live line when stderr is a terminal)."
        },
        subcommands = {SweepCommand.class, CapacityCommand.class, CompareCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run completed, at least one request succeeded and every --slo objective was met",
            "1:no request succeeded (or none was measured), an --slo objective was not met, or the run was aborted"
                    + " (--max-error-rate, every request failing, a request the HTTP client refused), or a --workers"
                    + " worker died (the others' results are still reported)",
            "2:invalid usage or input (e.g. a bad --workers count), no target, target unreachable, the pre-flight"
                    + " request failed",
            "130:stopped by Ctrl-C: the report of what was measured is still printed and written; requests cut by"
                    + " the stop are counted apart, not as failures. With --workers or --in-cluster each worker is told to"
                    + " stop (its pods deleted) and reports what it measured; a worker whose results are lost is named"
        })
public final class LoadTestCommand implements Callable<Integer> {
    /** Worker JVMs on one machine; more belong in the cluster. */
    static final int MAX_LOCAL_WORKERS = 32;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    TargetOptions where;

    @Mixin
    LoadTestOptions load;

    @Option(names = "--workers", paramLabel = "N",
            description = "Split the users (or the rate) over N worker processes on this machine and merge their results"
                    + " exactly (histograms merged, counts summed). Default: one process, no workers.")
    Integer workers;

    @Mixin
    InClusterOptions cluster;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        load.checkFiles(java.util.Map.of(), where);
        TargetResolver.Target target = where.resolve(load::apiFor, System.in);
        LoadTestConfig config = where.withApiKey(
                load.toConfig(target.stackModel().orElse(ChartContract.DEFAULT_MODEL), target.api()), target.outputs())
                .toBuilder().tls(where.tls()).build();
        URI uri = target.uri();
        cluster.check();
        if ((cluster.inCluster() || workers != null) && config.tls() != TlsTrust.SYSTEM) {
            // Worker processes and pods build their client from the worker spec, which carries no certificates.
            throw CliException.usage("--cacert and --insecure apply to this process's client only; they cannot be combined"
                    + " with --workers or --in-cluster");
        }
        if ((cluster.inCluster() || workers != null) && config.workload() != null) {
            // Worker specs carry the prompts, not a workload: conversations and drawn lengths run in one process.
            throw CliException.usage("--prompt-order, --input-tokens, --output-tokens, --turns, --think-time,"
                    + " --shared-prefix-tokens and conversation files run in one process; they cannot be combined with"
                    + " --workers or --in-cluster");
        }
        if (!cluster.inCluster()) {
            // Before the pre-flight: a load this machine cannot hold is refused, never run as server errors.
            ClientLimits.check(config.load(), workers == null ? 1 : workers);
        }
        WorkerSpec workerSpec = null;
        InCluster inCluster = null;
        if (cluster.inCluster()) {
            inCluster = inCluster(target, config, uri);
            workerSpec = inCluster.spec();
            uri = inCluster.spec().targetUri();
        } else if (workers != null) {
            workerSpec = spec(config, uri, workers);
            if (workers > MAX_LOCAL_WORKERS) {
                throw CliException.usage("--workers " + workers + " is more than " + MAX_LOCAL_WORKERS
                        + " processes on one machine (each is a JVM); use --in-cluster for more");
            }
            Preflight.checkReachable(uri);
        } else {
            Preflight.checkReachable(uri);
        }
        // The pre-flight request goes from here: in-cluster the target is the Service's DNS name, which only the pods reach.
        Preflight.Answer preflight = null;
        if (load.preflight() && inCluster == null) {
            preflight = Preflight.check(config, uri, err, "loadtest");
        }
        config = TrafficOptions.calibrate(config, preflight, err, "loadtest");
        String warning = inCluster != null ? null : PortForwardWarning.of(uri, config.load(), preflight).orElse(null);
        if (warning != null) {
            err.println("warning: " + warning);
        }
        err.printf(Locale.ROOT, "loadtest: %s -> %s, %s, %s%s (stops by %s)%s%n", config.api().cliName(), uri,
                config.load().describe(), Format.duration(config.duration()),
                config.warmup().isZero() ? "" : " after " + Format.duration(config.warmup()) + " warm-up",
                Format.duration(config.maxRunTime()), inCluster != null ? ", " + workerSpec.workers()
                        + " worker pod(s) in namespace " + inCluster.namespace()
                        : workers == null ? "" : ", " + workers + " worker processes");
        err.flush();
        // The servers' own signals, read through the stack's cluster while the load runs (not with --url alone).
        SignalSampler sampler = signals(target, err).orElse(null);
        try {
            if (inCluster != null) {
                return runInCluster(inCluster, config, sampler, out, err);
            }
            // Ctrl-C stops the run and still prints and writes what was measured (requests cut by it are counted apart).
            if (workerSpec != null) {
                return runLocalWorkers(new LocalWorkers(workerSpec, err), config, uri, warning, sampler, out, err);
            }
            LoadTestResult result;
            Report report;
            try (InterruptHook interrupt = new InterruptHook("loadtest")) {
                result = LoadTestRunner.run(config, uri, err, interrupt.signal());
                if (warning != null) {
                    result = result.withWarning(warning);
                }
                // Inside the hook: once it is released after a Ctrl-C, the JVM ends (exit 130) and prints nothing more.
                report = report(result, config, sampler, out, err);
            }
            return verdict(result, report, null);
        } finally {
            if (sampler != null) {
                sampler.close();
            }
        }
    }

    /**
     * A sampler of the servers' signals when the target came from stack outputs with a kubeconfig; empty (and a
     * warning when the cluster cannot be reached) otherwise.
     */
    static java.util.Optional<SignalSampler> signals(TargetResolver.Target target, PrintWriter err) {
        return target.outputs().filter(o -> o.get(StackOutputs.KUBECONFIG).isPresent()).flatMap(o -> {
            KubeAccess access;
            try {
                access = KubeAccess.fromText(o.require(StackOutputs.KUBECONFIG), "output 'kubeconfig' of " + o.source(), null);
            } catch (RuntimeException e) {
                err.println("warning: the servers' signals are not read: " + e.getMessage());
                return java.util.Optional.empty();
            }
            return SignalSampler.connect(access, o.get(StackOutputs.NAMESPACE).orElse(ChartContract.CHART_NAME),
                    o.get(StackOutputs.RELEASE_NAME).orElse(ChartContract.CHART_NAME), target.stackModel().orElse(null), err);
        });
    }

    /** {@code --workers N}: the load from N local worker processes; Ctrl-C tells each to stop and report. */
    private static int runLocalWorkers(LocalWorkers local, LoadTestConfig config, URI uri, String warning,
                                       SignalSampler sampler, PrintWriter out, PrintWriter err) {
        try (InterruptHook interrupt = new InterruptHook("loadtest", local::stop, InterruptHook.HOLD)) {
            List<WorkerOutcome> outcomes;
            try {
                outcomes = local.run(); // a worker that cannot start: WorkersNotStarted, exit 2
            } catch (LocalWorkers.WorkersNotStarted e) {
                if (!interrupt.interrupted()) {
                    throw e;
                }
                return stoppedBeforeResults(err, "before the workers started");
            }
            return reportWorkers(outcomes, warning == null ? List.of() : List.of(warning), interrupt, config, uri, sampler,
                    out, err);
        }
    }

    /**
     * Merges the workers' outcomes and reports them: called inside the {@link InterruptHook}, so a Ctrl-C'd run still
     * prints and writes its report (marked as stopped by the user, with the workers whose results were lost) before
     * the JVM exits with 130.
     */
    private static int reportWorkers(List<WorkerOutcome> outcomes, List<String> warnings, InterruptHook interrupt,
                                     LoadTestConfig config, URI uri, SignalSampler sampler, PrintWriter out,
                                     PrintWriter err) {
        boolean stopped = interrupt.interrupted();
        String failure = WorkerOutcome.failureLine(outcomes);
        java.util.Optional<LoadTestResult> merged = WorkerOutcome.merge(outcomes, config, uri, stopped ? "Ctrl-C" : null);
        if (merged.isEmpty()) {
            if (stopped) {
                return stoppedBeforeResults(err, "before any worker reported: " + failure);
            }
            throw new CliException(ExitCodes.CHECK_FAILED, failure);
        }
        LoadTestResult result = merged.get();
        for (String w : warnings) {
            result = result.withWarning(w);
        }
        Report report = report(result, config, sampler, out, err);
        if (stopped) {
            if (failure != null) {
                err.println("loadtest: " + failure);
                err.flush();
            }
            return ExitCodes.INTERRUPTED;
        }
        return verdict(result, report, failure);
    }

    /** Ctrl-C before anything was measured: one line (printed here, since the JVM exits once the hook is released). */
    private static int stoppedBeforeResults(PrintWriter err, String when) {
        err.println("loadtest: stopped by the user (Ctrl-C) " + when + "; nothing was measured, no report");
        err.flush();
        return ExitCodes.INTERRUPTED;
    }

    /**
     * The report's verdict as an exit code: a failed worker is 1, the user's stop 130, an abort, nothing succeeded or
     * an unmet SLO 1.
     */
    private static int verdict(LoadTestResult result, Report report, String workerFailure) {
        if (workerFailure != null) {
            throw new CliException(ExitCodes.CHECK_FAILED, workerFailure);
        }
        if (result.stoppedByUserSignal()) {
            return ExitCodes.INTERRUPTED;
        }
        if (!report.verdict().passed()) {
            throw new CliException(ExitCodes.CHECK_FAILED, report.verdict().headline() + ": "
                    + String.join("; ", report.verdict().reasons()));
        }
        return ExitCodes.OK;
    }

    /** Prints the Markdown report, writes the JSON and HTML reports, and says where everything went. */
    private static Report report(LoadTestResult result, LoadTestConfig config, SignalSampler sampler, PrintWriter out,
                                 PrintWriter err) {
        Report report = RunReport.of(result);
        if (sampler != null) {
            report = report.withServer(sampler.stop(result.run().startedAt()));
        }
        out.print(MarkdownReport.render(report));
        out.flush();
        if (config.reportJson() != null) {
            ReportFiles.writeJson(report, config.reportJson());
            err.println("JSON report: " + config.reportJson());
        }
        if (config.reportHtml() != null) {
            ReportFiles.writeText(HtmlReport.render(report), config.reportHtml());
            err.println("HTML report: " + config.reportHtml());
        }
        if (config.saveRequests() != null) {
            err.println("requests: " + config.saveRequests());
        }
        if (result.stoppedByUserSignal()) {
            err.println("loadtest: " + RunReport.stopLine(report.load()));
        }
        err.flush();
        return report;
    }

    private static WorkerSpec spec(LoadTestConfig config, URI uri, int n) {
        try {
            return WorkerSpec.of(config, uri, n);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** What {@code --in-cluster} needs from the stack: where the Service is, the kubeconfig, the worker image. */
    private record InCluster(WorkerSpec spec, String namespace, String release, String image, KubeAccess access) {}

    private InCluster inCluster(TargetResolver.Target target, LoadTestConfig config, URI endpoint) {
        StackOutputs o = target.outputs().orElseThrow(() -> CliException.usage(
                "--in-cluster needs --stack NAME or --outputs FILE (the kubeconfig, namespace and Service come from the"
                        + " stack outputs), not --url"));
        int n = InClusterOptions.podCount(workers);
        String namespace = o.get(StackOutputs.NAMESPACE).orElse("ai-inference");
        String release = o.get(StackOutputs.RELEASE_NAME).orElse("ai-inference");
        URI inside = InClusterOptions.serviceUrl(o.require(StackOutputs.SERVICE_NAME), namespace, endpoint);
        WorkerSpec spec = spec(config, inside, n);
        String image = cluster.image(target.outputs(), LoadTestCommand.class.getPackage().getImplementationVersion());
        KubeAccess access = KubeAccess.fromText(o.require(StackOutputs.KUBECONFIG), "output 'kubeconfig' of " + o.source(), null);
        return new InCluster(spec, namespace, release, image, access);
    }

    /**
     * The load from the pods of an Indexed Job. Ctrl-C deletes the Job and its pods; each worker prints what it measured
     * on SIGTERM, and the report of what came back is printed and written before the JVM exits with 130.
     */
    private int runInCluster(InCluster c, LoadTestConfig config, SignalSampler sampler, PrintWriter out, PrintWriter err) {
        try (KubernetesClient client = c.access().connect()) {
            c.access().ensureReachable(client); // unreachable or refused: one line, exit 2
            ClusterWorkers job = cluster.workers(client, c.namespace(), c.release(), c.image(), c.spec(), err);
            try (InterruptHook interrupt = new InterruptHook("loadtest", () -> job.stop("Ctrl-C"), InClusterOptions.HOLD)) {
                List<WorkerOutcome> outcomes = job.run();
                return reportWorkers(outcomes, job.warnings(), interrupt, config, c.spec().targetUri(), sampler, out, err);
            }
        }
    }
}
