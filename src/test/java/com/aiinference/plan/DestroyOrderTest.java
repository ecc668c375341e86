package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.config.DevStack;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The graph `pulumi destroy` walks backwards: a resource goes only after everything that depends on it. The release and
 * its namespace (whose deletion waits for the LoadBalancer Service's finalizer, i.e. the load balancer and its
 * firewall rules) must go before the reserved address and the network, or GCP refuses those with
 * resourceInUseByAnotherResource.
 */
class DestroyOrderTest {
    private static MockEngineRun.Result run;

    @BeforeAll
    static void runTheDevStack() {
        run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.config(), Set.of());
        assertThat(run.errors()).isEmpty();
    }

    private static RegisteredResource single(String type) {
        assertThat(run.ofType(type)).as(type).hasSize(1);
        return run.ofType(type).get(0);
    }

    /** Edges as the engine orders by: declared and input dependencies, and the explicit provider. */
    private static Set<String> dependsOnTransitively(RegisteredResource from) {
        Map<String, RegisteredResource> byUrn = run.resources().stream()
                .collect(Collectors.toMap(RegisteredResource::urn, r -> r, (a, b) -> a));
        Set<String> seen = new HashSet<>();
        var todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            var r = todo.pop();
            var next = new java.util.ArrayList<>(r.dependencies());
            if (!r.provider().isEmpty()) {
                next.add(r.provider());
            }
            for (String urn : next) {
                if (seen.add(urn) && byUrn.containsKey(urn)) {
                    todo.push(byUrn.get(urn));
                }
            }
        }
        return seen;
    }

    @Test
    void theNamespaceAndTheReleaseGoBeforeTheAddressAndTheNetwork() {
        var address = single("gcp:compute/address:Address");
        var namespace = single("kubernetes:core/v1:Namespace");
        var release = single("kubernetes:helm.sh/v3:Release");
        var vpc = single("gcp:compute/network:Network");
        var subnet = single("gcp:compute/subnetwork:Subnetwork");

        assertThat(namespace.dependencies()).as("declared: the namespace waits for the address").contains(address.urn());
        assertThat(release.dependencies()).as("through its namespace input").contains(namespace.urn());
        assertThat(dependsOnTransitively(namespace)).contains(address.urn(), vpc.urn(), subnet.urn());
        assertThat(dependsOnTransitively(release)).contains(namespace.urn(), address.urn(), vpc.urn());
        // And nothing the other way round: the address and the network never wait for in-cluster objects.
        assertThat(dependsOnTransitively(address)).doesNotContain(namespace.urn(), release.urn());
        assertThat(dependsOnTransitively(vpc)).doesNotContain(namespace.urn(), release.urn());
    }

    @Test
    void planJsonListsEveryResourcesDependencies() {
        var out = new java.io.StringWriter();
        var report = new Plan.Report(DevStack.PROJECT, "dev", DevStack.settings(), run.resources(), run.outputs(),
                run.secretOutputs(), List.of(), java.util.Optional.empty());
        PlanReportWriter.json(report, new java.io.PrintWriter(out));
        String json = out.toString();
        var namespace = single("kubernetes:core/v1:Namespace");
        var address = single("gcp:compute/address:Address");
        assertThat(json).contains("\"urn\" : \"" + namespace.urn() + "\"")
                .contains("\"dependencies\" : [ \"" + address.urn() + "\" ]")
                .contains("\"cost\" : {");
    }
}
