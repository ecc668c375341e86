package com.aiinference.preflight;

import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.config.InvalidConfigException;
import com.aiinference.config.Settings;
import com.aiinference.config.SettingsParser;
import com.aiinference.core.Check;
import com.aiinference.plan.StackFile;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code preflight --stack dev}: the real project asked, before {@code pulumi up}, whether the first run can succeed. */
@Command(name = "preflight",
        mixinStandardHelpOptions = true,
        description = {
            "Ask the real Google Cloud APIs, with your application default credentials, whether this stack's first "
                    + "`pulumi up` can succeed: the APIs, your permissions, the region's and the project's quotas "
                    + "for the gpuProvisioning mode, the GPU zones' machine and accelerator types; and the local tools "
                    + "(pulumi and its login, gke-gcloud-auth-plugin). One PASS/FAIL line each, with the fix.",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every check passed (warnings allowed)",
            "1:a check failed: its line says what to fix",
            "2:invalid usage or stack config (no Pulumi.yaml, unknown stack file, a key the program refuses)",
        })
public final class PreflightCommand implements Callable<Integer> {
    /** The environment variable naming the pulumi executable, shared with the commands that read stack outputs. */
    static final String PULUMI_ENV = "AI_INFERENCE_PULUMI";

    @Option(names = "--stack", paramLabel = "NAME", required = true,
            description = "Stack name: reads Pulumi.NAME.yaml in the project directory.")
    String stack;

    @Option(names = "--project-dir", paramLabel = "DIR", description = "Project directory (Pulumi.yaml). Default: the current one.")
    Path projectDir;

    @Option(names = "--api-endpoint", paramLabel = "URL",
            description = "One endpoint for every Google API asked (an emulator or a test's fake); with http:// no "
                    + "credentials are sent. Default: each API's own.")
    String apiEndpoint;

    @Option(names = "--pulumi", paramLabel = "PATH",
            description = "The pulumi executable. Default: $" + PULUMI_ENV + ", else pulumi on PATH.")
    String pulumi;

    @Option(names = "--gke-gcloud-auth-plugin", paramLabel = "PATH",
            description = "The gke-gcloud-auth-plugin executable. Default: gke-gcloud-auth-plugin on PATH.")
    String gkeAuthPlugin;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!stack.matches("[A-Za-z0-9_.-]+")) {
            throw CliException.usage("--stack " + stack + " is not a stack name");
        }
        Path dir = projectDir != null ? projectDir : Path.of("");
        Path projectFile = dir.resolve("Pulumi.yaml");
        if (!Files.isRegularFile(projectFile)) {
            throw CliException.usage("no Pulumi.yaml in " + dir.toAbsolutePath().normalize()
                    + " (run from the project directory or pass --project-dir)");
        }
        String project = StackFile.projectName(projectFile);
        Path stackPath = dir.resolve("Pulumi." + stack + ".yaml");
        StackFile file = StackFile.read(stackPath, project);
        Settings settings;
        try {
            settings = SettingsParser.parse(project, file.config(), file.secretKeys());
        } catch (InvalidConfigException e) {
            throw e.in(stackPath);
        }
        Optional<String> endpoint = Optional.ofNullable(apiEndpoint).filter(e -> !e.isBlank());
        var tools = new ProjectReadiness.Tools(
                pulumi != null ? pulumi : Optional.ofNullable(System.getenv(PULUMI_ENV)).filter(v -> !v.isBlank()).orElse("pulumi"),
                gkeAuthPlugin != null ? gkeAuthPlugin : "gke-gcloud-auth-plugin");
        List<Check> checks = ProjectReadiness.check(settings, new GoogleCloud(endpoint), tools,
                () -> endpoint.filter(e -> e.startsWith("http://")).isPresent() ? Optional.empty() : credentialsProblem());

        PrintWriter out = spec.commandLine().getOut();
        out.println("preflight of stack " + stack + " (project " + settings.gcp().projectId() + ", region "
                + settings.gcp().region() + ", gpuProvisioning " + settings.gpuPool().provisioning().configName()
                + ") against Google Cloud:");
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check c : checks) {
            out.printf("  %-4s  %-" + width + "s  %s%n", c.status().name(), c.name(), c.message());
        }
        long failed = checks.stream().filter(Check::failed).count();
        out.println();
        out.println(failed == 0 ? checks.size() + " checks: all passed" : checks.size() + " checks: " + failed + " failed");
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    /** Application default credentials, as Google's clients will look for them; a one-line fix when there are none. */
    private static Optional<String> credentialsProblem() {
        try {
            GoogleCredentials.getApplicationDefault();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("no application default credentials: gcloud auth application-default login (or set "
                    + "GOOGLE_APPLICATION_CREDENTIALS; in CI, google-github-actions/auth)");
        }
    }
}
