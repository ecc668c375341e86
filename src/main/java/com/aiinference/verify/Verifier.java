package com.aiinference.verify;

import com.aiinference.core.Check;
import com.aiinference.report.ServerSignals;
import com.aiinference.signals.SignalSampler;
import com.aiinference.status.PlatformInspector;
import com.aiinference.status.PlatformSnapshot;
import com.aiinference.status.PlatformTarget;
import com.aiinference.status.PodWatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Before, load, after: snapshot the release, run the load while watching its pods, snapshot again, and judge.
 * The load still runs when a before-check fails (the report then shows what the failure costs), but not when no
 * pod is ready: there is nothing to measure then.
 */
public final class Verifier {
    private final KubernetesClient client;
    private final PlatformTarget target;
    private final LoadPhase load;
    private final PrintWriter log;

    private final String notReady;
    private ServerSignals server;

    public Verifier(KubernetesClient client, PlatformTarget target, LoadPhase load, PrintWriter log) {
        this(client, target, load, log, null);
    }

    /**
     * {@code notReady}: why the release was not ready when {@code --wait-ready} gave up (null when it was, or when
     * nothing was waited for); the load is then skipped for that reason and the reports still say everything else.
     */
    public Verifier(KubernetesClient client, PlatformTarget target, LoadPhase load, PrintWriter log, String notReady) {
        this.notReady = notReady;
        this.client = client;
        this.target = target;
        this.load = load;
        this.log = log;
    }

    public VerificationReport run() {
        PlatformInspector inspector = new PlatformInspector(client, target);
        PlatformSnapshot before = inspector.snapshot();
        Map<Moment, List<Check>> checks = new EnumMap<>(Moment.class);
        checks.put(Moment.BEFORE, VerificationChecks.before(before, target.expected(), target.namespace(), target.release()));
        log.printf("before: %s%n", summary(before));
        checks.get(Moment.BEFORE).stream().filter(Check::failed)
                .forEach(c -> log.printf("before: FAIL %s: %s%n", c.name(), c.message()));
        log.flush();

        long ready = before.pods().stream().filter(PlatformSnapshot.PodState::ready).count();
        Optional<String> cannotLoad = notReady != null ? Optional.of(notReady)
                : ready == 0 ? Optional.of(before.pods().isEmpty() ? "no inference pod exists" : "no inference pod is ready")
                : load.preflight(target.endpoint(), log);
        if (cannotLoad.isPresent()) {
            String why = cannotLoad.get();
            return new VerificationReport(target.namespace(), target.release(), String.valueOf(target.endpoint()),
                    load.users(), target.expected(), before, Optional.empty(), checks, List.of(), Optional.empty(), why, List.of());
        }

        Instant runStart = Instant.now();
        LoadOutcome outcome;
        List<PodWatch.Observation> seen;
        Optional<String> watchFailure;
        Map<String, Long> ownReads;
        // The servers' own signals, read between the two snapshots: their reads of the gateway are subtracted from the
        // traffic each replica served.
        try (PodWatch watch = PodWatch.start(client, target.namespace(), target.podSelector(), before);
             SignalSampler sampler = SignalSampler.start(client, target.namespace(), target.release(),
                     target.expected().model())) {
            outcome = load.run(target.endpoint(), log);
            seen = watch.observations();
            watchFailure = watch.failure();
            server = sampler.stop(runStart);
            ownReads = sampler.gatewayReads();
        }
        checks.put(Moment.RUN, List.of(VerificationChecks.load(outcome)));
        PlatformSnapshot after = inspector.snapshot();
        log.printf("after: %s%n", summary(after));
        log.flush();
        checks.put(Moment.AFTER, VerificationChecks.after(before, after, seen, watchFailure, runStart, target.expected(),
                ownReads));
        return new VerificationReport(target.namespace(), target.release(), String.valueOf(target.endpoint()),
                load.users(), target.expected(), before, Optional.of(after), checks, VerificationChecks.traffic(before, after, ownReads),
                Optional.of(outcome), null, seen);
    }

    /** The servers' signals during the load (seconds since it began), once {@link #run} ran it. */
    public Optional<ServerSignals> serverSignals() {
        return Optional.ofNullable(server);
    }

    private static String summary(PlatformSnapshot s) {
        long ready = s.pods().stream().filter(PlatformSnapshot.PodState::ready).count();
        int restarts = s.pods().stream().mapToInt(PlatformSnapshot.PodState::restarts).sum();
        return s.pods().size() + " pods, " + ready + " ready, " + restarts + " container restarts"
                + s.deployment().map(d -> "; Deployment " + d.name() + " " + d.ready() + "/" + d.desired()).orElse("; no Deployment")
                + s.hpa().map(h -> "; HPA " + h.min() + "-" + h.max() + " current " + h.current()).orElse("")
                + s.provisioningRequest().map(p -> "; ProvisioningRequest " + p.name() + " " + p.phase().name().toLowerCase().replace('_', ' ')).orElse("");
    }
}
