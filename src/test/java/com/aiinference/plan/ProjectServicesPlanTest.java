package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.config.DevStack;
import com.aiinference.core.Check;
import com.aiinference.stack.ProjectServices;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The APIs the stack needs are its own resources, and everything else waits for them. */
class ProjectServicesPlanTest {

    @Test
    void everyApiIsDeclaredKeptOnDestroyAndAwaitedByTheProviderThatCreatesTheRest() {
        var run = MockEngineRun.run(DevStack.PROJECT, "dev", DevStack.config(), Set.of());
        assertThat(run.errors()).isEmpty();
        var services = run.ofType("gcp:projects/service:Service");
        assertThat(services).extracting(r -> r.input("service")).containsExactlyInAnyOrderElementsOf(ProjectServices.APIS);
        assertThat(ProjectServices.APIS).contains("cloudresourcemanager.googleapis.com", "container.googleapis.com",
                "compute.googleapis.com", "iam.googleapis.com", "artifactregistry.googleapis.com");
        assertThat(services).allSatisfy(s -> {
            assertThat(s.input("disableOnDestroy")).isEqualTo(false);
            assertThat(s.input("project")).isEqualTo("my-gcp-project-id");
        });

        var creating = run.ofType("pulumi:providers:gcp").stream().filter(p -> p.name().equals("ai-inference-gcp"))
                .findFirst().orElseThrow();
        assertThat(creating.dependencies()).containsAll(services.stream().map(RegisteredResource::urn).toList());
        // Every other GCP resource goes through that provider, so none is created before the APIs are on.
        assertThat(run.resources().stream().filter(r -> r.type().startsWith("gcp:") && !r.type().equals("gcp:projects/service:Service")))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.provider()).as(r.name()).isEqualTo(creating.urn()));
        // getEngineVersions (container.googleapis.com) is asked only once the APIs are enabled: its project comes from them.
        assertThat(run.invokes()).extracting(RecordedInvoke::token).contains(PlanMocks.ENGINE_VERSIONS_TOKEN);

        var check = ProgramChecks.check(run, DevStack.settings()).stream()
                .filter(c -> c.name().equals("project-services")).findFirst().orElseThrow();
        assertThat(check.status()).isEqualTo(Check.Status.PASS);
        assertThat(check.message()).startsWith("7 APIs enabled by the stack, kept on destroy, before any other GCP resource: ")
                .endsWith("(only serviceusage.googleapis.com must be on beforehand)");
    }
}
