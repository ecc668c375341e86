package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.projects.Service;
import com.pulumi.gcp.projects.ServiceArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Google Cloud APIs the stack calls, enabled by the stack itself so that a new project needs only
 * {@code serviceusage.googleapis.com} on beforehand. They are never disabled on destroy: other things in the project
 * may use them, and disabling compute or container would tear down what is not ours.
 */
public final class ProjectServices extends ComponentResource {
    public static final String TYPE = "ai-inference:gcp:ProjectServices";

    /**
     * compute (network, router, NAT, address), container (GKE and getEngineVersions), iam (service account),
     * cloudresourcemanager (the project IAM grant), artifactregistry (the worker image repository), and logging and
     * monitoring, where GKE's system components and the node service account write.
     */
    public static final List<String> APIS = List.of(
            "compute.googleapis.com",
            "container.googleapis.com",
            "iam.googleapis.com",
            "cloudresourcemanager.googleapis.com",
            "artifactregistry.googleapis.com",
            "logging.googleapis.com",
            "monitoring.googleapis.com");

    /** The one API that must be on before the stack can enable the others. */
    public static final String SERVICE_USAGE_API = "serviceusage.googleapis.com";

    public final List<Resource> services;
    /** The project id, known once every API is enabled: what the rest of the stack is created in. */
    public final Output<String> project;

    public ProjectServices(String name, Settings settings, Provider gcp, ComponentResourceOptions options) {
        super(TYPE, name, options);
        List<Resource> created = new ArrayList<>();
        List<Output<String>> enabled = new ArrayList<>();
        for (String api : APIS) {
            var service = new Service(name + "-" + api.substring(0, api.indexOf('.')), ServiceArgs.builder()
                    .project(settings.gcp().projectId())
                    .service(api)
                    .disableOnDestroy(false)
                    .build(), CustomResourceOptions.builder().parent(this).provider(gcp).build());
            created.add(service);
            enabled.add(service.project());
        }
        this.services = List.copyOf(created);
        this.project = Output.all(enabled).applyValue(all -> settings.gcp().projectId());
        registerOutputs(Map.of("project", project));
    }
}
