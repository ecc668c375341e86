package com.aiinference.status;

import com.aiinference.cli.CliException;
import com.aiinference.cli.StackOutputs;
import com.aiinference.kube.KubeAccess;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How {@code verify} and {@code status} reach the release: the stack's secret {@code kubeconfig} output or a file, an
 * optional context, and the release's namespace and name (outputs first, then the chart's defaults).
 */
public final class ClusterOptions {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig file (instead of the stack's secret 'kubeconfig' output). ~/.kube/config is never read implicitly.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: its current-context).")
    String context;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
            description = "Namespace of the release (default: the stack's 'namespace' output, else ai-inference).")
    String namespace;

    @Option(names = "--release", paramLabel = "NAME",
            description = "Helm release name (default: the stack's 'releaseName' output, else ai-inference).")
    String release;

    /** Kubernetes access from {@code --kubeconfig}, else the outputs' kubeconfig; neither is a usage error. */
    public KubeAccess access(Optional<StackOutputs> outputs) {
        if (kubeconfig != null) {
            return KubeAccess.fromFile(kubeconfig, context);
        }
        if (outputs.isPresent()) {
            StackOutputs o = outputs.get();
            return KubeAccess.fromText(o.require(StackOutputs.KUBECONFIG), "output 'kubeconfig' of " + o.source(), context);
        }
        throw CliException.usage("no Kubernetes access: give --stack NAME / --outputs FILE (with a 'kubeconfig' output)"
                + " or --kubeconfig FILE");
    }

    public String namespace(Optional<StackOutputs> outputs) {
        return namespace != null ? namespace : outputs.flatMap(o -> o.get(StackOutputs.NAMESPACE)).orElse("ai-inference");
    }

    public String release(Optional<StackOutputs> outputs) {
        return release != null ? release : outputs.flatMap(o -> o.get(StackOutputs.RELEASE_NAME)).orElse("ai-inference");
    }
}
