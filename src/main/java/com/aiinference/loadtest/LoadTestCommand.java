package com.aiinference.loadtest;

import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.StackOutputsOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
        subcommands = {SweepCommand.class, CapacityCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run completed, at least one request succeeded and every --slo objective was met",
            "1:no request succeeded (or none was measured), an --slo objective was not met, or the run was aborted"
                    + " (--max-error-rate, every request failing, a request the HTTP client refused)",
            "2:invalid usage or input, no target, target unreachable, the pre-flight request failed",
            "130:stopped by Ctrl-C: the report of what was measured is still printed and written; requests cut by"
                    + " the stop are counted apart, not as failures"
        })
public final class LoadTestCommand implements Callable<Integer> {
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
        LoadTestConfig config = load.toConfig(target.stackModel().orElse("llama3.1:8b"));
        URI uri = target.uri();
        TargetResolver.checkReachable(uri);
        Preflight.Answer preflight = null;
        if (load.preflight()) {
            preflight = Preflight.check(config, uri);
            err.printf(Locale.ROOT, "loadtest: pre-flight request answered in %s%s%n", Format.millis(preflight.latencyMs()),
                    Double.isNaN(preflight.ttftMs()) ? "" : " (first token " + Format.millis(preflight.ttftMs()) + ")");
        }
        String warning = PortForwardWarning.of(uri, config.load(), preflight).orElse(null);
        if (warning != null) {
            err.println("warning: " + warning);
        }
        err.printf(Locale.ROOT, "loadtest: %s -> %s, %s, %s%s (stops by %s)%n", config.api().cliName(), uri,
                config.load().describe(), Format.duration(config.duration()),
                config.warmup().isZero() ? "" : " after " + Format.duration(config.warmup()) + " warm-up",
                Format.duration(config.maxRunTime()));
        err.flush();
        // Ctrl-C stops the run and still prints and writes what was measured (requests cut by it are counted apart).
        LoadTestResult result;
        Report report;
        try (InterruptHook interrupt = new InterruptHook("loadtest")) {
            result = LoadTestRunner.run(config, uri, err, interrupt.signal());
            if (warning != null) {
                result = result.withWarning(warning);
            }
            report = LoadTestReport.of(result);
            out.print(MarkdownReport.render(report));
            out.flush();
            if (config.reportJson() != null) {
                Reports.writeJson(report, config.reportJson());
                err.println("JSON report: " + config.reportJson());
            }
            if (config.reportHtml() != null) {
                Reports.writeText(HtmlReport.render(report), config.reportHtml());
                err.println("HTML report: " + config.reportHtml());
            }
            if (config.saveRequests() != null) {
                err.println("requests: " + config.saveRequests());
            }
            if (result.stoppedByUserSignal()) {
                // Before the hook is released: once it is, the JVM ends (exit 130) and prints nothing more.
                err.println("loadtest: " + LoadTestReport.stopLine(report.load()));
            }
            err.flush();
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
}
