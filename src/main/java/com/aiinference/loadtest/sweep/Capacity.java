package com.aiinference.loadtest.sweep;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How many replicas of the measured configuration hold {@code users} concurrent users within an SLO, from a sweep's
 * per-replica curve: the knee (highest step within the SLO) divided by the replicas that served the sweep gives the
 * concurrency one replica held; the users divided by that, rounded up, is the answer. Every figure comes from the
 * sweep file or is derived from it; the assumptions that carry it from the measured replicas to the asked users are
 * listed with it.
 *
 * @param users                 concurrent users to hold
 * @param slo                   the objectives judged on each step
 * @param knee                  the highest-load step within them
 * @param perReplicaConcurrency users one replica held at the knee
 * @param replicas              replicas needed
 * @param derivation            how {@code perReplicaConcurrency} follows from the knee
 * @param assumptions           what the answer takes for granted
 */
public record Capacity(int users, Slo slo, SweepStep knee, double perReplicaConcurrency, int replicas,
                       String derivation, List<String> assumptions) {

    /** No step of the sweep met the SLO: there is no measured point to scale from ({@code capacity} exits 1). */
    public static final class NoStepWithinSloException extends com.aiinference.core.DomainException {
        private static final long serialVersionUID = 1L;

        NoStepWithinSloException(String message) {
            super(message);
        }
    }

    public Capacity {
        assumptions = List.copyOf(assumptions);
    }

    /** The answer for {@code users} from {@code sweep}, judged on {@code slo} (the sweep's own when null). */
    public static Capacity of(SweepResult sweep, int users, Slo slo) {
        if (users < 1) {
            throw new SweepInputException("--users must be at least 1, got " + users);
        }
        sweep.cutByUser().ifPresent(cut -> {
            throw new SweepInputException("the sweep was stopped by the user during its step at " + sweep.loadKey() + " "
                    + sweep.loadText(cut.load()) + ": it never showed where the SLO breaks, so its knee is not known;"
                    + " run the sweep to its end");
        });
        Slo objectives = slo == null || slo.isEmpty() ? sweep.slo() : slo;
        SweepStep knee = sweep.knee(objectives).orElseThrow(() -> new NoStepWithinSloException(
                "no step of the sweep met " + sloText(objectives) + ": the first, " + sweep.loadKey() + " "
                        + sweep.loadText(sweep.steps().get(0).load()) + ", " + why(sweep.steps().get(0), objectives)
                        + "; sweep lower loads, or more replicas per step"));
        double perReplica;
        String derivation;
        if (sweep.openLoop()) {
            double inFlight = knee.requestsPerSecond() * knee.latency().mean() / 1000.0;
            perReplica = inFlight / sweep.replicas();
            derivation = String.format(Locale.ROOT, "Little's law at the knee (rate %s): %s req/s x mean latency %s ="
                            + " %s requests in flight, over %d replica%s = %s per replica",
                    sweep.loadText(knee.load()), Format.number(knee.requestsPerSecond()),
                    Format.millis(knee.latency().mean()), Format.number(inFlight), sweep.replicas(),
                    sweep.replicas() == 1 ? "" : "s", Format.number(perReplica));
        } else {
            perReplica = knee.load() / sweep.replicas();
            derivation = String.format(Locale.ROOT, "knee at concurrency %d over %d replica%s = %s concurrent users per replica",
                    (long) knee.load(), sweep.replicas(), sweep.replicas() == 1 ? "" : "s", Format.number(perReplica));
        }
        if (!(perReplica > 0)) {
            throw new NoStepWithinSloException("the knee step has no measured latency or throughput to scale from");
        }
        int replicas = (int) Math.ceil(users / perReplica - 1e-9);
        List<String> assumptions = new ArrayList<>();
        assumptions.add("closed-loop users: each has one request in flight and sends the next when its answer ends"
                + " (no think time; users who pause between requests need fewer replicas)");
        assumptions.add("load spreads evenly across replicas, and each added replica serves as the " + sweep.replicas()
                + " measured one" + (sweep.replicas() == 1 ? "" : "s") + " did (capacity scales linearly with replicas)");
        assumptions.add(String.format(Locale.ROOT, "requests like the sweep's: model %s, %s API, %d prompt%s used in turn,"
                        + " max_tokens %d, answers of %s output tokens on average at the knee", sweep.model(), sweep.api(),
                sweep.prompts(), sweep.prompts() == 1 ? "" : "s", sweep.maxTokens(),
                Double.isNaN(knee.outputTokensPerAnswer()) ? "n/a" : Format.number(knee.outputTokensPerAnswer())));
        assumptions.add("no capacity between measured steps is interpolated: the knee is the highest step measured"
                + " within " + sloText(objectives));
        if (knee == sweep.steps().get(sweep.steps().size() - 1)) {
            assumptions.add("the SLO still held at the sweep's highest step, so one replica may hold more: a sweep to"
                    + " higher load could lower this count");
        }
        return new Capacity(users, objectives, knee, perReplica, replicas, derivation, assumptions);
    }

    private static String sloText(Slo slo) {
        return slo.isEmpty() ? "the sweep's criteria (requests succeeded)" : slo.toString();
    }

    private static String why(SweepStep s, Slo slo) {
        if (s.aborted() != null) {
            return "stopped early (" + s.aborted() + ")";
        }
        if (s.requests().succeeded() == 0) {
            return "no request succeeded";
        }
        return slo.evaluate(s).stream().filter(com.aiinference.core.Check::failed)
                .map(o -> o.name() + " measured " + o.message()).collect(Collectors.joining(", "));
    }
}
