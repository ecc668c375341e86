package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.config.DevStack;
import com.aiinference.config.InvalidConfigException;
import com.aiinference.core.Check;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Private nodes, the Cloud Router + NAT that give them egress, the control plane's access and the address quota. */
class PrivateNodesPlanTest {

    private static MockEngineRun.Result run(String... overrides) {
        var r = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.with(overrides), Set.of());
        assertThat(r.errors()).isEmpty();
        return r;
    }

    private static RegisteredResource single(MockEngineRun.Result r, String type) {
        assertThat(r.ofType(type)).as(type).hasSize(1);
        return r.ofType(type).get(0);
    }

    private static Check check(MockEngineRun.Result r, String name, String... overrides) {
        return ProgramChecks.check(r, DevStack.settings(overrides)).stream().filter(c -> c.name().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void theDevStackHasPrivateNodesANatSizedForItsNodesAndAnOpenButAuthenticatedControlPlane() {
        var r = run();
        var cluster = single(r, "gcp:container/cluster:Cluster");
        assertThat(cluster.input("privateClusterConfig")).isEqualTo(Map.of(
                "enablePrivateNodes", true, "enablePrivateEndpoint", false));
        assertThat(cluster.inputs()).doesNotContainKey("masterAuthorizedNetworksConfig");

        var router = single(r, "gcp:compute/router:Router");
        assertThat(router.input("region")).isEqualTo("us-central1");
        var nat = single(r, "gcp:compute/routerNat:RouterNat");
        assertThat(nat.input("natIpAllocateOption")).isEqualTo("AUTO_ONLY");
        assertThat(nat.input("sourceSubnetworkIpRangesToNat")).isEqualTo("LIST_OF_SUBNETWORKS");
        assertThat(nat.input("subnetworks.0.sourceIpRangesToNats")).isEqualTo(List.of("ALL_IP_RANGES"));
        assertThat(nat.input("enableDynamicPortAllocation")).isEqualTo(true);
        assertThat(nat.input("enableEndpointIndependentMapping")).isEqualTo(false);
        assertThat(nat.input("minPortsPerVm")).isEqualTo(256);
        assertThat(nat.input("maxPortsPerVm")).isEqualTo(4096);
        // The cluster (and so every node) waits for its egress, and on destroy goes before it.
        assertThat(cluster.dependencies()).contains(nat.urn(), router.urn());

        assertThat(check(r, "private-nodes")).isEqualTo(Check.pass("private-nodes",
                "nodes without external IPs; Cloud NAT ai-inference-nat on router ai-inference-router in us-central1 "
                        + "(auto addresses, dynamic ports 256..4096 per node, pods included); control plane's public "
                        + "endpoint open to any address (IAM and RBAC authenticate)"));
        assertThat(check(r, "address-quota")).isEqualTo(Check.pass("address-quota",
                "needs 2 IN_USE_ADDRESSES in us-central1 (1 reserved endpoint, 1 NAT) and 1 STATIC_ADDRESSES; a new "
                        + "project commonly has 8 in-use addresses per region (`preflight` reads the real quota)"));
    }

    @Test
    void authorizedNetworksLimitTheControlPlaneToTheDeployersCidrs() {
        var r = run("controlPlaneAuthorizedNetworks", "[\"203.0.113.7/32\",\"198.51.100.0/24\"]");
        assertThat(single(r, "gcp:container/cluster:Cluster").input("masterAuthorizedNetworksConfig.cidrBlocks"))
                .isEqualTo(List.of(
                        Map.of("cidrBlock", "203.0.113.7/32", "displayName", "controlPlaneAuthorizedNetworks 203.0.113.7/32"),
                        Map.of("cidrBlock", "198.51.100.0/24", "displayName", "controlPlaneAuthorizedNetworks 198.51.100.0/24")));
        assertThat(check(r, "private-nodes", "controlPlaneAuthorizedNetworks", "[\"203.0.113.7/32\",\"198.51.100.0/24\"]")
                .message()).endsWith("control plane's public endpoint limited to [203.0.113.7/32, 198.51.100.0/24]");
    }

    @Test
    void aBadAuthorizedNetworkIsRefusedByName() {
        assertThatThrownBy(() -> DevStack.settings("controlPlaneAuthorizedNetworks", "[\"203.0.113.7\"]"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("ai-inference:controlPlaneAuthorizedNetworks")
                .hasMessageContaining("203.0.113.7");
    }

    @Test
    void publicNodesHaveNoNatAndTheAddressQuotaWarns() {
        var r = run("privateNodes", "false");
        assertThat(r.ofType("gcp:compute/routerNat:RouterNat")).isEmpty();
        assertThat(r.ofType("gcp:compute/router:Router")).isEmpty();
        assertThat(single(r, "gcp:container/cluster:Cluster").inputs()).doesNotContainKey("privateClusterConfig");
        assertThat(check(r, "private-nodes", "privateNodes", "false").status()).isEqualTo(Check.Status.WARN);
        assertThat(check(r, "address-quota", "privateNodes", "false")).isEqualTo(Check.warn("address-quota",
                "needs 14 IN_USE_ADDRESSES in us-central1 (1 reserved endpoint, 0 NAT, 13 node public IPs) and 1 "
                        + "STATIC_ADDRESSES, more than the 8 a new project commonly has per region: GPU nodes would "
                        + "fail to be created; set privateNodes true (`preflight` reads the real quota)"));
    }

    @Test
    void aRegisteredClusterWithoutPrivateNodesFailsTheCheck() {
        var r = run();
        var changed = r.resources().stream().map(x -> !x.type().equals("gcp:container/cluster:Cluster") ? x
                : new RegisteredResource(x.type(), x.name(), x.urn(), x.parent(), x.provider(), x.version(),
                        Map.of("name", "ai-inference"), x.dependencies(), x.custom(), x.read(), x.ignoreChanges()))
                .toList();
        var broken = new MockEngineRun.Result(changed, r.outputs(), r.secretOutputs(), r.errors(), r.invokes());
        assertThat(check(broken, "private-nodes").status()).isEqualTo(Check.Status.FAIL);
    }
}
