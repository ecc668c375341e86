package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.ChartException;
import com.aiinference.chart.ChartRenderer;
import com.aiinference.chart.HelmSignals;
import com.aiinference.chart.RenderedChart;
import com.aiinference.cli.CliException;
import com.aiinference.cli.Durations;
import com.aiinference.cli.ExitCodes;
import com.aiinference.core.Format;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code simulate cluster}: a deployed release on this machine, for the verify walk-through: a Kubernetes API (fabric8's
 * mock, CRUD mode) holding what the chart creates, N fake Ollama replicas behind a round-robin front standing in for
 * the LoadBalancer, and a stack-outputs file for {@code verify --outputs}. Faults can be switched on for demos.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Run a simulated deployed release (Kubernetes API, replicas, load balancer) on 127.0.0.1.",
        description = {
            "Run a simulated deployed release on 127.0.0.1 until Ctrl-C or --max-duration: a Kubernetes API seeded with "
                    + "what charts/ai-inference renders for these settings (Deployment, HPA, Service, ..., optional "
                    + "ProvisioningRequest) and one Ready pod per GPU node made from its pod template, N fake Ollama replicas "
                    + "behind a round-robin front (the LoadBalancer), and the stack outputs in --outputs FILE.",
            "Then, in another terminal: verify --outputs FILE --users 50 --duration 60s"
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ran until Ctrl-C (or kill) or --max-duration",
            "2:invalid usage or input (a bad option, chart values the chart refuses, an --outputs file that cannot be"
                    + " written), or a port is taken"
        })
