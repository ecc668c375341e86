package com.aiinference.preflight;

import com.aiinference.config.MachineShape;
import com.aiinference.config.Settings;
import com.aiinference.core.Check;
import com.aiinference.stack.Network;
import com.aiinference.stack.ProjectServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Everything that decides whether a stack's first {@code pulumi up} can succeed in a real project, asked of the real
 * Google Cloud APIs: the APIs, the caller's permissions, the region's and the project's quotas for what the stack
 * creates, the GPU zones' machine and accelerator types, and the local tools of the documented path. One
 * {@link Check} per question, each failure with its fix.
 */
final class ProjectReadiness {
    /** What the stack creates, as IAM permissions on the project (testIamPermissions answers the subset held). */
    static final List<String> PERMISSIONS = List.of(
            "compute.networks.create", "compute.subnetworks.create", "compute.routers.create",
            "compute.addresses.create", "compute.regions.get", "container.clusters.create",
            "container.clusters.getCredentials", "iam.serviceAccounts.create", "iam.serviceAccounts.actAs",
            "resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy",
            "artifactregistry.repositories.create", "artifactregistry.repositories.setIamPolicy",
            "serviceusage.services.get", "serviceusage.services.enable");
    static final String ENABLE_PERMISSION = "serviceusage.services.enable";
    /** GKE's boot disk when a pool sets none (the system pool); pd-balanced counts against SSD_TOTAL_GB. */
    static final int SYSTEM_DISK_GB = 100;

    /** The local programs, as the caller names them. */
    record Tools(String pulumi, String gkeAuthPlugin) {}

    private final Settings s;
    private final GoogleCloud cloud;
    private final Tools tools;
    private final String project;
    private final List<Check> checks = new ArrayList<>();

    private ProjectReadiness(Settings s, GoogleCloud cloud, Tools tools) {
        this.s = s;
        this.cloud = cloud;
        this.tools = tools;
        this.project = s.gcp().projectId();
    }

    /** @param credentials a failure to find credentials ("" when found), checked before any call */
    static List<Check> check(Settings s, GoogleCloud cloud, Tools tools, Supplier<Optional<String>> credentials) {
        var r = new ProjectReadiness(s, cloud, tools);
        Optional<String> noCredentials = credentials.get();
        if (noCredentials.isPresent()) {
            r.checks.add(Check.fail("credentials", noCredentials.get()));
            r.checks.add(Check.skip("google-cloud", "not asked: no credentials"));
        } else {
            r.cloudChecks();
        }
        r.toolChecks();
        return List.copyOf(r.checks);
    }

    private void cloudChecks() {
        Set<String> granted = permissions();
        apis(granted);
        quotas();
        zones();
    }

    private Set<String> permissions() {
        try {
            Set<String> granted = cloud.grantedPermissions(project, PERMISSIONS);
            List<String> missing = PERMISSIONS.stream().filter(p -> !granted.contains(p)).toList();
            checks.add(missing.isEmpty()
                    ? Check.pass("permissions", "the caller holds the " + PERMISSIONS.size() + " permissions the stack uses on "
                            + project + " (testIamPermissions)")
                    : Check.fail("permissions", "the caller lacks " + String.join(", ", missing) + " on " + project
                            + ": grant e.g. roles/container.admin, roles/compute.networkAdmin, roles/iam.serviceAccountAdmin,"
                            + " roles/iam.serviceAccountUser, roles/resourcemanager.projectIamAdmin,"
                            + " roles/artifactregistry.admin, roles/serviceusage.serviceUsageAdmin (IAM page: "
                            + "https://console.cloud.google.com/iam-admin/iam?project=" + project + ")"));
            return granted;
        } catch (GoogleCloud.CallFailed e) {
            checks.add(failedCall("permissions", "cloudresourcemanager.googleapis.com", e));
            return Set.of();
        } catch (IOException e) {
            checks.add(Check.fail("permissions", "cannot ask Resource Manager: " + e.getMessage()));
            return Set.of();
        }
    }

