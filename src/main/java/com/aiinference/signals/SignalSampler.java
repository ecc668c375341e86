package com.aiinference.signals;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.StubStatus;
import com.aiinference.kube.KubeAccess;
import com.aiinference.kube.PodProxy;
import com.aiinference.report.ServerSignals;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads each inference replica once a second through the API server's pod proxy while a run goes on: vLLM's
 * {@code /metrics}, or for Ollama (no metrics endpoint) the gateway sidecar's stub_status. Bounded: one read per
 * replica in flight (a slow one is a gap, not a pile-up), a short timeout, at most a day of samples; a failed read is
 * recorded as a gap and never fails the run. {@link #stop} ends it and puts the samples on the run's time line.
 */
public final class SignalSampler implements AutoCloseable {
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** The pod list is read again every so many reads, so replicas the HPA adds are sampled too. */
    static final int RELIST_EVERY = 10;
    /** A day of seconds per replica; a longer run keeps its first day. */
    static final int MAX_POINTS_PER_REPLICA = 86_400;

    static final String SOURCE_VLLM = "vllm /metrics";
    static final String SOURCE_GATEWAY = "gateway stub_status";

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> selector;
    private final ServerSignals.Platform platform;
    private final Clock clock;
    private final Duration interval;
    private final Map<String, ReplicaReads> replicas = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private int ticks;
    private boolean stopped;
    /** The client this sampler connected itself ({@link #connect}), closed when it stops. */
    private KubernetesClient owned;

    private SignalSampler(KubernetesClient client, String namespace, Map<String, String> selector,
                          ServerSignals.Platform platform, Duration interval, Clock clock) {
        this.client = client;
        this.interval = interval;
        this.namespace = namespace;
        this.selector = selector;
        this.platform = platform;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "server-signals");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads the platform (pods, their nodes) and starts reading the release's replicas every {@link #INTERVAL}.
     * {@code stackModel}: the model the stack outputs name (Ollama's pods do not say which they serve).
     */
    public static SignalSampler start(KubernetesClient client, String namespace, String release, String stackModel) {
        return start(client, namespace, release, stackModel, INTERVAL, Clock.systemUTC());
    }

    /**
     * For a command whose cluster is known only by its stack outputs ({@code loadtest --stack}, {@code sweep}):
     * connects with the stack's kubeconfig and starts; when the cluster cannot be reached, says so in one warning line
     * and returns empty: the run goes on without the servers' signals.
     */
    public static java.util.Optional<SignalSampler> connect(KubeAccess access, String namespace, String release,
                                                            String stackModel, java.io.PrintWriter log) {
        KubernetesClient c = null;
        try {
            c = access.connect();
            access.ensureReachable(c);
            SignalSampler s = start(c, namespace, release, stackModel);
            s.owned = c;
            return java.util.Optional.of(s);
        } catch (RuntimeException e) {
            if (c != null) {
                c.close();
            }
            log.println("warning: the servers' signals are not read: " + KubeAccess.firstLine(e));
            log.flush();
            return java.util.Optional.empty();
        }
    }

    static SignalSampler start(KubernetesClient client, String namespace, String release, String stackModel,
                               Duration interval, Clock clock) {
        Map<String, String> selector = ChartContract.podSelector(release);
        SignalSampler s = new SignalSampler(client, namespace, selector,
                PlatformReader.read(client, namespace, selector, stackModel), interval, clock);
        s.timer.scheduleAtFixedRate(s::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    /** The platform read when the sampler started. */
    public ServerSignals.Platform platform() {
        return platform;
    }

    /**
     * Stops reading, waits briefly for reads still in flight, and returns every replica's samples and gaps with times
     * in seconds since {@code runStart} (the load's own time line); reads from before it are left out.
     */
    public ServerSignals stop(Instant runStart) {
        List<CompletableFuture<?>> pending;
        synchronized (this) {
            stopped = true;
            pending = replicas.values().stream().map(r -> r.pending).filter(Objects::nonNull)
                    .<CompletableFuture<?>>map(f -> f).toList();
        }
        timer.shutdownNow();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(READ_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a read that does not answer in time is left out; the next run starts afresh
        }
        List<ServerSignals.Replica> out = new ArrayList<>();
        synchronized (this) {
            for (ReplicaReads r : replicas.values()) {
                out.add(r.onTimeline(runStart));
            }
        }
        if (owned != null) {
            owned.close();
        }
        return ServerSignals.of(platform, interval.toMillis() / 1000.0, out);
    }

    /**
     * Per pod, the reads its gateway answered: each is a request in the gateway's stub_status counter that no client
     * of the endpoint sent (verify subtracts them from the traffic each replica served).
     */
    public synchronized Map<String, Long> gatewayReads() {
        Map<String, Long> out = new LinkedHashMap<>();
        replicas.forEach((pod, r) -> out.put(pod, r.gatewayReads));
        return out;
    }

    @Override
    public void close() {
        synchronized (this) {
            stopped = true;
        }
        timer.shutdownNow();
        if (owned != null) {
            owned.close();
        }
    }

    private void tick() {
        try {
            if (ticks++ % RELIST_EVERY == 0) {
                relist();
            }
            Instant now = clock.instant();
            synchronized (this) {
                if (stopped) {
                    return;
                }
                for (ReplicaReads r : replicas.values()) {
                    r.read(now);
                }
            }
        } catch (RuntimeException e) {
            // A pod list the API refuses (RBAC, the API server restarting) leaves the known replicas to be read.
            Instant now = clock.instant();
            synchronized (this) {
                replicas.values().forEach(r -> r.gap(now, "pod list failed: " + KubeAccess.firstLine(e)));
            }
        }
    }

    private void relist() {
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
                .filter(p -> ChartContract.INFERENCE_COMPONENT.equals(p.getMetadata().getLabels() == null ? null
                        : p.getMetadata().getLabels().get(ChartContract.COMPONENT_LABEL)))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        synchronized (this) {
            for (Pod p : pods) {
                replicas.computeIfAbsent(p.getMetadata().getName(), n -> new ReplicaReads(p));
            }
        }
    }

    /** One replica: where to read it, the counters of its previous read, its samples and gaps. */
    private final class ReplicaReads {
        final String pod;
        final String node;
        final String source;
        final int port;
        final String path;
        final String unreadable;
        final List<Point> points = new ArrayList<>();
        /** Reads the gateway answered: its nginx counted each as a request. */
        long gatewayReads;
        final boolean throughGateway;
        CompletableFuture<Void> pending;
        Map<String, Double> previous;
        Instant previousAt;

        ReplicaReads(Pod p) {
            pod = p.getMetadata().getName();
            node = p.getSpec().getNodeName();
            boolean vllm = p.getSpec().getContainers().stream().anyMatch(c -> ChartContract.VLLM_CONTAINER.equals(c.getName()));
            boolean gateway = p.getSpec().getContainers().stream()
                    .anyMatch(c -> ChartContract.GATEWAY_CONTAINER.equals(c.getName()));
            throughGateway = gateway;
            if (vllm) {
                // The gateway passes vLLM's /metrics on its pod-only port, which the chart's NetworkPolicy admits; vLLM's
                // own port is read only when there is no gateway.
                source = SOURCE_VLLM;
                port = gateway ? port(p, ChartContract.GATEWAY_CONTAINER, ChartContract.METRICS_PORT_NAME, ChartContract.METRICS_PORT)
                        : port(p, ChartContract.VLLM_CONTAINER, ChartContract.VLLM_PORT_NAME, ChartContract.VLLM_PORT);
                path = "metrics";
                unreadable = null;
            } else {
                source = SOURCE_GATEWAY;
                port = port(p, ChartContract.GATEWAY_CONTAINER, ChartContract.METRICS_PORT_NAME, ChartContract.METRICS_PORT);
                path = ChartContract.STUB_STATUS_PATH;
                unreadable = gateway ? null : "no gateway container (gateway.enabled=false): Ollama has no metrics of its own";
            }
        }

        void read(Instant at) {
            if (points.size() >= MAX_POINTS_PER_REPLICA) {
                return;
            }
            if (unreadable != null) {
                gap(at, unreadable);
                return;
            }
            if (pending != null && !pending.isDone()) {
                gap(at, "the previous read has not answered yet");
                return;
            }
            pending = PodProxy.get(client, namespace, pod, port, path, READ_TIMEOUT).thenAccept(a -> answered(at, a));
        }

        private void answered(Instant at, PodProxy.Answer a) {
            synchronized (SignalSampler.this) {
                if (a.code() != 200) {
                    gap(at, "pod proxy to :" + port + "/" + path + ": " + a.describe());
                    return;
                }
                if (throughGateway) {
                    gatewayReads++;
                }
                try {
                    Map<String, Double> now = SOURCE_VLLM.equals(source) ? vllm(a.body()) : gateway(a.body());
                    points.add(new Point(at, sample(at, now), null));
                    previous = now;
                    previousAt = at;
                } catch (RuntimeException e) {
                    gap(at, "unreadable answer from :" + port + "/" + path + ": " + e.getMessage());
                }
            }
        }

        void gap(Instant at, String reason) {
            if (points.size() < MAX_POINTS_PER_REPLICA) {
                points.add(new Point(at, null, reason));
            }
        }

        /** The sample's figures: gauges as read, counters as their change since the previous read. */
        private Figures sample(Instant at, Map<String, Double> now) {
            double dt = previousAt == null ? 0 : Duration.between(previousAt, at).toMillis() / 1000.0;
            Double rate = null;
            Double preemptions = null;
            Double hitPct = null;
            if (previous != null && dt > 0) {
                Double requests = delta(now, "requests");
                if (requests != null) {
                    // nginx counts the read itself: one request per read is the sampler's, not the load's.
                    rate = Math.max(0, SOURCE_GATEWAY.equals(source) ? requests - 1 : requests) / dt;
                }
                preemptions = delta(now, "preemptions");
                Double queries = delta(now, "prefix_queries");
                Double hits = delta(now, "prefix_hits");
                if (queries != null && hits != null && queries > 0) {
                    hitPct = 100 * hits / queries;
                }
            }
            return new Figures(now.get("running"), now.get("waiting"), now.get("in_flight"), now.get("kv_cache_pct"),
                    hitPct, preemptions, rate);
        }

        /** A counter's change since the previous read; null when either lacks it or it was reset (a restart). */
        private Double delta(Map<String, Double> now, String key) {
            Double a = previous.get(key);
            Double b = now.get(key);
            return a == null || b == null || b < a ? null : b - a;
        }

        ServerSignals.Replica onTimeline(Instant runStart) {
            List<ServerSignals.Sample> samples = new ArrayList<>();
            List<ServerSignals.Gap> gaps = new ArrayList<>();
            for (Point p : points) {
                double t = Duration.between(runStart, p.at()).toMillis() / 1000.0;
                if (t < 0) {
                    continue;
                }
                if (p.figures() != null) {
                    Figures f = p.figures();
                    samples.add(new ServerSignals.Sample(t, f.running(), f.waiting(), f.inFlight(), f.kvCachePct(),
                            f.prefixHitPct(), f.preemptions(), f.requestsPerS()));
                } else {
                    gaps.add(new ServerSignals.Gap(t, p.gap()));
                }
            }
            return new ServerSignals.Replica(pod, node, source, samples, gaps);
        }
    }

    private record Figures(Double running, Double waiting, Double inFlight, Double kvCachePct, Double prefixHitPct,
                           Double preemptions, Double requestsPerS) {}

    private record Point(Instant at, Figures figures, String gap) {}

    /**
     * vLLM's scheduler figures (names of vLLM V1; the KV-cache gauge was {@code gpu_cache_usage_perc} before). Prefix
     * cache and preemption counters are optional: not every version exports them.
     */
    static Map<String, Double> vllm(String body) {
        PrometheusText page = PrometheusText.parse(body);
        Map<String, Double> m = new LinkedHashMap<>();
        double running = page.sum("vllm:num_requests_running").orElseThrow(() ->
                new IllegalArgumentException("no vllm:num_requests_running on the page (is this vLLM's /metrics?)"));
        m.put("running", running);
        page.sum("vllm:num_requests_waiting").ifPresent(v -> m.put("waiting", v));
        page.sumOfFirst("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc").ifPresent(v -> m.put("kv_cache_pct", 100 * v));
        page.sum("vllm:prefix_cache_queries_total").ifPresent(v -> m.put("prefix_queries", v));
        page.sum("vllm:prefix_cache_hits_total").ifPresent(v -> m.put("prefix_hits", v));
        page.sum("vllm:num_preemptions_total").ifPresent(v -> m.put("preemptions", v));
        page.sum("vllm:request_success_total").ifPresent(v -> m.put("requests", v));
        return m;
    }

    /** The gateway's stub_status: requests being served (less the read itself) and its request counter. */
    static Map<String, Double> gateway(String body) {
        StubStatus page = StubStatus.parse(body);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("in_flight", (double) Math.max(0, StubStatus.writing(body) - 1));
        m.put("requests", (double) page.requests());
        return m;
    }

    private static int port(Pod pod, String container, String portName, int fallback) {
        return pod.getSpec().getContainers().stream().filter(c -> container.equals(c.getName()))
                .flatMap(c -> c.getPorts() == null ? java.util.stream.Stream.<ContainerPort>empty() : c.getPorts().stream())
                .filter(p -> portName.equals(p.getName()))
                .map(ContainerPort::getContainerPort).filter(Objects::nonNull).findFirst().orElse(fallback);
    }
}
