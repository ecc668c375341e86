package com.aiinference.plan;

import static com.aiinference.config.Settings.ProviderPlugins.GCP_FLEX_START_MINIMUM;

import com.aiinference.config.GkeVersionPin;
import com.aiinference.core.Check;
import com.aiinference.config.PolicyRules;
import com.aiinference.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Checks on what the program registered (as the engine received it), beyond the config rules. */
final class ProgramChecks {
    private ProgramChecks() {}

    static List<Check> check(MockEngineRun.Result run, Settings s) {
        List<Check> out = new ArrayList<>();

        // Provider plugins: the versions the engine is asked to load.
        // The gcp provider that creates resources, and (when the version is looked up) the one getEngineVersions is
        // asked through: both must load the pinned plugin.
        var gcpAll = run.ofType("pulumi:providers:gcp");
        var gcp = gcpAll.stream().filter(p -> !p.name().endsWith("-lookups")).toList();
        var k8s = run.ofType("pulumi:providers:kubernetes");
        boolean samePlugin = gcpAll.stream().map(RegisteredResource::version).distinct().count() <= 1;
        if (gcp.size() != 1 || k8s.size() != 1) {
            out.add(Check.fail("provider-plugins", "expected one gcp and one kubernetes provider, registered "
                    + gcp.size() + " and " + k8s.size()));
        } else if (!samePlugin) {
            out.add(Check.fail("provider-plugins", "the gcp providers ask for different plugin versions "
                    + gcpAll.stream().map(RegisteredResource::version).toList()));
        } else if (!gcp.get(0).version().matches("\\d+\\.\\d+\\.\\d+")
                || PolicyRules.compareRelease(gcp.get(0).version(), GCP_FLEX_START_MINIMUM) < 0) {
            // What the engine would load, against the floor (not against the config value: the program passes that
            // through, so comparing the two could never fail). An SDK-default or missing version lands here too.
            out.add(Check.fail("provider-plugins", "gcp provider registered with plugin version "
                    + (gcp.get(0).version().isEmpty() ? "(none: the SDK's own 7.0.0)" : gcp.get(0).version())
                    + ", not an exact release at or above " + GCP_FLEX_START_MINIMUM
                    + " (the first that sends nodeConfig.flexStart)"));
        } else if (k8s.get(0).version().isEmpty()) {
            out.add(Check.fail("provider-plugins", "kubernetes provider registered without a plugin version"
                    + " (the SDK's own 4.0.0 would be loaded)"));
        } else {
            out.add(Check.pass("provider-plugins", "gcp plugin " + gcp.get(0).version() + " (>= "
                    + GCP_FLEX_START_MINIMUM + " for nodeConfig.flexStart), kubernetes plugin "
                    + k8s.get(0).version() + " (explicit providers)"));
        }

        // Every custom resource names an explicit provider; in-cluster ones the cluster's Kubernetes provider.
        List<String> defaulted = new ArrayList<>();
        for (var r : run.resources()) {
            if (r.custom() && !r.isProvider() && r.provider().isEmpty()) {
                defaulted.add(r.type() + " " + r.name());
            }
            if (r.type().startsWith("kubernetes:") && !r.isProvider()
                    && (k8s.isEmpty() || !r.provider().equals(k8s.get(0).urn()))) {
                defaulted.add(r.type() + " " + r.name() + " (not the cluster's Kubernetes provider)");
            }
        }
        out.add(defaulted.isEmpty()
                ? Check.pass("explicit-providers", "every resource names an explicit provider")
                : Check.fail("explicit-providers", "default provider used by " + String.join(", ", defaulted)));

        out.add(projectServices(run, gcp));
        out.add(controlPlaneVersion(run, s, gcpAll.stream().map(RegisteredResource::urn).toList()));
        out.add(releaseDoesNotWait(run));
        out.add(endpointAddress(run, s));
        out.add(privateNodes(run, s));
        out.add(addressQuota(run, s));

        // The GPU pool request: the DWS fields on the wire under the current provider's names.
        var pools = run.ofType(Plan.NODE_POOL_TYPE).stream()
                .filter(r -> s.gpuPool().name().equals(r.input("name"))).toList();
        if (pools.size() != 1) {
            out.add(Check.fail("gpu-pool-request", "expected one node pool named " + s.gpuPool().name()));
            return out;
        }
        var pool = pools.get(0);
        List<String> wrong = new ArrayList<>();
        expect(wrong, pool, "nodeConfig.machineType", s.gpuPool().machine().name());
        expect(wrong, pool, "nodeConfig.guestAccelerators.0.type", s.gpuPool().acceleratorType());
        expect(wrong, pool, "nodeConfig.guestAccelerators.0.count", s.gpuPool().acceleratorsPerNode());
        expect(wrong, pool, "nodeConfig.guestAccelerators.0.gpuDriverInstallationConfig.gpuDriverVersion", s.gpuPool().driverVersion());
        expect(wrong, pool, "initialNodeCount", 0);
        expect(wrong, pool, "autoscaling.totalMaxNodeCount", s.gpuPool().maxNodes());
        expect(wrong, pool, "autoscaling.locationPolicy", "ANY");
        if (s.gpuPool().queuedProvisioning()) {
            expect(wrong, pool, "queuedProvisioning.enabled", true);
            expect(wrong, pool, "autoscaling.totalMinNodeCount", 0);
            expect(wrong, pool, "management.autoRepair", false);
            if (pool.input("placementPolicy") != null) {
                wrong.add("placementPolicy is set");
            }
        }
        if (s.gpuPool().flexStart()) {
            expect(wrong, pool, "nodeConfig.flexStart", true);
        } else if (pool.input("nodeConfig.flexStart") != null) {
            wrong.add("nodeConfig.flexStart is set for gpuProvisioning " + s.gpuPool().provisioning().configName());
        }
        if (s.gpuPool().spot()) {
            expect(wrong, pool, "nodeConfig.spot", true);
        } else if (pool.input("nodeConfig.spot") != null) {
            wrong.add("nodeConfig.spot is set for gpuProvisioning " + s.gpuPool().provisioning().configName());
        }
        if (!s.gpuPool().queuedProvisioning() && pool.input("queuedProvisioning") != null) {
            wrong.add("queuedProvisioning is set for gpuProvisioning " + s.gpuPool().provisioning().configName());
        }
        expect(wrong, pool, "nodeConfig.reservationAffinity.consumeReservationType", s.gpuPool().reservationAffinity());
        if (s.gpuPool().provisioning() == com.aiinference.config.Settings.Provisioning.RESERVATION) {
            expect(wrong, pool, "nodeConfig.reservationAffinity.values", List.of(s.gpuPool().reservation()));
        }
        boolean tainted = pool.input("nodeConfig.taints") instanceof List<?> taints && taints.stream()
                .anyMatch(t -> t instanceof Map<?, ?> m && "nvidia.com/gpu".equals(m.get("key")));
        if (!tainted) {
            wrong.add("nodeConfig.taints lacks nvidia.com/gpu");
        }
        out.add(wrong.isEmpty()
                ? Check.pass("gpu-pool-request", "node pool " + s.gpuPool().name() + " ("
                        + s.gpuPool().provisioning().configName() + "): "
                        + (s.gpuPool().queuedProvisioning() ? "queuedProvisioning.enabled=true, " : "")
                        + (s.gpuPool().flexStart() ? "nodeConfig.flexStart=true, " : "")
                        + (s.gpuPool().spot() ? "nodeConfig.spot=true, " : "")
                        + (s.gpuPool().provisioning() == com.aiinference.config.Settings.Provisioning.RESERVATION
                                ? "reservation " + s.gpuPool().reservation() + ", " : "")
                        + s.gpuPool().minNodes() + ".." + s.gpuPool().maxNodes() + " nodes ANY, initial 0, auto-repair "
                        + (Boolean.TRUE.equals(pool.input("management.autoRepair")) ? "on" : "off"))
                : Check.fail("gpu-pool-request", "node pool " + s.gpuPool().name() + ": " + String.join("; ", wrong)));
        return out;
    }

