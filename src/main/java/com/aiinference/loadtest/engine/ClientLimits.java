package com.aiinference.loadtest.engine;

import com.aiinference.core.Format;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What this client process can hold: a closed loop keeps one connection (one file descriptor, and its buffers) per
 * user, so a load larger than the process's descriptor limit or heap would fail on the client and be reported as the
 * server's connection errors. Such a load is refused before the run; a client that runs out all the same (an open
 * loop whose answers pile up) stops the run naming its own fault ({@link #fault}).
 */
public final class ClientLimits {
    /** The highest open-loop rate a client accepts: far above what one machine can send. */
    public static final double MAX_RATE = 1_000_000;
    /** Descriptors kept free for the JVM's own files, the event loops and the reports. */
    static final long SPARE_DESCRIPTORS = 64;
    /** Heap a streaming connection may need at most (buffers, its request's record), measured at 10,000 streams. */
    static final long BYTES_PER_CONNECTION = 64 * 1024;

    private ClientLimits() {}

    /** The load needs more than this process can hold. */
    public static final class ClientLimitException extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        ClientLimitException(String message) {
            super(message);
        }
    }

    /**
     * Refuses a load this process cannot hold: more users than descriptors it may still open, or than its heap holds
     * connections for, or a rate above {@link #MAX_RATE}; the users are spread over {@code processes} processes.
     */
    public static void check(LoadShape load, int processes) {
        if (load instanceof LoadShape.OpenLoop open && open.rate() > MAX_RATE) {
            throw new ClientLimitException(String.format(Locale.ROOT, "--rate %s is more than %s requests/s, more than"
                    + " one client can send; give a lower rate", Format.number(Math.min(open.rate(), 1e12)),
                    Format.number(MAX_RATE)));
        }
        if (!(load instanceof LoadShape.ClosedLoop closed)) {
            return;
        }
        long here = (closed.users() + (long) processes - 1) / Math.max(1, processes);
        long free = freeDescriptors();
        if (free >= 0 && here > free) {
            throw new ClientLimitException(String.format(Locale.ROOT, "--users %s needs %s connections in %s, but it may"
                    + " open only %s more files (ulimit -n %s); raise ulimit -n, or spread the users with --workers or"
                    + " --in-cluster", Format.count(closed.users()), Format.count(here),
                    processes == 1 ? "this process" : "each of " + processes + " processes", Format.count(free),
                    Format.count(maxDescriptors())));
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (here > heap / BYTES_PER_CONNECTION) {
            throw new ClientLimitException(String.format(Locale.ROOT, "--users %s needs %s connections in %s, more than"
                    + " its heap (%s MiB) holds at %d KiB each; spread the users with --workers or --in-cluster",
                    Format.count(closed.users()), Format.count(here), processes == 1 ? "this process" : "each process",
                    Format.count(heap / (1024 * 1024)), BYTES_PER_CONNECTION / 1024));
        }
    }

    /**
     * Why a connection could not be opened, when it is this client's fault (out of file descriptors, out of memory),
     * else null: the server is not to blame for it.
     */
    static String fault(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return "the client ran out of memory (" + t.getMessage() + ") opening a connection: the load is more than"
                        + " this process holds (spread it with --workers or --in-cluster)";
            }
            if (String.valueOf(t.getMessage()).contains("Too many open files")) {
                return outOfDescriptors();
            }
        }
        return null;
    }

    /** Why the run stops when its connections would take the process past its descriptor limit. */
    static String outOfDescriptors() {
        long max = maxDescriptors();
        return "the client ran out of file descriptors" + (max > 0 ? " (ulimit -n " + Format.count(max) + ")" : "")
                + " opening a connection: this machine's limit, not the server's fault; raise ulimit -n, or spread the"
                + " load with --workers or --in-cluster";
    }

    /** Descriptors this process may still open, less a spare few; -1 where the platform does not say. */
    static long freeDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return Math.max(0, os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - SPARE_DESCRIPTORS);
        }
        return -1;
    }

    private static long maxDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
