package com.aiinference.loadtest.sweep;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.LoadTestConfig;
import com.aiinference.loadtest.engine.LoadTestRunner;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Runs the load test step by step, from low to high load on the same endpoint, until every step ran, a step
 * breaks the SLO, or throughput stops rising (a step adds less than {@code minGain} requests/s over the best step
 * before it): the way GuideLLM's sweep and vLLM's {@code bench serve} rate series find where latency bends. Each
 * step is a bounded run ({@link LoadTestConfig#maxRunTime()}), so the whole sweep is bounded by their sum.
 *
 * @param loadKey      {@link SweepResult#CONCURRENCY} (closed loop, users per step) or {@link SweepResult#RATE}
 * @param loads        the steps' loads, strictly rising
 * @param stepDuration measured window of each step
 * @param minGain      smallest rise in requests/s over the best earlier step that still counts as rising (0.05 = 5%)
 * @param base         everything else of each step's run (requests, warm-up, timeout, SLO)
 */
public record Sweep(String loadKey, List<Double> loads, Duration stepDuration, double minGain, LoadTestConfig base) {

    /** Runs one step at {@code load}; the real one wraps {@link LoadTestRunner#run}, tests may fake it. */
    @FunctionalInterface
    public interface StepRunner {
        SweepStep run(double load, LoadTestConfig step);
    }

    public Sweep {
        loads = List.copyOf(loads);
        if (loads.isEmpty()) {
            throw new SweepInputException("--" + (SweepResult.RATE.equals(loadKey) ? "rates" : loadKey) + " has no steps");
        }
        for (int i = 0; i < loads.size(); i++) {
            double v = loads.get(i);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new SweepInputException("--" + flag(loadKey) + " steps must be more than 0, got " + text(v));
            }
            if (SweepResult.CONCURRENCY.equals(loadKey) && v != Math.rint(v)) {
                throw new SweepInputException("--concurrency steps are whole numbers of users, got " + text(v));
            }
            if (i > 0 && !(v > loads.get(i - 1))) {
                throw new SweepInputException("--" + flag(loadKey) + " steps must rise from low to high, got "
                        + text(loads.get(i - 1)) + " then " + text(v) + " (" + loads.stream().map(Sweep::text)
                                .collect(Collectors.joining(",")) + ")");
            }
        }
        if (!(minGain >= 0 && minGain < 1)) {
            throw new SweepInputException("--min-gain must be at least 0% and below 100%, got " + minGain);
        }
    }

    private static String flag(String loadKey) {
        return SweepResult.RATE.equals(loadKey) ? "rates" : "concurrency";
    }

    private static String text(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The configuration of one step. */
    public LoadTestConfig step(double load) {
        LoadTestConfig.Builder b = base.toBuilder().duration(stepDuration).reportJson(null).reportHtml(null).maxRequests(0);
        if (SweepResult.RATE.equals(loadKey)) {
            return b.load(new LoadShape.OpenLoop(load)).build();
        }
        return b.load(new LoadShape.ClosedLoop((int) load, Duration.ZERO)).build();
    }

    /** The longest the whole sweep can take: every step's bound, added up. */
    public Duration maxRunTime() {
        Duration d = Duration.ZERO;
        for (double load : loads) {
            d = d.plus(step(load).maxRunTime());
        }
        return d;
    }

    /** Runs the steps against {@code target}; one line per finished step goes to {@code log}. */
    public SweepResult run(URI target, int replicas, String replicasSource, StepRunner runner, PrintWriter log) {
        Instant started = Instant.now();
        List<SweepStep> steps = new ArrayList<>();
        String stopped = "every step ran";
        double best = 0;
        for (int i = 0; i < loads.size(); i++) {
            double load = loads.get(i);
            SweepStep s = runner.run(load, step(load));
            steps.add(s);
            boolean meets = s.meets(base.slo());
            log.printf(Locale.ROOT, "sweep: step %d/%d, %s %s: %s req/s, %s output tok/s, latency p95 %s, TTFT p95 %s,"
                            + " %d of %d failed: %s%n", i + 1, loads.size(), loadKey, text(load),
                    Format.number(s.requestsPerSecond()), Format.number(s.outputTokensPerSecond()),
                    Format.millis(s.latency().p95()), Format.millis(s.ttft().p95()), s.requests().failed(), s.requests().total(),
                    s.stoppedByUser() != null ? "stopped by the user, not judged" : meets ? "within the SLO" : "SLO broken");
            log.flush();
            if (s.stoppedByUser() != null) {
                stopped = "stopped by the user (" + s.stoppedByUser() + ") during step " + (i + 1) + " (" + loadKey + " "
                        + text(load) + "): that step was cut and is not judged, and no step after it ran";
                break;
            }
            if (s.aborted() != null) {
                stopped = "step " + (i + 1) + " (" + loadKey + " " + text(load) + ") was stopped: " + s.aborted();
                break;
            }
            if (!meets) {
                stopped = "the SLO broke at " + loadKey + " " + text(load) + " (" + broken(s) + ")";
                break;
            }
            if (i > 0 && s.requestsPerSecond() < best * (1 + minGain)) {
                stopped = String.format(Locale.ROOT, "throughput stopped rising at %s %s (%s req/s against %s before;"
                                + " less than +%s)", loadKey, text(load), Format.number(s.requestsPerSecond()),
                        Format.number(best), Format.share(minGain).replace(".00%", "%"));
                break;
            }
            best = Math.max(best, s.requestsPerSecond());
        }
        return new SweepResult(target.toString(), base.api().cliName(), base.model(), loadKey, base.slo(), replicas,
                replicasSource, stepDuration.toMillis() / 1000.0, base.warmup().toMillis() / 1000.0, base.maxTokens(),
                base.prompts().size(), started, steps, stopped);
    }

    /** Why a step breaks the SLO, e.g. {@code p95<5s measured 6.2s} or {@code no request succeeded}. */
    private String broken(SweepStep s) {
        if (s.requests().succeeded() == 0) {
            return "no request succeeded (" + s.requests().total() + " sent)";
        }
        return base.slo().evaluate(s).stream().filter(com.aiinference.core.Check::failed)
                .map(o -> o.name() + " measured " + o.message()).collect(Collectors.joining(", "));
    }
}
