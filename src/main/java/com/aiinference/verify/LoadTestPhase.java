package com.aiinference.verify;

import com.aiinference.core.Format;
import com.aiinference.loadtest.PortForwardWarning;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestResult;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.loadtest.engine.Slo;
import com.aiinference.report.HtmlReport;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The load phase of verify: {@code loadtest}'s {@link LoadTestRunner} with the options {@code loadtest} takes, and
 * its reports (JSON, Markdown details, HTML page) completed with what only the cluster knows: replicas that served.
 */
final class LoadTestPhase implements LoadPhase {
    /** Not final: lengths in tokens are calibrated on the pre-flight's answer. */
    private LoadTestConfig config;
    private final boolean preflight;
    private final Load load;
    private LoadTestResult result;
    private String warning;

    /**
     * How the load runs: in this process ({@link LoadTestRunner}), or from elsewhere (the pods of
     * {@code --in-cluster}) with the merged result and, if some worker gave nothing, one line that says so.
     */
    interface Load {
        Run run(LoadTestConfig config, URI endpoint, PrintWriter progress);
    }

    /** A load's result, and why part of it is missing (null when nothing is). */
    record Run(LoadTestResult result, String failure) {}

    /** {@code defaultSlo} applies when the options name no SLO: verify always gates on something. */
    LoadTestPhase(LoadTestConfig config, String defaultSlo, boolean preflight) {
        this(config, defaultSlo, preflight, new LoadTestRunner.StopSignal());
    }

    /** The load in this process, stopped early (Ctrl-C) by {@code stop}. */
    LoadTestPhase(LoadTestConfig config, String defaultSlo, boolean preflight, LoadTestRunner.StopSignal stop) {
        this(config, defaultSlo, preflight,
                (c, endpoint, progress) -> new Run(LoadTestRunner.run(c, endpoint, progress, stop), null));
    }

    /** {@code preflight}: send one request from this process first (not when the load starts inside the cluster). */
    LoadTestPhase(LoadTestConfig config, String defaultSlo, boolean preflight, Load load) {
        this.preflight = preflight;
        this.config = config.slo().isEmpty() ? config.toBuilder().slo(Slo.parse(defaultSlo)).build() : config;
        this.load = load;
    }

    LoadTestConfig config() {
        return config;
    }

    Optional<LoadTestResult> result() {
        return Optional.ofNullable(result);
    }

    @Override
    public int users() {
        return config.load() instanceof com.aiinference.loadtest.engine.LoadShape.ClosedLoop c ? c.users() : 0;
    }

    @Override
    public Optional<String> preflight(URI endpoint, PrintWriter log) {
        Preflight.Answer answer = null;
        if (preflight) {
            try {
                answer = Preflight.check(config, endpoint, log, "verify");
            } catch (Preflight.PreflightException e) {
                // The load is skipped for this reason; the verdict's one line on stderr and every report say it.
                return Optional.of(e.getMessage());
            }
        }
        config = com.aiinference.loadtest.TrafficOptions.calibrate(config, answer, log, "verify");
        warning = PortForwardWarning.of(endpoint, config.load(), answer).orElse(null);
        if (warning != null) {
            log.println("warning: " + warning);
        }
        log.flush();
        return Optional.empty();
    }

    /** The port-forward warning, if the pre-flight request found one. */
    Optional<String> warning() {
        return Optional.ofNullable(warning);
    }

    @Override
    public LoadOutcome run(URI endpoint, PrintWriter progress) {
        Run run = load.run(config, endpoint, progress);
        result = run.result();
        List<String> slo = new ArrayList<>();
        if (run.failure() != null) {
            slo.add("load incomplete: " + run.failure());
        }
        for (com.aiinference.core.Check o : result.sloOutcomes()) {
            slo.add(o.name() + ": " + (o.passed() ? "met" : "NOT met") + " (" + o.message() + ")");
        }
        if (result.aborted()) {
            slo.add("aborted: " + result.abortReason());
        }
        boolean stopped = result.stoppedByUserSignal();
        if (stopped) {
            // A run cut short does not verify the load that was asked for, whatever it measured.
            slo.add("stopped by the user (" + result.run().stopped().reason() + ") after " + Format.seconds(result.run().windowS())
                    + " of the " + Format.duration(config.duration()) + " asked: not verified");
        }
        return new LoadOutcome(result, result.passed() && run.failure() == null && !stopped, slo);
    }

    private LoadTestResult completed(VerificationReport report) {
        long served = report.traffic().stream().filter(ReplicaTraffic::servedTraffic).count();
        boolean measured = report.traffic().stream().anyMatch(ReplicaTraffic::known);
        return measured ? result.withReplicasServed((int) served) : result;
    }

    /** The verification's HTML page: the verdict and failed checks first, then the load's figures, checks and pods. */
    String html(VerificationReport report) {
        return HtmlReport.render(report(report));
    }

    /** The verification as the one report model (load figures with the replicas that served). */
    com.aiinference.report.Report report(VerificationReport report) {
        // The notes: the port-forward warning, then the load's own (a worker that gave nothing, another load test's Job).
        List<String> notes = new ArrayList<>();
        if (warning != null) {
            notes.add(warning);
        }
        if (result != null) {
            notes.addAll(result.warnings());
        }
        return VerificationView.of(report, config.load(), result == null ? null : completed(report), notes);
    }
}