    /**
     * The version the cluster is registered with: no exact patch unless {@code gkeVersion} pins one, a minor resolved
     * through {@code getEngineVersions} asked for that minor's prefix in the cluster's region on the pinned provider.
     */
    private static Check controlPlaneVersion(MockEngineRun.Result run, Settings s, List<String> gcpProviders) {
        var clusters = run.ofType("gcp:container/cluster:Cluster");
        if (clusters.size() != 1) {
            return Check.fail("gke-version", "expected one GKE cluster, registered " + clusters.size());
        }
        Object registered = clusters.get(0).input("minMasterVersion");
        GkeVersionPin pin = s.cluster().version();
        String channel = s.cluster().releaseChannel();
        var lookups = run.invokes().stream().filter(i -> PlanMocks.ENGINE_VERSIONS_TOKEN.equals(i.token())).toList();
        if (pin.kind() == GkeVersionPin.Kind.EXACT) {
            // Allowed, but the one setting here that can break a later `pulumi up` by itself.
            return pin.text().equals(registered) && lookups.isEmpty()
                    ? Check.warn("gke-version", "minMasterVersion=" + registered + " pinned by gkeVersion: GKE refuses "
                            + "a version its " + channel + " channel no longer offers (\"Master version must be one of ...\"), "
                            + "and channels drop patches within months; prefer a minor such as " + pin.major() + "."
                            + pin.minor() + " or leave gkeVersion empty")
                    : Check.fail("gke-version", "minMasterVersion is " + registered + ", gkeVersion pins " + pin.text());
        }
        if (lookups.size() != 1) {
            return Check.fail("gke-version", "expected one getEngineVersions lookup, made " + lookups.size());
        }
        var lookup = lookups.get(0);
        String prefix = pin.versionPrefix().orElse(null);
        List<String> wrong = new ArrayList<>();
        if (!s.gcp().region().equals(lookup.args().get("location"))) {
            wrong.add("location " + lookup.args().get("location") + ", the cluster is in " + s.gcp().region());
        }
        if (!java.util.Objects.equals(prefix, lookup.args().get("versionPrefix"))) {
            wrong.add("versionPrefix " + lookup.args().get("versionPrefix") + ", expected " + prefix);
        }
        if (!gcpProviders.contains(lookup.provider())) {
            wrong.add("not asked through the pinned gcp provider");
        }
        String answer = String.valueOf(((Map<?, ?>) lookup.result().getOrDefault(pin.kind() == GkeVersionPin.Kind.MINOR
                ? "releaseChannelLatestVersion" : "releaseChannelDefaultVersion", Map.of())).get(channel));
        if (pin.kind() == GkeVersionPin.Kind.MINOR && !answer.equals(registered)) {
            wrong.add("minMasterVersion " + registered + ", the lookup resolved " + answer);
        }
        if (pin.kind() == GkeVersionPin.Kind.CHANNEL_DEFAULT && registered != null) {
            wrong.add("minMasterVersion " + registered + " registered, but gkeVersion is empty (the channel decides)");
        }
        if (!wrong.isEmpty()) {
            return Check.fail("gke-version", "getEngineVersions: " + String.join("; ", wrong));
        }
        String mock = PlanMocks.MOCK_CHANNEL_VERSIONS.values().stream().anyMatch(l -> l.contains(answer)) ? "MOCK " : "";
        return Check.pass("gke-version", pin.kind() == GkeVersionPin.Kind.MINOR
                ? "gkeVersion " + pin.text() + " resolved by getEngineVersions(" + s.gcp().region() + ", " + prefix
                        + ") to the " + channel + " channel's newest " + mock + answer + " (minMasterVersion)"
                : "no minMasterVersion: the " + channel + " channel's default, " + mock + answer
                        + " by getEngineVersions(" + s.gcp().region() + ")");
    }

