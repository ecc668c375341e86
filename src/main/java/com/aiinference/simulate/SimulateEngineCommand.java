package com.aiinference.simulate;

import com.aiinference.chart.ChartContract;
import com.aiinference.cli.CliException;
import com.aiinference.cli.Durations;
import com.aiinference.cli.ExitCodes;
import com.aiinference.cli.FractionConverter;
import com.aiinference.core.Format;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code simulate server} (alias {@code ollama}): a simulated Ollama or vLLM in the foreground on 127.0.0.1, with the timing, parallelism, queue and
 * faults given, until Ctrl-C or {@code --max-duration}.
 */
@Command(
        name = "server",
        aliases = "ollama",
        mixinStandardHelpOptions = true,
        header = "Serve a simulated Ollama (or, with --engine vllm, vLLM) on 127.0.0.1 (alias: ollama).",
        description = {
            "Serve a fake Ollama (and its OpenAI-compatible API), or with --engine vllm a fake vLLM OpenAI server,",
            "on 127.0.0.1 until Ctrl-C or --max-duration.",
            "Answers take about --ttft + prompt tokens x --prefill-per-token (vLLM: uncached tokens only)",
            "+ (tokens - 1) x (--itl + --itl-per-seq x (sequences decoding at once - 1))",
            "once one of --parallel slots is free; Ollama: --max-queue more requests wait, the rest get 503",
            "'server busy'; vLLM: every request beyond --parallel waits."
        },
        sortOptions = false,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:served until Ctrl-C (or kill) or --max-duration",
            "2:invalid usage or input, or the port is taken"
        })
public final class SimulateEngineCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ChartContract.SERVICE_PORT,
            description = "Port on 127.0.0.1 (0 = any free port). Default: ${DEFAULT-VALUE}, the Service's port.")
    int port;

    @Option(names = "--model", paramLabel = "NAME", split = ",", defaultValue = SimulatedEngineConfig.DEFAULT_MODEL,
            description = "Models served (comma-separated); others get 404. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Mixin
    ReplicaTimingOptions timing;

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "512",
            description = "Requests waiting for a slot before 503 (OLLAMA_MAX_QUEUE). Default: ${DEFAULT-VALUE}.")
    int maxQueue;

    @Option(names = "--busy-rate", paramLabel = "FRACTION", defaultValue = "0", converter = FractionConverter.class,
            description = "Share of requests answered 503 'server busy' at once (0.05 or 5%%).")
    double busy;

    @Option(names = "--reset-rate", paramLabel = "FRACTION", defaultValue = "0", converter = FractionConverter.class,
            description = "Share of answers whose connection is reset halfway.")
    double reset;

    @Option(names = "--stall-rate", paramLabel = "FRACTION", defaultValue = "0", converter = FractionConverter.class,
            description = "Share of answers that go silent halfway (until the client gives up).")
    double stall;

    @Option(names = "--garbage-rate", paramLabel = "FRACTION", defaultValue = "0", converter = FractionConverter.class,
            description = "Share of answers with a line that is not JSON.")
    double garbage;

    @Option(names = "--cut-rate", paramLabel = "FRACTION", defaultValue = "0", converter = FractionConverter.class,
            description = "Share of answers that end halfway without their final line.")
    double cut;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the fault draws. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--max-duration", paramLabel = "DURATION", defaultValue = "1h", converter = Durations.Converter.class,
            description = "Stop by itself after this long. Default: ${DEFAULT-VALUE}.")
    Duration maxDuration;

    @Option(names = "--timing-log", paramLabel = "FILE",
            description = "Write one line per streamed answer that ended in full: received, first-token and last-token"
                    + " send times in microseconds on the server's clock, and the token count (bench/ compares a"
                    + " client's TTFT and ITL with them).")
    java.nio.file.Path timingLog;

    /** Counted down to stop early (tests); Ctrl-C stops through the shutdown hook. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() {
        SimulatedEngineConfig config;
        try {
            config = timing.apply(new SimulatedEngineConfig(port, models, timing.tokens, timing.ttft, timing.itl, timing.parallel,
                    maxQueue, new SimulatedEngineConfig.Faults(busy, reset, stall, garbage, cut), seed, "0.17.1"));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        if (maxDuration.isZero()) {
            throw CliException.usage("--max-duration must be more than 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        java.io.Writer log = null;
        if (timingLog != null) {
            try {
                log = java.nio.file.Files.newBufferedWriter(timingLog, java.nio.charset.StandardCharsets.US_ASCII);
            } catch (java.io.IOException e) {
                throw CliException.usage("--timing-log " + timingLog + " cannot be written: " + e.getMessage());
            }
        }
        SimulatedEngine fake;
        try {
            fake = SimulatedEngine.start(config);
        } catch (UncheckedIOException e) {
            closeQuietly(log);
            throw new CliException(ExitCodes.USAGE, e.getMessage() + " (is the port in use? try --port 0)");
        }
        if (log != null) {
            fake.logTimes(log);
        }
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // Ctrl-C: let the command print what was served before the JVM exits.
            stop.countDown();
            try {
                reported.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "simulate-ollama-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        // Ctrl-C and kill end the serving the way --max-duration does (exit 0, as simulate cluster); the hook stays
        // for other JVM exits.
        for (String failed : com.aiinference.chart.HelmSignals.install(stop::countDown)) {
            spec.commandLine().getErr().println("simulate ollama: cannot handle " + failed + "; stop it with --max-duration");
        }
        try {
            boolean vllm = config.engine() == SimulatedEngineConfig.Engine.VLLM;
            out.printf("fake %s listening on %s (models %s; %d tokens, ttft %s, itl %s%s, %s %d%s%s)%n",
                    vllm ? "vLLM" : "Ollama", fake.baseUri(), String.join(",", config.models()), timing.tokens,
                    Format.duration(timing.ttft), Format.duration(timing.itl),
                    timing.itlPerSeq.isZero() ? "" : " + " + Format.duration(timing.itlPerSeq) + " per other sequence",
                    vllm ? "max-num-seqs" : "parallel", timing.parallel, vllm ? "" : ", queue " + maxQueue,
                    config.faults().any() ? ", faults on" : "");
            out.printf("endpoint: %s%n", vllm ? fake.baseUri().resolve("/v1/completions") : fake.generateUri());
            out.printf("stops after %s or on Ctrl-C%n", Format.duration(maxDuration));
            out.flush();
            try {
                stop.await(maxDuration.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fake.close();
            out.println("stopped: " + fake.stats().summary());
            out.flush();
        } finally {
            fake.close();
            closeQuietly(log);
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running already
            }
        }
        return ExitCodes.OK;
    }

    private static void closeQuietly(java.io.Writer w) {
        if (w != null) {
            try {
                w.close();
            } catch (java.io.IOException ignored) {
                // the server's answers are what counted
            }
        }
    }
}
