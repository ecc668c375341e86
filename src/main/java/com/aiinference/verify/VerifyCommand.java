package com.aiinference.verify;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.StackOutputs;
import com.aiinference.kube.KubeAccess;
import com.aiinference.loadtest.LoadTestOptions;
import com.aiinference.loadtest.TargetOptions;
import com.aiinference.loadtest.TargetResolver;
import com.aiinference.loadtest.distributed.ClusterWorkers;
import com.aiinference.loadtest.distributed.InClusterOptions;
import com.aiinference.loadtest.distributed.WorkerOutcome;
import com.aiinference.loadtest.distributed.WorkerSpec;
import com.aiinference.loadtest.engine.InterruptHook;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.report.HtmlReport;
import com.aiinference.report.MarkdownReport;
import com.aiinference.report.ReportFiles;
import com.aiinference.report.ServerSignals;
import com.aiinference.status.ClusterOptions;
import com.aiinference.status.Expectations;
import com.aiinference.status.PlatformStatus;
import com.aiinference.status.PlatformTarget;
import com.aiinference.status.StatusInspector;
import com.aiinference.status.StatusWatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code verify}: checks a deployed release through the Kubernetes API, loads it with {@code loadtest}'s runner while
 * watching its pods, checks it again, and prints the seed's Verified Results table backed by every check.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Verify a deployed release end to end: platform checks, the load test, stability during it.",
        description = {
            "Verify a deployed release end to end: platform checks through the Kubernetes API, the load test, then "
                    + "restarts, OOM kills, evictions, readiness and per-replica traffic during the run.",
            "Target: --stack NAME or --outputs FILE (kubeconfig, namespace, release, endpoint, expected values), "
                    + "or by hand --kubeconfig FILE --url URL [--namespace NS] [--release NAME].",
            "The load gates on --slo; without it on success>=99.9%% (more than 1 failed request in 1,000"
                    + " is not verified). One request is sent first (--no-preflight skips it).",
            "Prints the report (Markdown) on stdout, the verdict and its failed checks first; progress goes to stderr."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:verified: every check passed and every SLO was met",
            "1:a platform check or an SLO failed, or the load could not run (no ready pod, the pre-flight request"
                    + " failed): the report and one line on stderr say which",
            "2:invalid usage or input, missing outputs, cluster or endpoint unreachable",
            "130:stopped by Ctrl-C during the load: the load stops (with --in-cluster its Job and pods are deleted, each"
                    + " worker reports what it measured) and the report of what was measured is still printed and"
                    + " written, NOT VERIFIED"
        })