    /**
     * {@code pulumi up} must not wait for pods: with DWS they need the queue (hours at worst), node boot, the driver
     * install and the model pull. No read of the chart's Service either (a phantom create in every preview).
     */
    private static Check releaseDoesNotWait(MockEngineRun.Result run) {
        var releases = run.ofType(Plan.RELEASE_TYPE);
        if (releases.size() != 1) {
            return Check.fail("release-does-not-wait", "expected one Helm release, registered " + releases.size());
        }
        var reads = run.resources().stream().filter(RegisteredResource::read).map(r -> r.type() + " " + r.name()).toList();
        if (!Boolean.TRUE.equals(releases.get(0).input("skipAwait"))) {
            return Check.fail("release-does-not-wait", "the Helm release has skipAwait " + releases.get(0).input("skipAwait")
                    + ": `pulumi up` would wait for every pod (the DWS queue, node boot, driver and model pull)");
        }
        if (!reads.isEmpty()) {
            return Check.fail("release-does-not-wait", "resources read back after the release (a create in every preview): " + reads);
        }
        return Check.pass("release-does-not-wait", "Helm release skipAwait=true: `pulumi up` returns once the objects "
                + "exist; `status --wait` follows the pods");
    }

    /** The endpoint's reserved regional address, and the release's values naming it. */
    private static Check endpointAddress(MockEngineRun.Result run, Settings s) {
        var addresses = run.ofType("gcp:compute/address:Address");
        var release = run.ofType(Plan.RELEASE_TYPE);
        Object named = release.isEmpty() ? null : release.get(0).input("values.service.addressName");
        if (!s.service().isLoadBalancer()) {
            return addresses.isEmpty() && "".equals(named)
                    ? Check.pass("endpoint-address", "ClusterIP Service: no address reserved; the endpoint is the Service's DNS name")
                    : Check.fail("endpoint-address", "a ClusterIP Service with a reserved address or service.addressName " + named);
        }
        if (addresses.size() != 1) {
            return Check.fail("endpoint-address", "expected one reserved address for the LoadBalancer, registered " + addresses.size());
        }
        var a = addresses.get(0);
        String type = s.service().internal() ? "INTERNAL" : "EXTERNAL";
        List<String> wrong = new ArrayList<>();
        if (!type.equals(a.input("addressType"))) {
            wrong.add("addressType " + a.input("addressType") + ", expected " + type);
        }
        if (!s.gcp().region().equals(a.input("region"))) {
            wrong.add("region " + a.input("region") + ", the cluster is in " + s.gcp().region());
        }
        if (s.service().internal() && a.input("subnetwork") == null) {
            wrong.add("an internal address without the cluster's subnetwork");
        }
        if (!java.util.Objects.equals(a.input("name"), named)) {
            wrong.add("the release's service.addressName is " + named + ", the address is " + a.input("name"));
        }
        Object ip = run.outputs().get("externalIp");
        String mock = PlanMocks.MOCK_EXTERNAL_IP.equals(ip) || PlanMocks.MOCK_INTERNAL_IP.equals(ip) ? "MOCK " : "";
        return wrong.isEmpty()
                ? Check.pass("endpoint-address", type + " regional address " + a.input("name") + " in " + s.gcp().region()
                        + " reserved for the LoadBalancer; externalIp/endpoint outputs come from it (" + mock + ip + ")")
                : Check.fail("endpoint-address", String.join("; ", wrong));
    }