    private void apis(Set<String> granted) {
        List<String> wanted = new ArrayList<>(List.of(ProjectServices.SERVICE_USAGE_API));
        wanted.addAll(ProjectServices.APIS);
        try {
            Map<String, Boolean> state = cloud.services(project, wanted);
            List<String> disabled = ProjectServices.APIS.stream().filter(a -> !state.getOrDefault(a, false)).toList();
            if (disabled.isEmpty()) {
                checks.add(Check.pass("apis", "serviceusage and the " + ProjectServices.APIS.size()
                        + " APIs the stack uses are enabled in " + project));
            } else if (granted.contains(ENABLE_PERMISSION)) {
                checks.add(Check.pass("apis", String.join(", ", disabled) + " disabled in " + project
                        + ": `pulumi up` enables them (the caller holds " + ENABLE_PERMISSION + ")"));
            } else {
                checks.add(Check.fail("apis", String.join(", ", disabled) + " disabled in " + project
                        + " and the caller cannot enable them: gcloud services enable " + String.join(" ", disabled)
                        + " --project " + project));
            }
        } catch (GoogleCloud.CallFailed e) {
            checks.add(failedCall("apis", ProjectServices.SERVICE_USAGE_API, e));
        } catch (IOException e) {
            checks.add(Check.fail("apis", "cannot ask Service Usage: " + e.getMessage()));
        }
    }

    private void quotas() {
        String region = s.gcp().region();
        var pool = s.gpuPool();
        int gpus = pool.maxNodes() * pool.acceleratorsPerNode();
        boolean preemptible = pool.flexStart() || pool.spot();
        String gpuMetric = (preemptible ? "PREEMPTIBLE_" : "") + pool.acceleratorType().toUpperCase(Locale.ROOT).replace('-', '_') + "_GPUS";
        String why = preemptible ? " (gpuProvisioning " + pool.provisioning().configName()
                + " runs on " + (pool.spot() ? "Spot" : "flex-start") + " VMs, which count against preemptible GPU quota)"
                : " (gpuProvisioning " + pool.provisioning().configName() + " uses on-demand GPU quota)";
        String console = "request it at https://console.cloud.google.com/iam-admin/quotas?project=" + project
                + " (an increase for a new project is often declined or takes days)";
        Map<String, GoogleCloud.QuotaValue> regional;
        Map<String, GoogleCloud.QuotaValue> global;
        try {
            regional = cloud.regionQuotas(project, region);
            global = cloud.projectQuotas(project);
        } catch (GoogleCloud.CallFailed e) {
            checks.add(failedCall("quotas", "compute.googleapis.com", e));
            return;
        } catch (IOException e) {
            checks.add(Check.fail("quotas", "cannot ask Compute Engine: " + e.getMessage()));
            return;
        }
        quota("gpu-quota", regional, gpuMetric, gpus, region, "the GPU pool's " + pool.maxNodes() + " nodes" + why, console);
        quota("gpu-quota-project", global, "GPUS_ALL_REGIONS", gpus, "the project", "every GPU in every region", console);
        int gpuCpus = MachineShape.byName(pool.machine().name()).map(MachineShape::vcpus).orElse(pool.machine().vcpus());
        int systemCpus = vcpusOf(s.cluster().systemMachineType());
        int cpus = pool.maxNodes() * gpuCpus + s.cluster().systemNodes() * systemCpus;
        quota("cpu-quota", regional, "CPUS", cpus, region, pool.maxNodes() + " x " + pool.machine().name() + " + "
                + s.cluster().systemNodes() + " x " + s.cluster().systemMachineType(), console);
        boolean external = s.service().isLoadBalancer() && !s.service().internal();
        int endpoint = external ? 1 : 0;
        int nat = s.cluster().privateNodes() && s.network().createsNetwork() ? Network.natAddresses(s) : 0;
        int nodes = s.cluster().privateNodes() ? 0 : s.cluster().systemNodes() + pool.maxNodes();
        quota("address-quota", regional, "IN_USE_ADDRESSES", endpoint + nat + nodes, region, endpoint + " endpoint + "
                + nat + " NAT" + (nodes > 0 ? " + " + nodes + " node public IPs" : ""), console);
        if (endpoint > 0) {
            quota("static-address-quota", regional, "STATIC_ADDRESSES", endpoint, region, "the reserved endpoint", console);
        }
        int disk = pool.maxNodes() * pool.diskSizeGb() + s.cluster().systemNodes() * SYSTEM_DISK_GB;
        quota("disk-quota", regional, "SSD_TOTAL_GB", disk, region, pool.maxNodes() + " x " + pool.diskSizeGb()
                + " GB + " + s.cluster().systemNodes() + " x " + SYSTEM_DISK_GB + " GB pd-balanced boot disks", console);
    }

    private void quota(String name, Map<String, GoogleCloud.QuotaValue> quotas, String metric, int needed, String where,
                       String what, String fix) {
        var q = quotas.get(metric);
        if (q == null) {
            checks.add(Check.fail(name, where + " reports no " + metric + " quota: the project cannot use it; " + fix));
            return;
        }
        String numbers = metric + " in " + where + ": " + fmt(q.free()) + " free (" + fmt(q.usage()) + " of " + fmt(q.limit())
                + " used), the stack needs " + needed + " for " + what;
        checks.add(q.free() >= needed ? Check.pass(name, numbers) : Check.fail(name, numbers + "; " + fix));
    }

