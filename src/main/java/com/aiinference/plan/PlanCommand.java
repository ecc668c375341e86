package com.aiinference.plan;

import com.aiinference.chart.RenderedChart;
import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.OutputFormat;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plan}: the Pulumi program on the mock engine with a stack's config, plus policy checks and the chart render. */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        header = "Plan a stack offline: resources, outputs and policy checks on Pulumi's mock engine.",
        description = {
            "Run the Pulumi program offline on Pulumi's mock engine with a stack's config: print the resources it "
                    + "would register (with their key settings), the stack outputs (mock addresses marked) and the "
                    + "policy checks (config rules, the registered GPU pool request, the chart rendered by Helm with "
                    + "the release's values). Nothing is created; no cloud or cluster is called."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every check passed",
            "1:a policy check failed",
            "2:invalid config or usage"
        })
public final class PlanCommand implements Callable<Integer> {


    static final class StackSource {
        @Option(names = "--stack", paramLabel = "NAME", description = "Stack name: reads Pulumi.NAME.yaml in the project directory.")
        String stack;

        @Option(names = "--config-file", paramLabel = "PATH", description = "Any stack file (Pulumi.<stack>.yaml layout).")
        Path configFile;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    StackSource source;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Option(names = "--render-dir", paramLabel = "DIR",
            description = "Write the manifests the Helm release would install, one file per object.")
    Path renderDir;

    @Option(names = "--project-dir", paramLabel = "DIR",
            description = "Directory with Pulumi.yaml and the chart (default: the current directory).")
    Path projectDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path dir = projectDir != null ? projectDir : com.aiinference.chart.ChartRenderer.projectRoot();
        Path projectFile = dir.resolve("Pulumi.yaml");
        if (!Files.isRegularFile(projectFile)) {
            throw CliException.usage("no Pulumi.yaml in " + dir.toAbsolutePath().normalize()
                    + " (run from the project directory or pass --project-dir)");
        }
        if (renderDir != null) {
            RenderDir.check(renderDir);
        }
        String project = StackFile.projectName(projectFile);
        Path stackPath;
        String stackName;
        if (source.stack != null) {
            if (!source.stack.matches("[A-Za-z0-9_.-]+")) {
                throw CliException.usage("--stack " + source.stack + " is not a stack name");
            }
            stackName = source.stack;
            stackPath = dir.resolve("Pulumi." + stackName + ".yaml");
        } else {
            stackPath = source.configFile;
            String file = stackPath.getFileName().toString();
            // Pulumi.<stack>.yaml names its stack; any other file is planned as the stack its name says (bad.yaml: bad).
            String base = file.replaceAll("^Pulumi\\.|\\.ya?ml$", "").replaceAll("[^A-Za-z0-9_.-]", "-");
            stackName = base.isBlank() ? "plan" : base;
        }
        StackFile stackFile = StackFile.read(stackPath, project);

        Plan.Report report = Plan.run(dir, project, stackName, stackFile);

        PrintWriter out = spec.commandLine().getOut();
        if (output == OutputFormat.json) {
            PlanReportWriter.json(report, out);
        } else {
            PlanReportWriter.text(report, out);
        }
        if (renderDir != null) {
            writeManifests(report, out);
        }
        if (!report.passed()) {
            // The report on stdout may be long (or JSON, or redirected): each failed check is one line on stderr too.
            PrintWriter err = spec.commandLine().getErr();
            report.checks().stream().filter(com.aiinference.core.Check::failed)
                    .forEach(c -> err.println("plan: FAIL " + c.name() + ": " + c.message()));
            err.flush();
        }
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private void writeManifests(Plan.Report report, PrintWriter out) {
        if (report.rendered().isEmpty()) {
            spec.commandLine().getErr().println("plan: --render-dir " + renderDir + ": nothing written, the chart did not render");
            return;
        }
        RenderedChart chart = report.rendered().get();
        var serialization = new KubernetesSerialization();
        try {
            java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
            int i = 0;
            for (HasMetadata o : chart.objects()) {
                files.put(String.format(Locale.ROOT, "%02d-%s-%s.yaml", ++i, o.getKind().toLowerCase(Locale.ROOT),
                        o.getMetadata().getName()), serialization.asYaml(o));
            }
            files.put("manifest.yaml", chart.manifest());
            RenderDir.write(renderDir, files);
            if (output == OutputFormat.text) {
                out.println("Wrote " + chart.objects().size() + " manifests and manifest.yaml to " + renderDir);
                out.flush();
            }
        } catch (IOException e) {
            throw CliException.usage("cannot write --render-dir " + renderDir + ": " + e.getMessage());
        }
    }


}
