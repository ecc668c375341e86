package com.aiinference.stack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A kubeconfig for a GKE cluster, built as data and serialised (never string-formatted): one cluster, one user that
 * gets its token from {@code gke-gcloud-auth-plugin} (the exec credential plugin GKE requires since 1.26), one context.
 */
public final class Kubeconfig {
    public static final String AUTH_PLUGIN = "gke-gcloud-auth-plugin";
    /** The plugin's flag for application default credentials (gke-gcloud-auth-plugin --help). */
    static final String USE_ADC_FLAG = "--use_application_default_credentials";

    private Kubeconfig() {}

    /** The kubeconfig as a map, in kubectl's layout. */
    public static Map<String, Object> data(String contextName, String endpoint, String caCertificateBase64) {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("server", "https://" + endpoint);
        cluster.put("certificate-authority-data", caCertificateBase64);

        Map<String, Object> exec = new LinkedHashMap<>();
        exec.put("apiVersion", "client.authentication.k8s.io/v1beta1");
        exec.put("command", AUTH_PLUGIN);
        // The plugin otherwise uses gcloud's own login (`gcloud auth login`), not the application default credentials
        // that Pulumi's gcp provider, preflight and CI's google-github-actions/auth use: one login for everything.
        exec.put("args", List.of(USE_ADC_FLAG));
        exec.put("installHint", "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin "
                + "(or apt-get install google-cloud-cli-gke-gcloud-auth-plugin)");
        exec.put("provideClusterInfo", true);
        exec.put("interactiveMode", "Never");

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("apiVersion", "v1");
        config.put("kind", "Config");
        config.put("clusters", List.of(entry(contextName, "cluster", cluster)));
        config.put("users", List.of(entry(contextName, "user", Map.of("exec", exec))));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("cluster", contextName);
        context.put("user", contextName);
        config.put("contexts", List.of(entry(contextName, "context", context)));
        config.put("current-context", contextName);
        return config;
    }

    private static Map<String, Object> entry(String name, String field, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put(field, value);
        return m;
    }

    /** The kubeconfig as YAML text (what the Kubernetes provider's {@code kubeconfig} input and kubectl take). */
    public static String yaml(String contextName, String endpoint, String caCertificateBase64) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(data(contextName, endpoint, caCertificateBase64));
    }

    /** gcloud's context name for a cluster: {@code gke_PROJECT_LOCATION_NAME}. */
    public static String contextName(String project, String location, String cluster) {
        return "gke_" + project + "_" + location + "_" + cluster;
    }
}