    private void zones() {
        var pool = s.gpuPool();
        List<String> zones = s.gcp().gpuZones();
        if (zones.isEmpty()) {
            checks.add(Check.warn("gpu-zones", "gpuZones is empty: GKE uses the cluster's zones, not all of which may offer "
                    + pool.acceleratorType() + "; list the zones that do (gcloud compute accelerator-types list --filter="
                    + pool.acceleratorType() + ")"));
            return;
        }
        List<String> wrong = new ArrayList<>();
        try {
            for (String zone : zones) {
                if (!cloud.machineTypeOffered(project, zone, pool.machine().name())) {
                    wrong.add(zone + " offers no " + pool.machine().name());
                }
                if (!cloud.acceleratorOffered(project, zone, pool.acceleratorType())) {
                    wrong.add(zone + " offers no " + pool.acceleratorType());
                }
            }
        } catch (GoogleCloud.CallFailed e) {
            checks.add(failedCall("gpu-zones", "compute.googleapis.com", e));
            return;
        } catch (IOException e) {
            checks.add(Check.fail("gpu-zones", "cannot ask Compute Engine: " + e.getMessage()));
            return;
        }
        checks.add(wrong.isEmpty()
                ? Check.pass("gpu-zones", pool.machine().name() + " and " + pool.acceleratorType() + " offered in "
                        + String.join(", ", zones))
                : Check.fail("gpu-zones", String.join("; ", wrong) + ": drop it from gpuZones (gcloud compute "
                        + "accelerator-types list --filter=" + pool.acceleratorType() + " lists the zones that do)"));
    }

    private void toolChecks() {
        Optional<LocalTool.Result> pulumi = LocalTool.run(tools.pulumi(), "version");
        if (pulumi.isEmpty() || pulumi.get().exit() != 0) {
            checks.add(Check.fail("pulumi", tools.pulumi() + " " + (pulumi.isEmpty() ? "not found" : "failed: "
                    + pulumi.get().firstLine()) + ": install the Pulumi CLI (https://www.pulumi.com/docs/install/)"));
            checks.add(Check.skip("pulumi-login", "not asked: no pulumi"));
        } else {
            checks.add(Check.pass("pulumi", "pulumi " + pulumi.get().firstLine()));
            Optional<LocalTool.Result> who = LocalTool.run(tools.pulumi(), "whoami");
            checks.add(who.isPresent() && who.get().exit() == 0
                    ? Check.pass("pulumi-login", "logged in to the Pulumi backend as " + who.get().firstLine())
                    : Check.fail("pulumi-login", "not logged in to a Pulumi backend: pulumi login (or set "
                            + "PULUMI_ACCESS_TOKEN; PULUMI_BACKEND_URL for a self-managed backend)"));
        }
        Optional<LocalTool.Result> plugin = LocalTool.run(tools.gkeAuthPlugin(), "--version");
        checks.add(plugin.isPresent() && plugin.get().exit() == 0
                ? Check.pass("gke-gcloud-auth-plugin", plugin.get().firstLine())
                : Check.fail("gke-gcloud-auth-plugin", tools.gkeAuthPlugin() + " " + (plugin.isEmpty() ? "not found"
                        : "failed: " + plugin.get().firstLine()) + ": gcloud components install gke-gcloud-auth-plugin"
                        + " (or the Debian package google-cloud-cli-gke-gcloud-auth-plugin); the kubeconfig runs it"));
    }

    private Check failedCall(String name, String api, GoogleCloud.CallFailed e) {
        if (e.serviceDisabled()) {
            String service = e.service.isEmpty() ? api : e.service;
            return Check.fail(name, service + " is disabled in " + project + ", so this cannot be read: gcloud services "
                    + "enable " + service + " --project " + project + ", then run preflight again");
        }
        if ("PERMISSION_DENIED".equals(e.code)) {
            return Check.fail(name, "permission denied by " + api + ": " + e.getMessage());
        }
        return Check.fail(name, api + " answered " + e.code + ": " + e.getMessage());
    }

    private static int vcpusOf(String machineType) {
        return MachineShape.byName(machineType).map(MachineShape::vcpus)
                .orElseGet(() -> machineType.matches(".*-\\d+") ? Integer.parseInt(machineType.replaceAll(".*-", "")) : 0);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
