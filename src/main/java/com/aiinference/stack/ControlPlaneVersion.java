package com.aiinference.stack;

import com.aiinference.config.ConfigKeys;
import com.aiinference.config.GkeVersion;
import com.aiinference.config.GkeVersionPin;
import com.aiinference.config.Settings;
import com.pulumi.core.Output;
import com.pulumi.deployment.InvokeOptions;
import com.pulumi.exceptions.RunException;
import com.pulumi.gcp.Provider;
import com.pulumi.gcp.container.ContainerFunctions;
import com.pulumi.gcp.container.inputs.GetEngineVersionsArgs;
import com.pulumi.gcp.container.outputs.GetEngineVersionsResult;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The cluster's control-plane version, decided at deploy time. GKE refuses a version its release channel no longer
 * offers ("Master version must be one of ... supported versions"), and channels drop patches within months, so the
 * program pins no patch unless told to: an empty {@code gkeVersion} leaves the version to the channel, a minor is
 * resolved through {@code gcp.container.getEngineVersions} (version prefix, the cluster's region) to the newest patch
 * the channel offers, and the DWS floor is checked against the version GKE would actually run. The floor check gates
 * the project every other GCP resource is created in ({@link #project}, given to the stack's gcp provider), so a
 * refused version stops {@code pulumi up} before anything exists. The lookup goes through its own provider resource
 * (same pinned plugin), since the provider that creates resources waits for this answer.
 */
public final class ControlPlaneVersion {
    /** {@code minMasterVersion}: the resolved patch of a minor, the pinned version, or null (the channel decides). */
    final @Nullable Output<String> minMasterVersion;
    /** The project, known once the resolved version passed the floor: the gate for every GCP resource. */
    public final Output<String> project;
    /** The version GKE creates the control plane with, as far as the program can know before it exists. */
    public final Output<String> resolved;

    /**
     * @param lookups the provider {@code getEngineVersions} is asked through (not the one that creates resources)
     * @param enabledProject the project, known once its APIs are enabled ({@link ProjectServices#project}): the lookup
     *     needs container.googleapis.com
     */
    public ControlPlaneVersion(Settings settings, Provider lookups, Output<String> enabledProject) {
        var c = settings.cluster();
        GkeVersionPin pin = c.version();
        String channel = c.releaseChannel();
        boolean needsFloor = settings.gpuPool().queuedProvisioning() || settings.gpuPool().flexStart();
        String key = settings.key(ConfigKeys.GKE_VERSION);

        if (pin.kind() == GkeVersionPin.Kind.EXACT) {
            // Checked before anything is registered (PolicyRules); no lookup needed.
            this.resolved = Output.of(pin.text());
            this.minMasterVersion = resolved;
            this.project = enabledProject;
            return;
        }
        var args = GetEngineVersionsArgs.builder()
                .project(enabledProject)
                // A regional cluster: the region's list, which can differ from its zones'.
                .location(settings.gcp().region());
        pin.versionPrefix().ifPresent(args::versionPrefix);
        Output<GetEngineVersionsResult> offered = ContainerFunctions.getEngineVersions(args.build(),
                InvokeOptions.builder().provider(lookups).build());
        String where = " in " + settings.gcp().region() + " (" + channel + " channel)";
        this.resolved = offered.applyValue(v -> {
            Map<String, String> versions = pin.kind() == GkeVersionPin.Kind.MINOR
                    ? v.releaseChannelLatestVersion() : v.releaseChannelDefaultVersion();
            String found = versions == null ? null : versions.get(channel);
            if (found == null || found.isBlank()) {
                throw new RunException(pin.kind() == GkeVersionPin.Kind.MINOR
                        ? key + " " + pin.text() + ": GKE offers no " + pin.text() + " version" + where
                                + "; pick a minor the channel offers, or leave " + key + " empty for its default"
                        : "GKE reports no default version" + where);
            }
            if (needsFloor) {
                var parsed = GkeVersion.parse(found);
                if (parsed.isPresent() && parsed.get().compareTo(GkeVersion.DWS_MINIMUM) < 0) {
                    throw new RunException(key + " " + (pin.kind() == GkeVersionPin.Kind.MINOR ? pin.text()
                            : "(empty: the channel's default)") + " resolves to " + found + where + ", below "
                            + GkeVersion.DWS_MINIMUM + ", the minimum for queued provisioning on flex-start; set "
                            + key + " to a later minor, or a faster releaseChannel");
                }
            }
            return found;
        });
        this.minMasterVersion = pin.kind() == GkeVersionPin.Kind.MINOR ? resolved : null;
        this.project = Output.tuple(resolved, enabledProject).applyValue(t -> t.t2);
    }
}
