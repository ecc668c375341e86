package com.aiinference.report;

import com.aiinference.core.Format;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the servers themselves said during a run, read once a second from each replica through the Kubernetes API
 * server's pod proxy, and the platform that was measured. JSON field {@code server} of a report.
 *
 * @param platform   what produced the figures (engine, image, model, parallel limit, machine, GPU, driver, replicas)
 * @param intervalS  seconds between two reads of a replica
 * @param replicas   each replica's samples and gaps, by pod name
 * @param reading    one line on what the signals show (queue growing at the parallel limit, KV cache full,
 *                   preemptions), or null when they show none of these
 */
@JsonPropertyOrder({"platform", "interval_s", "reading", "replicas"})
public record ServerSignals(Platform platform, double intervalS, List<Replica> replicas, String reading) {
    /** Share of the KV cache from which vLLM is said to run out of it. */
    public static final double KV_CACHE_FULL_PCT = 90;

    public ServerSignals {
        Objects.requireNonNull(platform, "platform");
        replicas = List.copyOf(replicas);
    }

    /** The same signals with the reading of the whole run. */
    public static ServerSignals of(Platform platform, double intervalS, List<Replica> replicas) {
        ServerSignals s = new ServerSignals(platform, intervalS, replicas, null);
        return new ServerSignals(platform, intervalS, replicas, s.reading(0, Double.MAX_VALUE));
    }

    /**
     * The platform a report measured, so two reports can be compared without guessing: from the stack outputs, the
     * pods' spec and their nodes' labels. A field is null when nothing said it.
     *
     * @param engine          {@code ollama} or {@code vllm}
     * @param image           the inference container's image
     * @param model           the model served
     * @param parallel        requests one replica runs at once: OLLAMA_NUM_PARALLEL or vLLM's --max-num-seqs
     * @param parallelSetting which of the two {@code parallel} is
     * @param machineType     the nodes' {@code node.kubernetes.io/instance-type} label, e.g. g2-standard-8
     * @param gpu             the nodes' {@code cloud.google.com/gke-accelerator} label, e.g. nvidia-l4
     * @param gpuDriver       the nodes' {@code cloud.google.com/gke-gpu-driver-version} label (GKE's driver
     *                        channel, default or latest)
     * @param replicas        inference pods when the run started
     */
    @JsonPropertyOrder({"engine", "image", "model", "parallel", "parallel_setting", "machine_type", "gpu", "gpu_driver",
            "replicas"})
    public record Platform(String engine, String image, String model, Integer parallel, String parallelSetting,
            String machineType, String gpu, String gpuDriver, int replicas) {}

    /**
     * One replica's signals.
     *
     * @param pod     the pod's name
     * @param node    the node it ran on
     * @param source  what was read: {@code vllm /metrics} or {@code gateway stub_status} (Ollama has no metrics)
     * @param samples one per successful read, in time order
     * @param gaps    one per failed read (the run goes on)
     */
    @JsonPropertyOrder({"pod", "node", "source", "samples", "gaps"})
    public record Replica(String pod, String node, String source, List<Sample> samples, List<Gap> gaps) {
        public Replica {
            samples = List.copyOf(samples);
            gaps = List.copyOf(gaps);
        }
    }

    /**
     * One read of one replica; a field the source does not give is null.
     *
     * @param tS                when it was read, in seconds since the run's start (the load's timeline)
     * @param running           vLLM: requests in the running batch ({@code vllm:num_requests_running})
     * @param waiting           vLLM: requests queued for a slot ({@code vllm:num_requests_waiting})
     * @param inFlight          Ollama: requests the gateway is serving (nginx's Writing, less the read itself):
     *                          running and queued in Ollama alike
     * @param kvCachePct        vLLM: KV-cache blocks in use, percent
     * @param prefixCacheHitPct vLLM: prompt tokens found in the prefix cache since the previous read, percent
     * @param preemptions       vLLM: sequences preempted since the previous read
     * @param requestsPerS      requests started per second since the previous read (vLLM: finished)
     */
    @JsonPropertyOrder({"t_s", "running", "waiting", "in_flight", "kv_cache_pct", "prefix_cache_hit_pct", "preemptions",
            "requests_per_s"})
    public record Sample(double tS, Double running, Double waiting, Double inFlight, Double kvCachePct,
            Double prefixCacheHitPct, Double preemptions, Double requestsPerS) {}

    /** A read that failed: when, and why (HTTP status, timeout, unparsable page). */
    public record Gap(double tS, String reason) {}

    /**
     * What the signals between {@code fromS} and {@code toS} (seconds since the start) say about where the time went,
     * in one line, or null when they show no limit. Used for the run, and for the step past a sweep's knee.
     */
    public String reading(double fromS, double toS) {
        List<String> found = new ArrayList<>();
        double maxWaiting = 0;
        boolean grew = false;
        double maxRunning = 0;
        double maxKv = 0;
        double preempted = 0;
        double maxInFlight = 0;
        for (Replica r : replicas) {
            List<Sample> in = r.samples().stream().filter(s -> s.tS() >= fromS && s.tS() <= toS).toList();
            double first = Double.NaN;
            for (Sample s : in) {
                if (s.waiting() != null) {
                    maxWaiting = Math.max(maxWaiting, s.waiting());
                    // The queue grew when a later read found more waiting than this replica's first read did.
                    first = Double.isNaN(first) ? s.waiting() : first;
                    grew |= s.waiting() > first;
                }
                maxRunning = Math.max(maxRunning, s.running() == null ? 0 : s.running());
                maxKv = Math.max(maxKv, s.kvCachePct() == null ? 0 : s.kvCachePct());
                preempted += s.preemptions() == null ? 0 : s.preemptions();
                maxInFlight = Math.max(maxInFlight, s.inFlight() == null ? 0 : s.inFlight());
            }
        }
        Integer limit = platform.parallel();
        if (maxWaiting > 0) {
            boolean atLimit = limit != null && maxRunning >= limit;
            found.add(String.format(Locale.ROOT, "requests queued in vLLM (waiting up to %s per replica%s) while running %s",
                    Format.number(maxWaiting), grew ? ", growing" : "",
                    atLimit ? "held at the parallel limit (" + platform.parallelSetting() + " " + limit + ")"
                            : "peaked at " + Format.number(maxRunning)));
        }
        if (maxKv >= KV_CACHE_FULL_PCT) {
            found.add("KV cache near full (" + Format.number(maxKv) + "% at peak)");
        }
        if (preempted > 0) {
            found.add(Format.number(preempted) + " sequences preempted (the KV cache could not hold them)");
        }
        if (limit != null && maxInFlight > limit) {
            found.add(String.format(Locale.ROOT, "requests queued in Ollama: up to %s in flight at one replica's gateway,"
                    + " over %s %d", Format.number(maxInFlight), platform.parallelSetting(), limit));
        }
        return found.isEmpty() ? null : String.join("; ", found);
    }

    /** How many reads failed, over all replicas. */
    public int gapCount() {
        return replicas.stream().mapToInt(r -> r.gaps().size()).sum();
    }
}
