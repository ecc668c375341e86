package com.aiinference.stack;

import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.artifactregistry.Repository;
import com.pulumi.gcp.artifactregistry.RepositoryArgs;
import com.pulumi.gcp.artifactregistry.RepositoryIamMember;
import com.pulumi.gcp.artifactregistry.RepositoryIamMemberArgs;
import com.pulumi.gcp.artifactregistry.inputs.RepositoryCleanupPolicyArgs;
import com.pulumi.gcp.artifactregistry.inputs.RepositoryCleanupPolicyConditionArgs;
import com.pulumi.gcp.artifactregistry.inputs.RepositoryCleanupPolicyMostRecentVersionsArgs;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import java.util.List;
import java.util.Map;

/**
 * The Artifact Registry repository for the load-test worker image ({@code loadtest}/{@code verify --in-cluster} run
 * their workers as pods of a Job from it; the deploy workflow pushes it with Jib). Docker format, in the cluster's
 * region, readable by the nodes' service account (the image is private, so nodes need
 * {@code roles/artifactregistry.reader} on it), and kept small: versions older than 30 days are deleted except the
 * 10 most recent.
 */
public final class WorkerImageRepository extends ComponentResource {
    public static final String TYPE = "ai-inference:gcp:WorkerImageRepository";
    public static final String READER_ROLE = "roles/artifactregistry.reader";
    static final String DELETE_OLDER_THAN = "2592000s"; // 30 days
    static final int KEEP_MOST_RECENT = 10;

    /** {@code <region>-docker.pkg.dev/<project>/<repository>}: images are pushed as {@code <url>/ai-inference:<tag>}. */
    public final Output<String> url;

    public WorkerImageRepository(String name, Settings settings, Provider gcp, Output<String> nodeServiceAccountEmail,
                                 ComponentResourceOptions options) {
        super(TYPE, name, options);
        String project = settings.gcp().projectId();
        String region = settings.gcp().region();
        String repositoryId = repositoryId(settings.cluster().name());
        var repo = new Repository(name + "-repo", RepositoryArgs.builder()
                .project(project)
                .location(region)
                .repositoryId(repositoryId)
                .format("DOCKER")
                .description("Load-test worker images of " + settings.cluster().name()
                        + " (loadtest/verify --in-cluster), built by Jib from the ai-inference project")
                .cleanupPolicies(List.of(
                        RepositoryCleanupPolicyArgs.builder().id("delete-older-than-30-days").action("DELETE")
                                .condition(RepositoryCleanupPolicyConditionArgs.builder().tagState("ANY")
                                        .olderThan(DELETE_OLDER_THAN).build())
                                .build(),
                        RepositoryCleanupPolicyArgs.builder().id("keep-10-most-recent").action("KEEP")
                                .mostRecentVersions(RepositoryCleanupPolicyMostRecentVersionsArgs.builder()
                                        .keepCount(KEEP_MOST_RECENT).build())
                                .build()))
                .build(), CustomResourceOptions.builder().parent(this).provider(gcp).build());
        new RepositoryIamMember(name + "-nodes-reader", RepositoryIamMemberArgs.builder()
                .project(project)
                .location(region)
                .repository(repo.repositoryId())
                .role(READER_ROLE)
                .member(nodeServiceAccountEmail.applyValue(e -> "serviceAccount:" + e))
                .build(), CustomResourceOptions.builder().parent(this).provider(gcp).build());
        this.url = repo.repositoryId().applyValue(id -> region + "-docker.pkg.dev/" + project + "/" + id);
        registerOutputs(Map.of("url", url));
    }

    /** {@code <cluster>-workers}: a repository ID is lower-case letters, digits and hyphens, starting with a letter. */
    static String repositoryId(String clusterName) {
        return clusterName + "-workers";
    }
}
