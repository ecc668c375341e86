package com.aiinference.loadtest.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code loadtest --workers N} on this machine: N child JVMs of this same program ({@link WorkerCommand}), each
 * given the {@link WorkerSpec} on stdin and its index. All start their load together (each says
 * {@link WorkerProtocol#READY}, then the coordinator sends {@link WorkerProtocol#GO} to all), their progress lines
 * are passed through, and their result lines are collected. A worker that dies is reported, and the others' results
 * are kept. Every worker is bounded: the coordinator stops and then kills any that outlives the run's limit.
 */
public final class LocalWorkers {
    /** Time for N JVMs to start on a loaded machine and check the target. */
    static final long START_TIMEOUT_SECONDS = 120;
    /** After the run's own limit, before a worker is told to stop and then killed. */
    static final long GRACE_SECONDS = 30;

    private final WorkerSpec spec;
    private final PrintWriter progress;
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean stopped;

    public LocalWorkers(WorkerSpec spec, PrintWriter progress) {
        this.spec = spec;
        this.progress = progress;
    }

    /** One child JVM and what it printed. */
    private static final class Worker {
        final int index;
        final Process process;
        final List<String> stdout = new ArrayList<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final Thread outReader;
        final Thread errReader;
        volatile String lastErrLine;

        Worker(int index, Process process, Thread outReader, Thread errReader) {
            this.index = index;
            this.process = process;
            this.outReader = outReader;
            this.errReader = errReader;
        }
    }

    /**
     * The command that starts worker {@code index}: this JVM's java, its JVM flags ({@link #jvmFlags}) and class
     * path, {@link WorkerCommand#main}.
     */
    static List<String> command(int index) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmFlags(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerCommand.class.getName(),
                "--spec", "-", "--index", String.valueOf(index), "--wait-for-go"));
        return command;
    }

    /**
     * The flags of this JVM that its workers get too, so a worker runs like the process that started it (heap, GC
     * and compiler settings of bin/ai-inference, system properties such as the Netty transport): -X and -D options,
     * without the ones that would make N processes fight over one file or port (a flight recording, a class-data
     * archive written at exit, a debugger or agent).
     */
    static List<String> jvmFlags(List<String> inputArguments) {
        List<String> flags = new ArrayList<>();
        for (String a : inputArguments) {
            boolean wanted = a.startsWith("-X") || a.startsWith("-D");
            boolean perProcess = a.startsWith("-XX:StartFlightRecording") || a.startsWith("-XX:FlightRecorderOptions")
                    || a.startsWith("-XX:ArchiveClassesAtExit") || a.startsWith("-Xrunjdwp") || a.startsWith("-Xdebug")
                    || a.startsWith("-Xlog");
            if (wanted && !perProcess) {
                flags.add(a);
            }
        }
        return flags;
    }

    /**
     * Starts the workers, starts their load together, waits for them (bounded) and returns one outcome per worker.
     * If a worker cannot start (bad target, JVM failure), none is started and this throws
     * {@link WorkersNotStarted} with that worker's last line.
     */
    public List<WorkerOutcome> run() {
        String specLine = spec.toJson() + "\n";
        try {
            for (int i = 0; i < spec.workers(); i++) {
                workers.add(start(i, specLine));
            }
            awaitReady();
            for (Worker w : workers) {
                send(w, WorkerProtocol.GO);
            }
            long limitNanos = spec.whole().maxRunTime().toNanos() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
            long deadline = System.nanoTime() + limitNanos;
            List<WorkerOutcome> outcomes = new ArrayList<>();
            for (Worker w : workers) {
                outcomes.add(await(w, deadline));
            }
            return outcomes;
        } finally {
            for (Worker w : workers) {
                w.process.destroyForcibly();
            }
        }
    }

    /** Tells every worker to stop (Ctrl-C): each ends its in-flight requests as aborted and still prints its result. */
    public void stop() {
        stopped = true;
        for (Worker w : List.copyOf(workers)) {
            send(w, WorkerProtocol.STOP);
        }
    }

    private Worker start(int index, String specLine) {
        Process p;
        try {
            p = new ProcessBuilder(command(index)).start();
        } catch (IOException e) {
            throw new WorkersNotStarted(WorkerOutcome.label(index, spec.workers()) + " could not be started: " + e.getMessage());
        }
        Worker[] self = new Worker[1];
        Thread out = reader(p.getInputStream(), line -> {
            Worker w = self[0];
            if (line.equals(WorkerProtocol.READY)) {
                w.ready.countDown();
            } else {
                synchronized (w.stdout) {
                    w.stdout.add(line);
                }
            }
        }, "worker-" + index + "-out");
        String label = WorkerOutcome.label(index, spec.workers());
        Thread err = reader(p.getErrorStream(), line -> {
            self[0].lastErrLine = line;
            synchronized (progress) {
                progress.println(line.startsWith("worker ") ? line : label + ": " + line);
                progress.flush();
            }
        }, "worker-" + index + "-err");
        Worker w = new Worker(index, p, out, err);
        self[0] = w;
        out.start();
        err.start();
        try {
            OutputStream in = p.getOutputStream();
            in.write(specLine.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            // The worker is already gone; awaitReady reports it with its own last line.
        }
        return w;
    }

    private static Thread reader(java.io.InputStream stream, java.util.function.Consumer<String> onLine, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        for (Worker w : workers) {
            while (w.ready.getCount() > 0) {
                if (!w.process.isAlive()) {
                    joinReaders(w);
                    throw new WorkersNotStarted(WorkerOutcome.label(w.index, spec.workers()) + " did not start (exit "
                            + w.process.exitValue() + "): " + lastLine(w));
                }
                if (System.nanoTime() > deadline || stopped) {
                    throw new WorkersNotStarted(WorkerOutcome.label(w.index, spec.workers()) + " was not ready within "
                            + START_TIMEOUT_SECONDS + "s" + (stopped ? " (stopped)" : ""));
                }
                try {
                    w.ready.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WorkersNotStarted("interrupted while the workers started");
                }
            }
        }
    }

    private WorkerOutcome await(Worker w, long deadline) {
        boolean exited = waitFor(w.process, deadline - System.nanoTime());
        if (!exited) {
            send(w, WorkerProtocol.STOP);
            exited = waitFor(w.process, TimeUnit.SECONDS.toNanos(15));
        }
        if (!exited) {
            w.process.destroyForcibly();
            waitFor(w.process, TimeUnit.SECONDS.toNanos(5));
            joinReaders(w);
            return WorkerOutcome.failed(w.index, spec.workers(), "outlived the run's limit of "
                    + com.aiinference.core.Format.duration(spec.whole().maxRunTime()) + " and was killed");
        }
        joinReaders(w);
        int exit = w.process.exitValue();
        List<String> lines;
        synchronized (w.stdout) {
            lines = List.copyOf(w.stdout);
        }
        Optional<com.aiinference.loadtest.engine.RunSnapshot> m;
        try {
            m = WorkerProtocol.findResult(lines);
        } catch (IllegalArgumentException e) {
            return WorkerOutcome.failed(w.index, spec.workers(), e.getMessage());
        }
        if (m.isPresent()) {
            return WorkerOutcome.finished(w.index, spec.workers(), m.get());
        }
        return WorkerOutcome.failed(w.index, spec.workers(), "died (exit " + exit + ")" + (w.lastErrLine == null ? ""
                : ": " + w.lastErrLine));
    }

    private static String lastLine(Worker w) {
        return w.lastErrLine == null ? "(no message)" : w.lastErrLine;
    }

    private static boolean waitFor(Process p, long nanos) {
        try {
            return p.waitFor(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void joinReaders(Worker w) {
        try {
            w.outReader.join(5000);
            w.errReader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(Worker w, String line) {
        try {
            OutputStream in = w.process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            // the worker has exited; its outcome says how
        }
    }

    /** A worker could not start: nothing ran. */
    public static final class WorkersNotStarted extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        WorkersNotStarted(String message) {
            super(message);
        }
    }
}
