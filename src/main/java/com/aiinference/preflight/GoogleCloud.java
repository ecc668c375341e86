package com.aiinference.preflight;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.serviceusage.v1.BatchGetServicesRequest;
import com.google.api.serviceusage.v1.ServiceUsageClient;
import com.google.api.serviceusage.v1.ServiceUsageSettings;
import com.google.api.serviceusage.v1.State;
import com.google.cloud.compute.v1.AcceleratorTypesClient;
import com.google.cloud.compute.v1.AcceleratorTypesSettings;
import com.google.cloud.compute.v1.MachineTypesClient;
import com.google.cloud.compute.v1.MachineTypesSettings;
import com.google.cloud.compute.v1.ProjectsClient;
import com.google.cloud.compute.v1.ProjectsSettings;
import com.google.cloud.compute.v1.Quota;
import com.google.cloud.compute.v1.RegionsClient;
import com.google.cloud.compute.v1.RegionsSettings;
import com.google.iam.v1.TestIamPermissionsRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The few Google Cloud API calls {@code preflight} makes, through Google's own clients, each on its HTTP/JSON
 * transport: Service Usage (services:batchGet), Compute Engine (regions.get, projects.get, machineTypes.get,
 * acceleratorTypes.get) and Resource Manager (projects:testIamPermissions). Credentials are the caller's application
 * default credentials; with an {@code http://} endpoint (an emulator or a test's fake) none are sent.
 */
final class GoogleCloud {
    /** A quota as Compute Engine reports it: metric, limit and current usage. */
    record QuotaValue(String metric, double limit, double usage) {
        double free() {
            return limit - usage;
        }
    }

    /** An API call Google refused; {@code reason} is the error's ErrorInfo reason (e.g. SERVICE_DISABLED). */
    static final class CallFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;
        final String reason;
        final String service;

        CallFailed(ApiException e) {
            super(firstLine(e.getMessage()), e);
            this.code = e.getStatusCode().getCode().name();
            String r = e.getReason();
            String message = String.valueOf(e.getMessage());
            this.reason = r != null ? r : message.contains("SERVICE_DISABLED") || message.contains("has not been used in project")
                    ? "SERVICE_DISABLED" : "";
            Map<String, String> metadata = e.getMetadata() == null ? Map.of() : e.getMetadata();
            this.service = metadata.getOrDefault("service", "");
        }

        boolean serviceDisabled() {
            return "SERVICE_DISABLED".equals(reason);
        }

        boolean notFound() {
            return "NOT_FOUND".equals(code);
        }

        private static String firstLine(String s) {
            if (s == null) {
                return "";
            }
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }

    private final Optional<String> endpoint;
    private final CredentialsProvider credentials;

    /** @param endpoint an API endpoint that replaces every client's default (a fake, an emulator), or empty */
    GoogleCloud(Optional<String> endpoint) {
        this.endpoint = endpoint;
        boolean plain = endpoint.map(e -> e.startsWith("http://")).orElse(false);
        // Google's default provider reads the application default credentials; a plain-HTTP endpoint gets none.
        this.credentials = plain ? NoCredentialsProvider.create() : null;
    }

    /** The state of each service ({@code compute.googleapis.com} -> true when enabled). */
    Map<String, Boolean> services(String project, List<String> names) throws CallFailed, IOException {
        var b = ServiceUsageSettings.newHttpJsonBuilder();
        endpoint.ifPresent(b::setEndpoint);
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        try (var client = ServiceUsageClient.create(b.build())) {
            var request = BatchGetServicesRequest.newBuilder().setParent("projects/" + project);
            names.forEach(n -> request.addNames("projects/" + project + "/services/" + n));
            Map<String, Boolean> out = new LinkedHashMap<>();
            for (var s : client.batchGetServices(request.build()).getServicesList()) {
                String name = s.getName().substring(s.getName().lastIndexOf('/') + 1);
                out.put(name, s.getState() == State.ENABLED);
            }
            return out;
        } catch (ApiException e) {
            throw new CallFailed(e);
        }
    }

    /** The region's quotas by metric. */
    Map<String, QuotaValue> regionQuotas(String project, String region) throws CallFailed, IOException {
        var b = RegionsSettings.newBuilder();
        endpoint.ifPresent(b::setEndpoint);
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        try (var client = RegionsClient.create(b.build())) {
            return byMetric(client.get(project, region).getQuotasList());
        } catch (ApiException e) {
            throw new CallFailed(e);
        }
    }

    /** The project-wide quotas by metric (GPUS_ALL_REGIONS among them). */
    Map<String, QuotaValue> projectQuotas(String project) throws CallFailed, IOException {
        var b = ProjectsSettings.newBuilder();
        endpoint.ifPresent(b::setEndpoint);
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        try (var client = ProjectsClient.create(b.build())) {
            return byMetric(client.get(project).getQuotasList());
        } catch (ApiException e) {
            throw new CallFailed(e);
        }
    }

    /** Whether the zone offers the machine type (machineTypes.get answers 404 when it does not). */
    boolean machineTypeOffered(String project, String zone, String machineType) throws CallFailed, IOException {
        var b = MachineTypesSettings.newBuilder();
        endpoint.ifPresent(b::setEndpoint);
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        try (var client = MachineTypesClient.create(b.build())) {
            client.get(project, zone, machineType);
            return true;
        } catch (ApiException e) {
            var failed = new CallFailed(e);
            if (failed.notFound()) {
                return false;
            }
            throw failed;
        }
    }

    /** Whether the zone offers the accelerator type. */
    boolean acceleratorOffered(String project, String zone, String accelerator) throws CallFailed, IOException {
        var b = AcceleratorTypesSettings.newBuilder();
        endpoint.ifPresent(b::setEndpoint);
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        try (var client = AcceleratorTypesClient.create(b.build())) {
            client.get(project, zone, accelerator);
            return true;
        } catch (ApiException e) {
            var failed = new CallFailed(e);
            if (failed.notFound()) {
                return false;
            }
            throw failed;
        }
    }

    /** The subset of {@code permissions} the caller holds on the project. */
    Set<String> grantedPermissions(String project, List<String> permissions) throws CallFailed, IOException {
        var b = com.google.cloud.resourcemanager.v3.ProjectsSettings.newHttpJsonBuilder();
        endpoint.ifPresent(b::setEndpoint);
        if (credentials != null) {
            b.setCredentialsProvider(credentials);
        }
        try (var client = com.google.cloud.resourcemanager.v3.ProjectsClient.create(b.build())) {
            var answer = client.testIamPermissions(TestIamPermissionsRequest.newBuilder()
                    .setResource("projects/" + project).addAllPermissions(permissions).build());
            return new TreeSet<>(answer.getPermissionsList());
        } catch (ApiException e) {
            throw new CallFailed(e);
        }
    }

    private static Map<String, QuotaValue> byMetric(List<Quota> quotas) {
        Map<String, QuotaValue> out = new LinkedHashMap<>();
        for (Quota q : quotas) {
            out.put(q.getMetric(), new QuotaValue(q.getMetric(), q.getLimit(), q.getUsage()));
        }
        return out;
    }
}
