package com.aiinference.loadtest;

import com.aiinference.cli.ExitCodes;
import com.aiinference.loadtest.compare.CompareInputException;
import com.aiinference.loadtest.compare.Comparison;
import com.aiinference.loadtest.compare.ComparisonReport;
import com.aiinference.loadtest.compare.ReportedRun;
import com.aiinference.loadtest.sweep.SweepInputException;
import com.aiinference.loadtest.sweep.SweepResult;
import com.aiinference.report.Report;
import com.aiinference.report.ReportFiles;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code loadtest compare}: two runs' (or two sweeps') JSON reports side by side, and a CI gate on their change. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Two JSON reports side by side, each figure with its change; exit 1 on a regression beyond --fail-if.",
        description = {
            "Compares two 'loadtest --report-json' (or 'verify --report-json') files figure by figure, or two",
            "'loadtest sweep --report-json' files step by step (by load) with their knees. --fail-if names the",
            "regressions that fail: FIGURE+N% (fails when it rises by more than N%), FIGURE-N% (falls by more)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:compared; no figure went beyond its threshold",
            "1:a figure went beyond its --fail-if threshold (or lost its data)",
            "2:invalid usage or input: an unreadable file, not a report, two reports of different kinds, a threshold"
                    + " that names no figure"
        })
public final class CompareCommand implements Callable<Integer> {
    /** Output formats. */
    public enum Output { text, json, html }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BASE.json", description = "The base report.")
    Path base;

    @Parameters(index = "1", paramLabel = "NEW.json", description = "The new report.")
    Path next;

    @Option(names = "--fail-if", paramLabel = "THRESHOLDS",
            description = "Regressions that fail, e.g. 'p95+10%%,ttft_p95+20%%,throughput-5%%' (figures: success,"
                    + " error_rate, rps or throughput, tokens_per_s, mean/p50/p90/p95/p99/max and their ttft_, itl_, tpot_"
                    + " forms; for sweeps also knee). Default: none (compare only).")
    String failIf;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (Markdown), json or html. Default: ${DEFAULT-VALUE}.")
    Output output;

    @Override
    public Integer call() {
        Comparison c = compare(base, next, failIf);
        PrintWriter out = spec.commandLine().getOut();
        out.print(switch (output) {
            case text -> ComparisonReport.markdown(c);
            case json -> ReportFiles.toJson(c);
            case html -> ComparisonReport.html(c);
        });
        out.flush();
        return c.regressed() ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }

    /** Reads both files, decides whether they are runs or sweeps, and compares them under {@code failIf}. */
    static Comparison compare(Path baseFile, Path newFile, String failIf) {
        JsonNode b = ReportedRun.tree(baseFile);
        JsonNode n = ReportedRun.tree(newFile);
        boolean baseSweep = isSweep(b);
        boolean newSweep = isSweep(n);
        if (baseSweep != newSweep) {
            throw new CompareInputException(baseFile + " is a " + (baseSweep ? "sweep" : "run") + " report but " + newFile
                    + " is a " + (newSweep ? "sweep" : "run") + " report: compare two of a kind");
        }
        List<Comparison.Threshold> thresholds = Comparison.parse(failIf, baseSweep);
        if (baseSweep) {
            return Comparison.ofSweeps(baseFile.toString(), sweep(b, baseFile), newFile.toString(), sweep(n, newFile),
                    thresholds);
        }
        return Comparison.ofRuns(ReportedRun.of(b, baseFile.toString()), ReportedRun.of(n, newFile.toString()), thresholds);
    }

    /** A sweep report says {@code "kind": "sweep"} ({@link SweepResult}); the run reports' {@link Report} has a command. */
    private static boolean isSweep(JsonNode root) {
        return SweepResult.KIND.equals(root.path("kind").asText());
    }

    private static SweepResult sweep(JsonNode root, Path file) {
        try {
            return SweepResult.fromJson(root, file.toString());
        } catch (SweepInputException e) {
            throw new CompareInputException(e.getMessage());
        }
    }
}