public final class VerifyCommand implements Callable<Integer> {
    /**
     * The gate when {@code --slo} is not given: the seed's claim is "100% stability, zero crashes", so a run where
     * more than 1 request in 1000 fails is not verified.
     */
    public static final String DEFAULT_SLO = "success>=99.9%";
    private static final String FALLBACK_MODEL = ChartContract.DEFAULT_MODEL;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    TargetOptions where;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--replicas", paramLabel = "N",
            description = "Expected replicas (default: the stack's 'replicas' output; else the Deployment's own count).")
    Integer replicas;

    @Option(names = "--memory-limit", paramLabel = "QUANTITY",
            description = "Expected memory limit of every inference container (ollama or vllm), e.g. 40Gi (default: the stack's 'memoryLimit').")
    String memoryLimit;

    @Option(names = "--dws", negatable = true,
            description = "Expect a Provisioned ProvisioningRequest (DWS) (default: the stack's 'dwsEnabled'; by hand: checked if one exists).")
    Boolean dws;

    @Option(names = "--hpa-pinned", negatable = true,
            description = "Expect the HPA pinned, min = max = current (default: the stack's 'hpaPinned'; by hand: checked if min = max).")
    Boolean hpaPinned;

    @Option(names = "--wait-ready", paramLabel = "DURATION", converter = com.aiinference.cli.Durations.Converter.class,
            description = "First wait, as 'status --wait' does, until every replica is Ready with the model loaded behind the "
                    + "load balancer (polling every 1/30 of DURATION, 0.2-10s); a failed state or no readiness in time is "
                    + "exit 1: no load is sent, the reports say why. E.g. 2h right after 'pulumi up'.")
    java.time.Duration waitReady;

    @Option(names = "--report-md", paramLabel = "FILE", description = "Also write the Markdown report here.")
    Path reportMd;

    @Mixin
    LoadTestOptions load;

    @Mixin
    InClusterOptions inCluster;

    @Option(names = "--workers", paramLabel = "N",
            description = "With --in-cluster: the load from N pods (default 1), their results merged exactly.")
    Integer workers;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "An earlier 'loadtest' or 'verify' JSON report: this run's figures are compared with it (the"
                    + " report's baseline checks); with --fail-if a regression beyond a threshold fails the verification.")
    Path baseline;

    @Option(names = "--fail-if", paramLabel = "THRESHOLDS",
            description = "With --baseline: regressions that fail, as 'loadtest compare' takes them, e.g."
                    + " 'p95+10%%,ttft_p95+20%%,throughput-5%%'.")
    String failIf;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The baseline and its thresholds are read first: a bad one is exit 2 before anything connects.
        if (failIf != null && baseline == null) {
            throw CliException.usage("--fail-if compares with a baseline: give --baseline FILE");
        }
        com.aiinference.loadtest.compare.ReportedRun base = baseline == null ? null
                : com.aiinference.loadtest.compare.ReportedRun.read(baseline);
        java.util.List<com.aiinference.loadtest.compare.Comparison.Threshold> thresholds =
                com.aiinference.loadtest.compare.Comparison.parse(failIf, false);
        // Validates every load option first (a bad --slo is exit 2 before anything connects).
        LoadTestConfig asked = load.toConfig(FALLBACK_MODEL);
        java.util.Map<String, java.nio.file.Path> reportMdOutput = new java.util.HashMap<>();
        reportMdOutput.put("--report-md", reportMd);
        load.checkFiles(reportMdOutput, where);
        if (baseline != null) {
            // The baseline is read before the run: no report of this run may overwrite it.
            java.util.Map<String, java.nio.file.Path> outputs = new java.util.LinkedHashMap<>();
            outputs.put("--report-json", asked.reportJson());
            outputs.put("--report-html", asked.reportHtml());
            outputs.put("--report-md", reportMd);
            com.aiinference.io.UserFiles.checkOutputs(outputs, java.util.Map.of("--baseline", baseline));
        }
        TargetResolver.Target resolved = where.resolve(load::apiFor, System.in);
        asked = asked.toBuilder().api(resolved.api()).tls(where.tls()).build();
        Optional<StackOutputs> outputs = resolved.outputs();
        PlatformTarget target = target(resolved.uri(), outputs, load.modelGiven() ? asked.model() : null);
        // The load asks for --model if given, else the model the stack deployed.
        String requestModel = load.modelGiven() || target.expected().model() == null ? asked.model() : target.expected().model();
        LoadTestConfig config = where.withApiKey(asked.toBuilder().model(requestModel).build(), outputs);
        inCluster.check();
        if (workers != null && !inCluster.inCluster()) {
            throw CliException.usage("verify --workers needs --in-cluster (the workers are pods)");
        }
        if (!inCluster.inCluster()) {
            com.aiinference.loadtest.engine.ClientLimits.check(config.load(), 1);
        }
        WorkerSpec workerSpec = null;
        String image = null;
        PlatformTarget outside = target;
        if (inCluster.inCluster()) {
            // The load starts inside the cluster, at the Service's DNS name: the endpoint's source ranges do not apply.
            String service = outputs.flatMap(o -> o.get(StackOutputs.SERVICE_NAME)).orElse(target.release());
            URI inside = InClusterOptions.serviceUrl(service, target.namespace(), target.endpoint());
            try {
                workerSpec = WorkerSpec.of(config, inside, InClusterOptions.podCount(workers));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
            image = inCluster.image(outputs, VerifyCommand.class.getPackage().getImplementationVersion());
            target = new PlatformTarget(target.access(), target.namespace(), target.release(), inside, target.expected());
        }

        try (KubernetesClient client = target.access().connect()) {
            var version = target.access().ensureReachable(client);
            String notReady = waitReady == null ? null : awaitReady(client, outside, outputs, err).orElse(null);
            if (workerSpec == null && notReady == null) {
                Preflight.checkReachable(target.endpoint());
            }
            String k8s = version.getGitVersion() != null ? version.getGitVersion()
                    : "0".equals(version.getMajor()) ? "version not reported" : version.getMajor() + "." + version.getMinor();
            err.printf(Locale.ROOT, "verify: release %s in namespace %s on %s (Kubernetes %s), load %s%s%n",
                    target.release(), target.namespace(), client.getMasterUrl(), k8s, target.endpoint(),
                    workerSpec == null ? "" : " from " + workerSpec.workers() + " pod(s) of " + image);
            err.flush();
            // Ctrl-C stops the load (in this process, or the Job's pods), and the report of what was measured is still
            // printed and written, NOT VERIFIED, before the JVM exits with 130.
            try (InterruptHook interrupt = new InterruptHook("verify", () -> { },
                    workerSpec == null ? InterruptHook.HOLD : InClusterOptions.HOLD)) {
                LoadTestPhase phase = workerSpec == null
                        ? new LoadTestPhase(config, DEFAULT_SLO, load.preflight(), interrupt.signal())
                        // No pre-flight request from here: the Service's DNS name is reached from inside the cluster only.
                        : new LoadTestPhase(config, DEFAULT_SLO, false, inCluster(client, target, image, workerSpec, interrupt));
                VerificationReport report;
                Verifier verifier = new Verifier(client, target, phase, err, notReady);
                try {
                    report = verifier.run();
                } catch (KubernetesClientException e) {
                    // Reachable but refusing (RBAC) or failing mid-way: the platform could not be inspected at all.
                    throw CliException.usage("the Kubernetes API at " + client.getMasterUrl() + " refused a request"
                            + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : "") + ": " + KubeAccess.firstLine(e));
                } catch (CliException e) {
                    if (!interrupt.interrupted()) {
                        throw e;
                    }
                    // Printed here: once the hook is released the JVM exits and prints nothing more.
                    err.println("verify: stopped by the user (Ctrl-C): " + e.getMessage() + "; no report");
                    err.flush();
                    return ExitCodes.INTERRUPTED;
                }
                ServerSignals server = verifier.serverSignals().orElse(null);
                if (base != null) {
                    report = withBaseline(report, base, thresholds);
                }
                writeReports(report, phase, server, out, err);
                if (interrupt.interrupted()) {
                    err.println("verify: stopped by the user (Ctrl-C): " + report.verdictLine());
                    err.flush();
                    return ExitCodes.INTERRUPTED;
                }
                if (!report.verified()) {
                    throw new CliException(ExitCodes.CHECK_FAILED, report.verdictLine());
                }
                return ExitCodes.OK;
            }
        }
    }

    /**
     * {@code --wait-ready}: the status watch; empty when the release became ready, else why not (the load is then
     * skipped, every requested report still written, exit 1).
     */
    private Optional<String> awaitReady(KubernetesClient client, PlatformTarget target, Optional<StackOutputs> outputs,
                                        PrintWriter err) {
        if (waitReady.isNegative() || waitReady.isZero()) {
            throw CliException.usage("--wait-ready must be a positive duration, e.g. 2h");
        }
        java.time.Clock clock = java.time.Clock.systemUTC();
        java.time.Duration interval = java.time.Duration.ofMillis(
                Math.max(200, Math.min(10_000, waitReady.toMillis() / 30)));
        var inspector = StatusInspector.of(client, target, outputs, clock);
        PlatformStatus status = new StatusWatch(inspector, clock, interval).follow(inspector.read(), waitReady, err);
        if (!status.ready()) {
            return Optional.of(status.notReady(waitReady));
        }
        return Optional.empty();
    }

    private PlatformTarget target(URI endpoint, Optional<StackOutputs> outputs, String modelOption) {
        KubeAccess access = cluster.access(outputs);
        String ns = cluster.namespace(outputs);
        String rel = cluster.release(outputs);
        Integer expectedReplicas = replicas != null ? replicas
                : outputs.flatMap(o -> o.integer("replicas")).orElse(null);
        if (expectedReplicas != null && expectedReplicas < 1) {
            throw CliException.usage("--replicas must be at least 1, got " + expectedReplicas);
        }
        String model = outputs.flatMap(o -> o.get("model")).orElse(modelOption);
        String memory = memoryLimit != null ? memoryLimit : outputs.flatMap(o -> o.get("memoryLimit")).orElse(null);
        if (memory != null) {
            try {
                io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(memory));
            } catch (IllegalArgumentException e) {
                throw CliException.usage((memoryLimit != null ? "--memory-limit" : "output 'memoryLimit'") + " '" + memory
                        + "' is not a Kubernetes quantity (e.g. 40Gi)");
            }
        }
        Boolean dwsExpected = dws != null ? dws : outputs.flatMap(o -> o.bool("dwsEnabled")).orElse(null);
        Boolean pinned = hpaPinned != null ? hpaPinned : outputs.flatMap(o -> o.bool("hpaPinned")).orElse(null);
        return new PlatformTarget(access, ns, rel, endpoint, new Expectations(expectedReplicas, model, memory, dwsExpected, pinned));
    }

    /** The report with its {@code baseline} checks: this run's figures against the baseline report's. */
    static VerificationReport withBaseline(VerificationReport r, com.aiinference.loadtest.compare.ReportedRun base,
                                           java.util.List<com.aiinference.loadtest.compare.Comparison.Threshold> thresholds) {
        if (r.load().isEmpty()) {
            return r; // no load ran: the report already says why, and there is nothing to compare
        }
        var run = com.aiinference.loadtest.compare.ReportedRun.ofLoad(
                com.aiinference.report.ReportFiles.json().valueToTree(r.load().get().result()), "this run", "verify");
        var comparison = com.aiinference.loadtest.compare.Comparison.ofRuns(base, run, thresholds);
        java.util.Map<Moment, java.util.List<com.aiinference.core.Check>> stages = new java.util.EnumMap<>(Moment.class);
        stages.putAll(r.stages());
        stages.put(Moment.BASELINE, comparison.checks());
        return new VerificationReport(r.namespace(), r.release(), r.endpoint(), r.plannedUsers(), r.expected(), r.before(),
                r.after(), stages, r.traffic(), r.load(), r.loadSkippedReason(), r.observations());
    }

    /**
     * Prints the Markdown report and writes every report asked for, from one {@link com.aiinference.report.Report}:
     * also when the load did not run (the report then says why), so no file from an earlier run is left in place.
     */
    private void writeReports(VerificationReport verification, LoadTestPhase phase, ServerSignals server, PrintWriter out,
                              PrintWriter err) {
        com.aiinference.report.Report report = phase.report(verification).withServer(server);
        String markdown = MarkdownReport.render(report);
        out.print(markdown);
        out.flush();
        write(reportMd, "--report-md", () -> markdown);
        write(phase.config().reportJson(), "--report-json", () -> ReportFiles.toJson(report));
        write(phase.config().reportHtml(), "--report-html", () -> HtmlReport.render(report));
        err.flush();
    }

    private void write(Path file, String option, java.util.function.Supplier<String> content) {
        if (file == null) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, content.get(), StandardCharsets.UTF_8);
            spec.commandLine().getErr().println("verify: wrote " + option + " " + file);
        } catch (IOException e) {
            throw CliException.usage("cannot write " + option + " " + file + ": " + e.getMessage());
        }
    }

    /**
     * The load from the pods of an Indexed Job in the release's namespace, merged; Ctrl-C deletes the Job, and what
     * the stopped pods printed is still merged (the run marked as stopped by the user).
     */
    private LoadTestPhase.Load inCluster(KubernetesClient client, PlatformTarget target, String image, WorkerSpec spec,
                                         InterruptHook interrupt) {
        return (config, endpoint, progress) -> {
            ClusterWorkers job = inCluster.workers(client, target.namespace(), target.release(), image, spec, progress);
            interrupt.alsoOnStop(() -> job.stop("Ctrl-C"));
            List<WorkerOutcome> outcomes = job.run();
            String failure = WorkerOutcome.failureLine(outcomes);
            LoadTestResult result = WorkerOutcome.merge(outcomes, config, endpoint, interrupt.interrupted() ? "Ctrl-C" : null)
                    .orElseThrow(() -> new CliException(ExitCodes.CHECK_FAILED, failure));
            for (String w : job.warnings()) {
                result = result.withWarning(w);
            }
            return new LoadTestPhase.Run(result, failure);
        };
    }
}
