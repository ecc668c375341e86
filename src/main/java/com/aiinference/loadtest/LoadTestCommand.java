package com.aiinference.loadtest;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.StackOutputsOptions;
import com.aiinference.core.Check;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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
            "Prints the Verified Results table (Markdown) on stdout; progress goes to stderr."
        },
        subcommands = {SweepCommand.class, CapacityCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run completed, at least one request succeeded and every --slo objective was met",
            "1:no request succeeded (or none was measured), an --slo objective was not met, or the run was aborted"
                    + " (--max-error-rate, a request the HTTP client refused)",
            "2:invalid usage or input, no target, target unreachable"
        })
public final class LoadTestCommand implements Callable<Integer> {
    /** The seed's note: port-forward tunnels are "strictly limited to low concurrency (<10 users)". */
    static final int LOCAL_USERS_WARNING_ABOVE = 10;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL",
            description = "Endpoint, e.g. http://<LB_IP>:8000/api/generate (a bare http://host:port gets the --api path).")
    String url;

    @Mixin
    StackOutputsOptions stack;

    @Mixin
    LoadTestOptions load;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Api api = load.api();
        TargetResolver.Target target = TargetResolver.resolve(url, stack, api, System.in);
        LoadTestConfig config = load.toConfig(target.stackModel().orElse(ChartContract.DEFAULT_MODEL));
        URI uri = target.uri();
        TargetResolver.checkReachable(uri);
        String warning = null;
        if (TargetResolver.isLocal(uri) && !config.openLoop() && config.users() > LOCAL_USERS_WARNING_ABOVE) {
            warning = String.format(Locale.ROOT, "%s is a local address (kubectl port-forward?) and %d users were asked for:"
                    + " port-forward tunnels hold fewer than %d concurrent users well; for the real figure use the"
                    + " LoadBalancer endpoint (--stack).", uri.getHost(), config.users(), LOCAL_USERS_WARNING_ABOVE);
            err.println("warning: " + warning);
        }
        err.printf(Locale.ROOT, "loadtest: %s -> %s, %s, %s%s (stops by %s)%n", config.api().cliName(), uri,
                config.openLoop() ? config.rate() + " req/s open loop" : config.users() + " users",
                Durations.format(config.duration()),
                config.warmup().isZero() ? "" : " after " + Durations.format(config.warmup()) + " warm-up",
                Durations.format(config.maxRunTime()));
        err.flush();
        // Ctrl-C stops the run and still prints and writes what was measured (in-flight requests count as aborted).
        LoadTestResult result;
        try (InterruptHook interrupt = new InterruptHook("loadtest")) {
            result = LoadTestRunner.run(config, uri, err, interrupt.signal());
            if (warning != null) {
                result = result.withWarning(warning);
            }
            out.print(MarkdownReport.render(result));
            out.flush();
            if (config.reportJson() != null) {
                Reports.writeJson(result.toJson(), config.reportJson());
                err.println("JSON report: " + config.reportJson());
            }
            if (config.reportHtml() != null) {
                Reports.writeText(HtmlReport.render(result), config.reportHtml());
                err.println("HTML report: " + config.reportHtml());
            }
            err.flush();
        }
        if (result.aborted()) {
            throw new CliException(ExitCodes.CHECK_FAILED, "aborted: " + result.abortReason());
        }
        if (result.noSuccessReason() != null) {
            throw new CliException(ExitCodes.CHECK_FAILED, result.noSuccessReason());
        }
        if (!result.passed()) {
            long unmet = result.sloOutcomes().stream().filter(Check::failed).count();
            throw new CliException(ExitCodes.CHECK_FAILED, unmet + " of " + result.sloOutcomes().size()
                    + " SLO objectives not met: " + result.sloOutcomes().stream().filter(Check::failed)
                            .map(o -> o.name() + " (measured " + o.message() + ")")
                            .reduce((a, b) -> a + ", " + b).orElse(""));
        }
        return ExitCodes.OK;
    }
}
