package com.aiinference.status;

import com.aiinference.chart.ChartContract;
import com.aiinference.kube.KubeAccess;
import java.net.URI;

/**
 * Where the release runs and how to reach it: Kubernetes access (kubeconfig text or file, optional context),
 * the namespace and release, and the endpoint the load goes to.
 */
public record PlatformTarget(
        KubeAccess access,
        String namespace,
        String release,
        URI endpoint,
        Expectations expected) {

    /** Selector of the release's inference pods (the chart's name + instance labels). */
    public java.util.Map<String, String> podSelector() {
        return ChartContract.podSelector(release);
    }
}
