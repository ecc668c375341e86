package com.aiinference.loadtest.distributed;

import com.aiinference.cli.CliException;
import com.aiinference.cli.ExitCodes;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestRunner;
import com.aiinference.loadtest.engine.Preflight;
import com.aiinference.loadtest.engine.RunSnapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code worker} (hidden): one worker of {@code loadtest --workers N} or {@code --in-cluster}. Reads the run's
 * {@link WorkerSpec}, runs its share of the load and prints its {@link RunSnapshot} as one line
 * ({@link WorkerProtocol}); the coordinator merges every worker's and reports. Not meant to be run by hand.
 */
@Command(
        name = "worker",
        hidden = true,
        mixinStandardHelpOptions = true,
        description = "One worker of a distributed load test (started by loadtest --workers / --in-cluster).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the share ran and its result line was printed",
            "2:bad spec or index, target unreachable, or no go from the coordinator"
        })
public final class WorkerCommand implements Callable<Integer> {
    /** Set by Kubernetes in every pod of an Indexed Job. */
    public static final String INDEX_ENV = "JOB_COMPLETION_INDEX";
    /** How long a local worker waits for {@link WorkerProtocol#GO} after {@link WorkerProtocol#READY}. */
    static final long GO_TIMEOUT_SECONDS = 120;
    /** Why a worker stopped on SIGINT/SIGTERM (a pod being deleted, Ctrl-C in the coordinator's terminal). */
    public static final String STOPPED_BY_SIGNAL = "worker stopped by a signal";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** How {@link LocalWorkers} starts a worker JVM: this command alone, with the exit codes of every command. */
    public static void main(String[] args) {
        System.exit(ExitCodes.configure(new CommandLine(new WorkerCommand())).execute(args));
    }

    @Option(names = "--spec", paramLabel = "FILE", required = true,
            description = "The worker spec (JSON), or - for the first line of stdin.")
    String specFile;

    @Option(names = "--index", paramLabel = "I",
            description = "This worker's index, 0..N-1 (default: $" + INDEX_ENV + ", set in an Indexed Job's pods).")
    Integer index;

    @Option(names = "--wait-for-go", description = "After the ready line, wait for 'go' on stdin; 'stop' or end of stdin stops the run.")
    boolean waitForGo;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        WorkerSpec workerSpec = readSpec(stdin);
        int i = index != null ? index : indexFromEnv();
        LoadTestConfig share;
        try {
            share = workerSpec.share(i);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        Preflight.checkReachable(workerSpec.targetUri());
        String label = "worker " + (i + 1) + "/" + workerSpec.workers();
        err.printf(Locale.ROOT, "%s: %s -> %s, %s, %s%n", label, share.api().cliName(), workerSpec.target(),
                share.load().describe(), com.aiinference.core.Format.duration(share.duration()));
        err.flush();
        out.println(WorkerProtocol.READY);
        out.flush();
        LoadTestRunner.StopSignal signal = new LoadTestRunner.StopSignal();
        if (waitForGo) {
            awaitGo(stdin);
            Thread watcher = new Thread(() -> watchForStop(stdin, signal), "worker-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        // SIGINT/SIGTERM (Ctrl-C reaches every process of the terminal's group; Kubernetes sends TERM before it kills
        // a pod): stop, and still print what was measured.
        CountDownLatch printed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            signal.stop(STOPPED_BY_SIGNAL);
            try {
                printed.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            RunSnapshot m = LoadTestRunner.measure(share, workerSpec.targetUri(), err, signal);
            out.println(WorkerProtocol.resultLine(m));
            out.flush();
        } finally {
            printed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and has just been released
            }
        }
        return ExitCodes.OK;
    }

    private WorkerSpec readSpec(BufferedReader stdin) throws IOException {
        String text;
        if ("-".equals(specFile)) {
            text = stdin.readLine();
            if (text == null) {
                throw CliException.usage("no worker spec on stdin");
            }
        } else {
            try {
                text = Files.readString(Path.of(specFile), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw CliException.usage("--spec file not found: " + specFile);
            }
        }
        try {
            return WorkerSpec.fromJson(text);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static int indexFromEnv() {
        String v = System.getenv(INDEX_ENV);
        if (v == null || v.isBlank()) {
            throw CliException.usage("no --index and no $" + INDEX_ENV + " (set by Kubernetes in an Indexed Job's pods)");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage("$" + INDEX_ENV + " is '" + v + "', not a number");
        }
    }

    private static void awaitGo(BufferedReader stdin) throws IOException {
        // A bounded wait: a coordinator that never says go (or died) must not leave this process behind.
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(GO_TIMEOUT_SECONDS));
                System.err.println("worker: no '" + WorkerProtocol.GO + "' within " + GO_TIMEOUT_SECONDS + "s; exiting");
                System.exit(ExitCodes.USAGE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-go-timeout");
        timer.setDaemon(true);
        timer.start();
        String line = stdin.readLine();
        timer.interrupt();
        if (!WorkerProtocol.GO.equals(line == null ? null : line.strip())) {
            throw CliException.usage("expected '" + WorkerProtocol.GO + "' on stdin, got "
                    + (line == null ? "end of input (coordinator gone)" : "'" + line + "'"));
        }
    }

    private static void watchForStop(BufferedReader stdin, LoadTestRunner.StopSignal signal) {
        try {
            String line;
            while ((line = stdin.readLine()) != null) {
                if (WorkerProtocol.STOP.equals(line.strip())) {
                    signal.stop("stopped by the coordinator");
                    return;
                }
            }
            signal.stop("the coordinator went away (stdin closed)");
        } catch (IOException e) {
            signal.stop("the coordinator went away (" + e.getMessage() + ")");
        }
    }
}