    /**
     * Every API the stack calls is a {@code gcp:projects/service:Service} that stays enabled on destroy, and the provider
     * that creates everything else depends on all of them (so does every resource created through it).
     */
    private static Check projectServices(MockEngineRun.Result run, List<RegisteredResource> creating) {
        var services = run.ofType("gcp:projects/service:Service");
        List<String> declared = services.stream().map(r -> String.valueOf(r.input("service"))).toList();
        List<String> wrong = new ArrayList<>();
        List<String> missing = com.aiinference.stack.ProjectServices.APIS.stream().filter(a -> !declared.contains(a)).toList();
        if (!missing.isEmpty()) {
            wrong.add("not declared: " + String.join(", ", missing));
        }
        services.stream().filter(r -> !Boolean.FALSE.equals(r.input("disableOnDestroy")))
                .forEach(r -> wrong.add(r.input("service") + " would be disabled on destroy"));
        if (creating.size() == 1) {
            var deps = creating.get(0).dependencies();
            services.stream().filter(r -> !deps.contains(r.urn()))
                    .forEach(r -> wrong.add("the gcp provider does not wait for " + r.input("service")));
        }
        return wrong.isEmpty()
                ? Check.pass("project-services", declared.size() + " APIs enabled by the stack, kept on destroy, before "
                        + "any other GCP resource: " + String.join(", ", com.aiinference.stack.ProjectServices.APIS.stream()
                                .filter(declared::contains).toList()) + " (only "
                        + com.aiinference.stack.ProjectServices.SERVICE_USAGE_API + " must be on beforehand)")
                : Check.fail("project-services", String.join("; ", wrong));
    }

