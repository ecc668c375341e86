package com.aiinference;

import com.aiinference.config.InvalidConfigException;
import com.aiinference.config.Settings;
import com.aiinference.stack.Cluster;
import com.aiinference.stack.ControlPlaneVersion;
import com.aiinference.stack.PulumiInternals;
import com.aiinference.stack.GpuNodePool;
import com.aiinference.stack.InferenceRelease;
import com.aiinference.stack.Network;
import com.aiinference.stack.ProjectServices;
import com.aiinference.stack.Providers;
import com.aiinference.stack.StackRules;
import com.aiinference.stack.WorkerImageRepository;
import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.core.Output;
import com.pulumi.exceptions.RunException;
import com.pulumi.resources.ComponentResourceOptions;
import java.nio.file.Path;

/**
 * The Pulumi program ({@code pulumi up}; {@code plan} runs the same {@link #stack} on the mock engine): a GKE cluster,
 * an L4 node pool with DWS queued provisioning and Ollama from {@code charts/ai-inference}.
 */
public final class App {
    private App() {}

    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    /** The program as {@code pulumi up} runs it: the working directory is the project's (Pulumi.yaml, the chart). */
    public static void stack(Context ctx) {
        stack(ctx, Path.of(""));
    }

    /** The program with the project directory given ({@code plan --project-dir}): the chart path is relative to it. */
    public static void stack(Context ctx, Path projectDir) {
        StackRules.Accepted accepted = accepted(ctx, projectDir);
        Settings s = accepted.settings();
        String name = s.cluster().name();

        // The project's APIs are enabled first (a new project needs only serviceusage on). The control-plane version is
        // then looked up (and checked against the DWS floor); the provider that creates every other GCP resource gets
        // its project only once both passed, and depends on the APIs, so a refused version creates nothing but them.
        var lookups = Providers.gcp(name + "-gcp-lookups", s, Output.of(s.gcp().projectId()));
        var services = new ProjectServices(name + "-services", s, lookups, ComponentResourceOptions.builder().build());
        var version = new ControlPlaneVersion(s, lookups, services.project);
        var gcp = Providers.gcp(name + "-gcp", s, version.project, services.services);
        var network = new Network(name, s, gcp, ComponentResourceOptions.builder().build());
        var cluster = new Cluster(name, s, network, gcp, version, ComponentResourceOptions.builder().build());
        var gpuPool = new GpuNodePool(s.gpuPool().name(), s, cluster, gcp, ComponentResourceOptions.builder().build());
        var app = new InferenceRelease(s.workload().releaseName(), s, accepted.serviceName(), network, cluster, gpuPool,
                gcp, ComponentResourceOptions.builder().build());

        // loadtest/verify --in-cluster run their workers from this repository's image (the deploy workflow pushes it).
        var workerImages = new WorkerImageRepository(name + "-worker-images", s, gcp, cluster.nodeServiceAccount,
                ComponentResourceOptions.builder().build());

        ctx.export("externalIp", app.address);
        ctx.export("endpoint", app.endpoint);
        ctx.export("clusterName", cluster.name);
        ctx.export("location", cluster.location);
        ctx.export("gkeVersion", cluster.version);
        ctx.export("gpuNodePool", gpuPool.name);
        ctx.export("namespace", app.namespace);
        ctx.export("serviceName", app.serviceName);
        ctx.export("releaseName", app.releaseName);
        ctx.export("kubeconfig", cluster.kubeconfig);
        ctx.export("replicas", Output.of(s.workload().peakReplicas()));
        ctx.export("model", Output.of(s.workload().model()));
        ctx.export("engine", Output.of(s.engine().kind()));
        ctx.export("memoryLimit", Output.of(s.workload().memoryLimit().text()));
        ctx.export("dwsEnabled", Output.of(s.gpuPool().queuedProvisioning()));
        ctx.export("gpuProvisioning", Output.of(s.gpuPool().provisioning().configName()));
        ctx.export("hpaPinned", Output.of(s.workload().isHpaPinnedAt()));
        ctx.export("workerImageRepository", workerImages.url);
        if (s.service().createsApiKeySecret()) {
            // Secret in the state: loadtest/verify/sweep --stack send it (pulumi stack output --show-secrets), never print it.
            ctx.export("apiKey", Output.ofSecret(s.service().apiKeys().values().get(0)));
        }
    }

    /**
     * Config parsed and every rule checked, the chart's own included (it renders the release's values), before the
     * first resource is registered. A refusal is a {@link RunException}: Pulumi prints its message (one line per
     * problem, each naming the key) without a Java stack trace.
     */
    private static StackRules.Accepted accepted(Context ctx, Path projectDir) {
        try {
            var config = PulumiInternals.configEntries();
            return StackRules.requireValid(ctx.projectName(), config, PulumiInternals.secretKeys(config), projectDir);
        } catch (InvalidConfigException e) {
            throw new RunException(String.join("\n", e.problems()));
        }
    }
}
