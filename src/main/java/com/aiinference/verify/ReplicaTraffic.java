package com.aiinference.verify;

/**
 * Requests one replica's gateway served during the run: the stub_status {@code requests} delta minus verify's own
 * scrape, or why it is unknown (gateway disabled, pod replaced, counter reset by a gateway restart).
 */
public record ReplicaTraffic(String pod, String node, Long served, String unknownReason) {
    public boolean known() {
        return served != null;
    }

    public boolean servedTraffic() {
        return served != null && served > 0;
    }
}