    /** No external IP on any node, and the Cloud Router + NAT that give them egress (registered as sent). */
    private static Check privateNodes(MockEngineRun.Result run, Settings s) {
        var clusters = run.ofType("gcp:container/cluster:Cluster");
        if (clusters.size() != 1) {
            return Check.fail("private-nodes", "expected one GKE cluster, registered " + clusters.size());
        }
        Object registered = clusters.get(0).input("privateClusterConfig.enablePrivateNodes");
        String controlPlane = s.cluster().controlPlaneAuthorizedNetworks().isEmpty()
                ? "control plane's public endpoint open to any address (IAM and RBAC authenticate)"
                : "control plane's public endpoint limited to " + s.cluster().controlPlaneAuthorizedNetworks();
        if (!s.cluster().privateNodes()) {
            return registered == null || Boolean.FALSE.equals(registered)
                    ? Check.warn("private-nodes", "privateNodes is false: every node gets an external IP ("
                            + (s.cluster().systemNodes() + s.gpuPool().maxNodes()) + " at most, see address-quota); "
                            + controlPlane)
                    : Check.fail("private-nodes", "privateNodes is false but the cluster registers enablePrivateNodes=" + registered);
        }
        if (!Boolean.TRUE.equals(registered)) {
            return Check.fail("private-nodes", "privateNodes is true but the cluster registers privateClusterConfig.enablePrivateNodes="
                    + registered);
        }
        if (!s.network().createsNetwork()) {
            return Check.pass("private-nodes", "nodes without external IPs in the existing network "
                    + s.network().existingNetwork() + ", whose Cloud NAT must give them egress; " + controlPlane);
        }
        var nats = run.ofType("gcp:compute/routerNat:RouterNat");
        var routers = run.ofType("gcp:compute/router:Router");
        if (nats.size() != 1 || routers.size() != 1) {
            return Check.fail("private-nodes", "private nodes need one Cloud Router and one Cloud NAT for egress, registered "
                    + routers.size() + " and " + nats.size());
        }
        var nat = nats.get(0);
        List<String> wrong = new ArrayList<>();
        expect(wrong, nat, "region", s.gcp().region());
        expect(wrong, nat, "natIpAllocateOption", "AUTO_ONLY");
        expect(wrong, nat, "enableDynamicPortAllocation", true);
        expect(wrong, nat, "minPortsPerVm", com.aiinference.stack.Network.NAT_MIN_PORTS_PER_VM);
        expect(wrong, nat, "maxPortsPerVm", com.aiinference.stack.Network.NAT_MAX_PORTS_PER_VM);
        expect(wrong, nat, "subnetworks.0.sourceIpRangesToNats", List.of("ALL_IP_RANGES"));
        return wrong.isEmpty()
                ? Check.pass("private-nodes", "nodes without external IPs; Cloud NAT " + nat.input("name") + " on router "
                        + routers.get(0).input("name") + " in " + s.gcp().region() + " (auto addresses, dynamic ports "
                        + nat.input("minPortsPerVm") + ".." + nat.input("maxPortsPerVm") + " per node, pods included); "
                        + controlPlane)
                : Check.fail("private-nodes", "Cloud NAT " + nat.input("name") + ": " + String.join("; ", wrong));
    }

    /**
     * What the stack takes of the region's external IPv4 address quotas: the reserved endpoint (STATIC_ADDRESSES and,
     * once the load balancer uses it, IN_USE_ADDRESSES), the NAT's auto-allocated addresses, and a public IP per node
     * without private nodes. New projects commonly get IN_USE_ADDRESSES 8 per region; {@code preflight} reads the real
     * limit.
     */
    private static Check addressQuota(MockEngineRun.Result run, Settings s) {
        long endpoint = run.ofType("gcp:compute/address:Address").stream()
                .filter(a -> "EXTERNAL".equals(a.input("addressType"))).count();
        boolean nat = !run.ofType("gcp:compute/routerNat:RouterNat").isEmpty();
        int natAddresses = nat ? com.aiinference.stack.Network.natAddresses(s) : 0;
        int nodes = s.cluster().privateNodes() ? 0 : s.cluster().systemNodes() + s.gpuPool().maxNodes();
        long inUse = endpoint + natAddresses + nodes;
        String needs = "needs " + inUse + " IN_USE_ADDRESSES in " + s.gcp().region() + " (" + endpoint
                + " reserved endpoint, " + natAddresses + " NAT" + (nodes > 0 ? ", " + nodes + " node public IPs" : "")
                + ") and " + endpoint + " STATIC_ADDRESSES";
        return inUse <= NEW_PROJECT_IN_USE_ADDRESSES
                ? Check.pass("address-quota", needs + "; a new project commonly has " + NEW_PROJECT_IN_USE_ADDRESSES
                        + " in-use addresses per region (`preflight` reads the real quota)")
                : Check.warn("address-quota", needs + ", more than the " + NEW_PROJECT_IN_USE_ADDRESSES
                        + " a new project commonly has per region: GPU nodes would fail to be created"
                        + (nodes > 0 ? "; set privateNodes true" : "") + " (`preflight` reads the real quota)");
    }

    /** The in-use external IPv4 addresses per region a new project commonly starts with. */
    static final int NEW_PROJECT_IN_USE_ADDRESSES = 8;

    private static void expect(List<String> wrong, RegisteredResource r, String path, Object expected) {
        Object actual = r.input(path);
        if (!expected.equals(actual)) {
            wrong.add(path + " is " + actual + ", expected " + expected);
        }
    }
}