public final class SimulateClusterCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--outputs", paramLabel = "FILE", required = true,
            description = "Write the stack outputs (endpoint, kubeconfig, namespace, replicas, ...) here as JSON.")
    Path outputs;

    @Option(names = "--project-dir", paramLabel = "DIR",
            description = "Directory with the chart (" + ChartRenderer.CHART_PATH + ") whose render seeds the Kubernetes API"
                    + " (default: the current directory).")
    Path projectDir;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "10", description = "Replicas (pods, GPU nodes). Default: ${DEFAULT-VALUE}.")
    int replicas;

    @Option(names = "--namespace", paramLabel = "NS", defaultValue = "ai-inference", description = "Default: ${DEFAULT-VALUE}.")
    String namespace;

    @Option(names = "--release", paramLabel = "NAME", defaultValue = "ai-inference", description = "Default: ${DEFAULT-VALUE}.")
    String release;

    @Option(names = "--model", paramLabel = "NAME",
            description = "Model the replicas serve and the outputs name. Default: the chart's for the engine, "
                    + ChartContract.DEFAULT_MODEL + " (ollama) or " + ChartContract.DEFAULT_VLLM_MODEL + " (vllm).")
    String model;

    @Option(names = "--memory-limit", paramLabel = "QUANTITY", defaultValue = "40Gi",
            description = "Memory limit of the ollama containers (and the 'memoryLimit' output). Default: ${DEFAULT-VALUE}.")
    String memoryLimit;

    @Option(names = "--no-gateway", description = "Pods without the nginx gateway: no per-replica stub_status counters.")
    boolean noGateway;

    @Option(names = "--network-policy",
            description = "Enforce the chart's NetworkPolicy: the API server's pod proxy cannot reach Ollama's port 11434"
                    + " (verify then judges 'model loaded' by readiness).")
    boolean networkPolicy;

    @Option(names = "--dws-state", paramLabel = "STATE",
            description = "The ProvisioningRequest's state (DWS is on, as in the dev stack): Provisioned (default), BookingExpired"
                    + " (Provisioned, then the autoscaler's booking ran out; nodes and pods stay), Accepted, Pending,"
                    + " QuotaExceeded, ResourcePoolExhausted, Failed (not Provisioned: no nodes, no pods).")
    String dwsState;

    @Option(names = "--no-dws", description = "A release without DWS queued provisioning (no ProvisioningRequest).")
    boolean noDws;

    @Option(names = "--dws-walk", paramLabel = "STEP", converter = Durations.Converter.class,
            description = "Enable DWS and walk the deployment to serving, one stage per STEP: request Pending -> Accepted -> "
                    + "Provisioned (nodes join, driver installing) -> GPUs allocatable, pods pulling the image -> loading the "
                    + "model -> every pod Ready. Watch it with: status --outputs FILE --wait 10m --interval 1s")
    Duration dwsWalk;

    @Option(names = "--hpa-min", paramLabel = "N", description = "HPA minReplicas (default: --replicas, pinned).")
    Integer hpaMin;

    @Option(names = "--hpa-max", paramLabel = "N", description = "HPA maxReplicas (default: --replicas, pinned).")
    Integer hpaMax;

    @Option(names = "--not-ready", paramLabel = "POD", description = "A pod (name or 0-based index) that is not Ready from the start (repeatable).")
    List<String> notReady = new ArrayList<>();

    @Option(names = "--restart-during-run", paramLabel = "POD",
            description = "Restart this pod's ollama container once the load has begun (repeatable; see --fault-after).")
    List<String> restartDuringRun = new ArrayList<>();

    @Option(names = "--oom-kill", description = "The restarts of --restart-during-run are OOM kills (OOMKilled, exit 137).")
    boolean oomKill;

    @Option(names = "--evict-during-run", paramLabel = "POD",
            description = "Evict this pod once the load has begun; a replacement pod takes its node (repeatable).")
    List<String> evictDuringRun = new ArrayList<>();

    @Option(names = "--fault-after", paramLabel = "REQUESTS", defaultValue = "100",
            description = "Trigger the during-run faults after this many requests went through the front. Default: ${DEFAULT-VALUE}.")
    long faultAfter;

    @Option(names = "--fault-down-for", paramLabel = "DURATION", defaultValue = "5s", converter = Durations.Converter.class,
            description = "How long a restarted or replacement pod stays not Ready. Default: ${DEFAULT-VALUE}.")
    Duration faultDownFor;

    @Mixin
    ReplicaTimingOptions timing;

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "Require this bearer key (the file's first line) at the front, as the gateway does with the"
                    + " stack's apiKeys set (401 without it), and write it as the secret 'apiKey' output.")
    Path apiKeyFile;

    @Option(names = "--max-duration", paramLabel = "DURATION", defaultValue = "30m", converter = Durations.Converter.class,
            description = "Stop by itself after this long. Default: ${DEFAULT-VALUE}.")
    Duration maxDuration;

    /** Counted down to stop early (tests); Ctrl-C stops through the shutdown hook. */
    final CountDownLatch stop = new CountDownLatch(1);
    /** Counted down once the outputs file is written and everything listens (tests wait on it). */
    final CountDownLatch started = new CountDownLatch(1);

    @Override
    public Integer call() {
        if (maxDuration.isZero() || maxDuration.isNegative()) {
            throw CliException.usage("--max-duration must be more than 0");
        }
        if (replicas < 1 || replicas > 100) {
            throw CliException.usage("--replicas must be 1..100, got " + replicas);
        }
        if (faultAfter < 0) {
            throw CliException.usage("--fault-after must be 0 or more requests, got " + faultAfter);
        }
        if (hpaMin != null && hpaMin < 1) {
            throw CliException.usage("--hpa-min must be at least 1, got " + hpaMin);
        }
        int min = hpaMin == null ? replicas : hpaMin;
        if (hpaMax != null && hpaMax < min) {
            throw CliException.usage("--hpa-max " + hpaMax + " is below the HPA minimum " + min
                    + (hpaMin == null ? " (--replicas)" : " (--hpa-min)"));
        }
        if (noDws && (dwsState != null || dwsWalk != null)) {
            throw CliException.usage("--no-dws and --dws-state/--dws-walk are alternatives: give one");
        }
        if (!noDws && dwsState == null && dwsWalk == null) {
            dwsState = "Provisioned"; // DWS on, as in the dev stack
        }
        if (dwsState != null && !SimulatedCluster.DWS_STATES.containsKey(dwsState)) {
            throw CliException.usage("--dws-state '" + dwsState + "' is not one of " + String.join(", ", SimulatedCluster.DWS_STATES.keySet()));
        }
        if (dwsWalk != null && dwsState != null) { // --dws-state given: the walk starts at Pending
            throw CliException.usage("--dws-walk and --dws-state are alternatives: the walk starts at Pending and ends Provisioned");
        }
        if (dwsWalk != null && (dwsWalk.isZero() || dwsWalk.isNegative())) {
            throw CliException.usage("--dws-walk must be a positive duration, e.g. 20s");
        }
        if (dwsWalk != null && (!notReady.isEmpty() || !restartDuringRun.isEmpty() || !evictDuringRun.isEmpty())) {
            throw CliException.usage("--dws-walk cannot be combined with --not-ready, --restart-during-run or --evict-during-run");
        }
        if (dwsWalk != null) {
            dwsState = "Pending";
        }
        if (oomKill && restartDuringRun.isEmpty()) {
            throw CliException.usage("--oom-kill needs --restart-during-run POD (which pod is OOM-killed)");
        }
        SimulatedCluster.Spec clusterSpec;
        SimulatedEngineConfig replicaConfig;
        try {
            String engine = timing.engine().cliName();
            if (model == null) {
                model = ChartContract.defaultModel(engine);
            }
            clusterSpec = new SimulatedCluster.Spec(namespace, release, replicas, model, memoryLimit, !noGateway, dwsState,
                    hpaMin == null ? replicas : hpaMin, hpaMax == null ? replicas : hpaMax, timing.parallel, engine);
            replicaConfig = timing.apply(SimulatedEngineConfig.defaults().withModels(List.of(model)))
                    .withParallelism(timing.parallel, 512);
            new io.fabric8.kubernetes.api.model.Quantity(memoryLimit).getNumericalAmount();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        Path chartDir = ChartSeed.chartDir(projectDir != null ? projectDir : com.aiinference.chart.ChartRenderer.projectRoot());
        if (!ChartSeed.hasChart(chartDir)) {
            throw CliException.usage("no Helm chart at " + chartDir + " (Chart.yaml missing): run from the project directory"
                    + " or pass --project-dir DIR");
        }
        RenderedChart rendered;
        try {
            rendered = ChartSeed.render(clusterSpec, new ChartRenderer(chartDir));
        } catch (ChartException e) {
            throw CliException.usage("the chart at " + chartDir + " refuses the simulated settings: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        String apiKey = null;
        if (apiKeyFile != null) {
            apiKey = com.aiinference.io.UserFiles.read(apiKeyFile, "--api-key-file", 64 * 1024)
                    .strip().lines().findFirst().orElse("").strip();
            if (apiKey.isEmpty()) {
                throw CliException.usage("--api-key-file " + apiKeyFile + " is empty");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<SimulatedEngine> fakes = new ArrayList<>();
        SimulatedCluster cluster = null;
        AtomicBoolean closed = new AtomicBoolean();
        Runnable shutdown = () -> { };
        try {
            for (int i = 0; i < replicas; i++) {
                fakes.add(SimulatedEngine.start(replicaConfig.withSeed(i + 1L)));
            }
            cluster = SimulatedCluster.start(clusterSpec, fakes.stream().map(SimulatedEngine::baseUri).toList(), rendered);
            SimulatedCluster c = cluster;
            List<String> restartPods = restartDuringRun.stream().map(c::resolvePod).toList();
            List<String> evictPods = evictDuringRun.stream().map(c::resolvePod).toList();
            c.enforceNetworkPolicy(networkPolicy);
            for (String p : notReady) {
                c.setReady(c.resolvePod(p), false);
            }
            armFaults(c, restartPods, evictPods, out);
            if (apiKey != null) {
                c.requireApiKey(apiKey);
            }
            writeOutputs(c);
            shutdown = () -> {
                if (closed.compareAndSet(false, true)) {
                    c.close();
                    fakes.forEach(SimulatedEngine::close);
                }
            };
            Runnable stopAll = shutdown;
            Thread hook = new Thread(() -> {
                stop.countDown();
                stopAll.run();
            }, "simulate-cluster-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            // After the render Helm's Go runtime owns SIGINT/SIGTERM (see HelmSignals): take them back so Ctrl-C and
            // kill stop the command; the shutdown hook stays for other JVM exits.
            for (String failed : HelmSignals.install(stop::countDown)) {
                spec.commandLine().getErr().println("simulate cluster: cannot handle " + failed + "; stop it with --max-duration");
            }
            printBanner(out, c);
            if (dwsWalk != null) {
                c.startWalk(dwsWalk);
                out.printf("DWS walk: one stage every %s, from a Pending ProvisioningRequest to every pod Ready (%s)%n",
                        com.aiinference.core.Format.duration(dwsWalk), com.aiinference.core.Format.duration(dwsWalk.multipliedBy(SimulatedCluster.WalkStage.values().length - 1)));
            }
            started.countDown();
            try {
                watchTraffic(c, out);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running already
                }
            }
            out.println("simulate cluster: stopped");
            out.flush();
            return ExitCodes.OK;
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        } finally {
            if (cluster == null) {
                fakes.forEach(SimulatedEngine::close);
            }
            shutdown.run();
        }
    }

    /** The during-run faults fire once, from the front's request count, on their own thread. */
    private void armFaults(SimulatedCluster c, List<String> restartPods, List<String> evictPods, PrintWriter out) {
        if (restartPods.isEmpty() && evictPods.isEmpty()) {
            return;
        }
        AtomicBoolean fired = new AtomicBoolean();
        c.front().onRequest(total -> {
            if (total >= faultAfter && fired.compareAndSet(false, true)) {
                Thread t = new Thread(() -> {
                    for (String p : restartPods) {
                        c.restart(p, oomKill, faultDownFor);
                        out.printf("fault: %s ollama container %s after %d requests (not Ready for %s)%n", p,
                                oomKill ? "OOM-killed" : "restarted", total, Format.duration(faultDownFor));
                    }
                    for (String p : evictPods) {
                        String replacement = c.evict(p, faultDownFor);
                        out.printf("fault: %s evicted after %d requests, replaced by %s%n", p, total, replacement);
                    }
                    out.flush();
                }, "simulate-cluster-fault");
                t.setDaemon(true);
                t.start();
            }
        });
    }

    private void writeOutputs(SimulatedCluster c) {
        try {
            Path parent = outputs.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(outputs, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(c.outputs()) + "\n");
        } catch (IOException e) {
            throw CliException.usage("cannot write --outputs " + outputs + ": " + e.getMessage());
        }
    }

    private void printBanner(PrintWriter out, SimulatedCluster c) {
        URI endpoint = c.endpoint();
        out.printf(Locale.ROOT, "simulated release '%s' in namespace '%s': %d replicas of %s%s, memory limit %s, HPA %d-%d%s%s%n",
                release, namespace, replicas, model, ChartContract.ENGINE_VLLM.equals(c.spec().engine()) ? " on vLLM" : "",
                memoryLimit, c.spec().hpaMin(), c.spec().hpaMax(),
                dwsState == null ? "" : ", ProvisioningRequest " + dwsState, noGateway ? ", no gateway" : "");
        out.printf("Kubernetes API (fabric8 mock, CRUD): %s%n", c.apiServer());
        out.printf("seeded from helm template of %s: %s%n", chartDirShown(), c.seededObjects().stream()
                .map(o -> o.getKind() + " " + o.getMetadata().getName()).collect(Collectors.joining(", ")));
        out.printf("endpoint (round-robin front):       %s%n", endpoint);
        // Only the pods the Kubernetes API holds: a ProvisioningRequest that is not Provisioned brought no nodes, no pods.
        List<String> pods = c.client().pods().inNamespace(namespace).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).filter(c.podNames()::contains).toList();
        out.printf("pods: %s%n", pods.isEmpty() ? "none (ProvisioningRequest " + dwsState + ": no nodes were provisioned)"
                : String.join(", ", pods));
        out.printf("stack outputs written to %s%n", outputs);
        out.printf("next, in another terminal: bin/ai-inference verify --outputs %s --users 50 --duration 60s%n", outputs);
        out.printf("Ctrl-C stops; stops by itself after %s%n", Format.duration(maxDuration));
        out.flush();
    }

    private String chartDirShown() {
        return ChartSeed.chartDir(projectDir != null ? projectDir : com.aiinference.chart.ChartRenderer.projectRoot()).toString();
    }



    /**
     * Prints the client requests each replica got (they add up to the total the front forwarded) and, apart, the
     * stub_status scrapes verify made (nginx counts those in the gateway counter verify reads), every 10 s while
     * something changes, until stopped or --max-duration.
     */
    private void watchTraffic(SimulatedCluster c, PrintWriter out) {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        String last = "";
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stop.await(Math.min(left, TimeUnit.SECONDS.toNanos(10)), TimeUnit.NANOSECONDS)) {
                    return;
                }
                String line = trafficLine(c.front());
                if (!line.equals(last)) {
                    last = line;
                    out.println(line);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code requests per replica: 5 5 (total 10; 2 stub_status scrapes besides, counted by the gateways)}. */
    static String trafficLine(RoundRobinFront front) {
        List<RoundRobinFront.Backend> backends = front.backends();
        long scrapes = backends.stream().mapToLong(RoundRobinFront.Backend::direct).sum();
        return String.format(Locale.ROOT, "requests per replica: %s (total %d; %d stub_status scrapes besides, counted by the gateways)",
                backends.stream().map(b -> String.valueOf(b.forwarded())).collect(Collectors.joining(" ")),
                front.forwarded(), scrapes);
    }
}
