package com.aiinference.loadtest;

import com.aiinference.core.Format;
import com.aiinference.loadtest.engine.LoadShape;
import com.aiinference.loadtest.engine.Preflight;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The seed's note, "testing via kubectl port-forward is strictly limited to low concurrency (<10 users)", as a
 * warning on a local URL: for a closed loop when more than {@link #ABOVE} users are asked for; for an open loop
 * when the rate times the pre-flight request's latency (the concurrency it implies, by Little's law) is above it.
 */
public final class PortForwardWarning {
    /** Port-forward tunnels hold fewer than this many concurrent users well. */
    public static final int ABOVE = 10;

    private PortForwardWarning() {}

    /** The warning, if {@code target} is local and the load is more than a tunnel holds. */
    public static Optional<String> of(URI target, LoadShape load, Preflight.Answer preflight) {
        if (!TargetResolver.isLocal(target)) {
            return Optional.empty();
        }
        String asked;
        if (load instanceof LoadShape.ClosedLoop closed) {
            if (closed.users() <= ABOVE) {
                return Optional.empty();
            }
            asked = closed.users() + " users were asked for";
        } else {
            LoadShape.OpenLoop open = (LoadShape.OpenLoop) load;
            double latencyS = preflight == null ? Double.NaN : preflight.latencyMs() / 1000;
            double concurrency = open.rate() * latencyS;
            if (Double.isNaN(concurrency) || concurrency <= ABOVE) {
                return Optional.empty();
            }
            asked = String.format(Locale.ROOT, "%s at %s per answer means about %.0f requests in flight",
                    open.describe(), Format.millis(preflight.latencyMs()), concurrency);
        }
        return Optional.of(String.format(Locale.ROOT, "%s is a local address (kubectl port-forward?) and %s:"
                + " port-forward tunnels hold fewer than %d concurrent users well; for the real figure use the"
                + " LoadBalancer endpoint (--stack).", target.getHost(), asked, ABOVE));
    }
}
