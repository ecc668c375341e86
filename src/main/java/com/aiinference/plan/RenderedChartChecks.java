package com.aiinference.plan;

import com.aiinference.chart.ChartContract;
import com.aiinference.chart.RenderedChart;
import com.aiinference.config.Quantity;
import com.aiinference.config.Settings;
import com.aiinference.core.Check;
import com.aiinference.stack.ChartValues;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks on what the chart actually renders with the release's values: the objects the cluster would receive, not
 * the values we meant to send. A chart that ignores a value (or renames it) fails here.
 */
final class RenderedChartChecks {
    private RenderedChartChecks() {}

    static List<Check> check(RenderedChart chart, Settings s, String gpuPoolName) {
        List<Check> out = new ArrayList<>();
        var w = s.workload();
        var pool = s.gpuPool();
        int capacity = pool.gpuCapacity() / Math.max(1, w.gpusPerPod());

        Optional<Deployment> deployment = chart.single(Deployment.class);
        if (deployment.isEmpty()) {
            out.add(Check.fail("rendered-deployment", "the chart rendered no Deployment"));
            return out;
        }
        PodSpec pod = deployment.get().getSpec().getTemplate().getSpec();
        String engineName = s.engine().kind();
        Optional<Container> ollama = pod.getContainers().stream().filter(c -> engineName.equals(c.getName())).findFirst();
        if (ollama.isEmpty()) {
            out.add(Check.fail("rendered-deployment", "the Deployment has no container named " + engineName));
            return out;
        }
        out.add(Check.pass("rendered-deployment", "Deployment " + deployment.get().getMetadata().getName()
                + " with containers " + pod.getContainers().stream().map(Container::getName).toList()));

        // Memory: the limit the pod really gets, against the node's allocatable memory.
        BigDecimal allocatable = pool.machine().allocatableMemoryBytes().subtract(pool.daemonSetMemory().value());
        BigDecimal podLimit = BigDecimal.ZERO;
        String ollamaLimit = null;
        for (Container c : pod.getContainers()) {
            var q = limit(c, "memory");
            if (q.isEmpty()) {
                out.add(Check.fail("rendered-memory-limit", "container " + c.getName() + " has no memory limit"));
                return out;
            }
            podLimit = podLimit.add(q.get().value());
            if (c == ollama.get()) {
                ollamaLimit = q.get().text();
            }
        }
        if (!w.memoryLimit().text().equals(ollamaLimit)) {
            out.add(Check.fail("rendered-memory-limit", engineName + "'s rendered memory limit " + ollamaLimit
                    + " differs from " + s.project() + ":memoryLimit " + w.memoryLimit()));
        } else if (podLimit.compareTo(allocatable) > 0) {
            out.add(Check.fail("rendered-memory-limit", "the pod's containers limit " + Quantity.formatGiB(podLimit)
                    + " in total, above the " + Quantity.formatGiB(allocatable) + " left on " + pool.machine().name()));
        } else {
            out.add(Check.pass("rendered-memory-limit", "pod memory limits " + Quantity.formatGiB(podLimit)
                    + " (" + engineName + " " + ollamaLimit + ") <= " + Quantity.formatGiB(allocatable) + " on " + pool.machine().name()));
        }

        // GPUs: exactly gpusPerPod per pod, so one pod lands per L4 node.
        long gpus = pod.getContainers().stream().map(c -> limit(c, "nvidia.com/gpu"))
                .flatMap(Optional::stream).mapToLong(q -> q.value().longValue()).sum();
        out.add(gpus == w.gpusPerPod()
                ? Check.pass("rendered-gpu-per-pod", gpus + " nvidia.com/gpu per pod")
                : Check.fail("rendered-gpu-per-pod", "the pod asks for " + gpus + " nvidia.com/gpu, expected "
                        + w.gpusPerPod()));

        // Scheduling onto the pool the stack created.
        String selector = Optional.ofNullable(pod.getNodeSelector()).map(m -> m.get(ChartContract.NODE_POOL_LABEL)).orElse(null);
        out.add(gpuPoolName.equals(selector)
                ? Check.pass("rendered-node-selector", "pods select node pool " + selector)
                : Check.fail("rendered-node-selector", "pods select node pool " + selector + ", the stack creates "
                        + gpuPoolName));
        List<String> tolerated = Optional.ofNullable(pod.getTolerations()).orElse(List.of()).stream()
                .map(Toleration::getKey).toList();
        List<String> needed = pool.queuedProvisioning()
                ? List.of("nvidia.com/gpu", "cloud.google.com/gke-queued") : List.of("nvidia.com/gpu");
        List<String> missing = needed.stream().filter(t -> !tolerated.contains(t)).toList();
        out.add(missing.isEmpty()
                ? Check.pass("rendered-tolerations", "pods tolerate " + needed)
                : Check.fail("rendered-tolerations", "pods do not tolerate the pool's taint(s) " + missing));

        // Replicas against the pool.
        Integer replicas = deployment.get().getSpec().getReplicas();
        Optional<HorizontalPodAutoscaler> hpa = chart.single(HorizontalPodAutoscaler.class);
        if (w.hpaEnabled() && hpa.isEmpty()) {
            out.add(Check.fail("rendered-replicas", "hpaEnabled is true but the chart rendered no HorizontalPodAutoscaler"));
        } else if (hpa.isPresent()) {
            int min = Optional.ofNullable(hpa.get().getSpec().getMinReplicas()).orElse(1);
            int max = hpa.get().getSpec().getMaxReplicas();
            if (max > capacity) {
                out.add(Check.fail("rendered-replicas", "HPA maxReplicas " + max + " exceeds the " + capacity
                        + " pods the GPU pool holds"));
            } else if (min != w.hpaMinReplicas() || max != w.hpaMaxReplicas()) {
                out.add(Check.fail("rendered-replicas", "HPA renders " + min + ".." + max + ", config says "
                        + w.hpaMinReplicas() + ".." + w.hpaMaxReplicas()));
            } else {
                out.add(Check.pass("rendered-replicas", "HPA " + min + ".." + max
                        + (min == max ? " (pinned)" : "") + " <= " + capacity + " GPU node(s)"));
            }
        } else if (replicas == null || replicas > capacity) {
            out.add(Check.fail("rendered-replicas", "Deployment replicas " + replicas + " exceeds the " + capacity
                    + " pods the GPU pool holds"));
        } else {
            out.add(Check.pass("rendered-replicas", replicas + " replica(s) <= " + capacity + " GPU node(s)"));
        }

        provisioningRequest(chart, s, out);
        service(chart, s, out);
        return out;
    }

    private static void provisioningRequest(RenderedChart chart, Settings s, List<Check> out) {
        List<GenericKubernetesResource> prs = chart.ofKind("ProvisioningRequest").stream()
                .filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast).toList();
        if (!s.gpuPool().queuedProvisioning()) {
            out.add(prs.isEmpty()
                    ? Check.pass("rendered-provisioning-request", "no ProvisioningRequest (queued provisioning off)")
                    : Check.fail("rendered-provisioning-request", "a ProvisioningRequest is rendered but queued provisioning is off"));
            return;
        }
        if (prs.size() != 1) {
            out.add(Check.fail("rendered-provisioning-request", "expected one ProvisioningRequest, rendered " + prs.size()));
            return;
        }
        Object spec = prs.get(0).getAdditionalProperties().get("spec");
        Object cls = spec instanceof Map<?, ?> m ? m.get("provisioningClassName") : null;
        long count = 0;
        if (spec instanceof Map<?, ?> m && m.get("podSets") instanceof List<?> sets) {
            for (Object set : sets) {
                if (set instanceof Map<?, ?> sm && sm.get("count") instanceof Number n) {
                    count += n.longValue();
                }
            }
        }
        if (!ChartContract.QUEUED_PROVISIONING_CLASS.equals(cls)) {
            out.add(Check.fail("rendered-provisioning-request", "ProvisioningRequest class " + cls
                    + ", expected queued-provisioning.gke.io"));
        } else if (count > s.gpuPool().maxNodes()) {
            out.add(Check.fail("rendered-provisioning-request", "ProvisioningRequest asks for " + count
                    + " pod(s), above the pool's " + s.gpuPool().maxNodes() + " nodes"));
        } else {
            out.add(Check.pass("rendered-provisioning-request", "ProvisioningRequest "
                    + prs.get(0).getMetadata().getName() + " asks queued-provisioning.gke.io for " + count + " pod(s)"));
        }
    }

    private static void service(RenderedChart chart, Settings s, List<Check> out) {
        List<Service> services = chart.ofType(Service.class);
        if (services.size() != 1) {
            out.add(Check.fail("rendered-service", services.size() + " Services rendered; the stack's serviceName output is"
                    + " the one Service the chart renders"));
            return;
        }
        Optional<Service> svc = Optional.of(services.get(0));
        String expected = svc.get().getMetadata().getName();
        var spec = svc.get().getSpec();
        boolean port = spec.getPorts().stream().anyMatch(p -> p.getPort() == s.service().port());
        List<String> ranges = Optional.ofNullable(spec.getLoadBalancerSourceRanges()).orElse(List.of());
        if (!s.service().type().equals(spec.getType())) {
            out.add(Check.fail("rendered-service", "Service type " + spec.getType() + ", config says " + s.service().type()));
        } else if (!port) {
            out.add(Check.fail("rendered-service", "Service " + expected + " has no port " + s.service().port()));
        } else if (s.service().isLoadBalancer() && !s.service().internal()
                && !ranges.containsAll(s.service().loadBalancerSourceRanges())) {
            out.add(Check.fail("rendered-service", "Service source ranges " + ranges + " miss "
                    + s.service().loadBalancerSourceRanges()));
        } else {
            out.add(Check.pass("rendered-service", "Service " + expected + " " + spec.getType() + " port "
                    + s.service().port() + (ranges.isEmpty() ? "" : " from " + ranges)));
        }
        if (s.service().isLoadBalancer()) {
            // The load balancer takes the stack's reserved address by name, the way GKE documents it.
            var annotations = Optional.ofNullable(svc.get().getMetadata().getAnnotations()).orElse(java.util.Map.of());
            String address = annotations.get(ADDRESS_ANNOTATION);
            boolean rbs = "enabled".equals(annotations.get(RBS_ANNOTATION));
            String wanted = ChartValues.addressName(s);
            if (!wanted.equals(address)) {
                out.add(Check.fail("rendered-service-address", "Service " + expected + " has " + ADDRESS_ANNOTATION
                        + " " + address + ", the stack reserves " + wanted));
            } else if (!s.service().internal() && !rbs) {
                out.add(Check.fail("rendered-service-address", "public Service " + expected + " names address " + address
                        + " without " + RBS_ANNOTATION + ": \"enabled\" (GKE's L4 controller that reads the annotation)"));
            } else {
                out.add(Check.pass("rendered-service-address", "Service " + expected + " takes reserved address " + address
                        + " (" + ADDRESS_ANNOTATION + (s.service().internal() ? ", internal" : ", " + RBS_ANNOTATION) + ")"));
            }
        }
    }

    static final String ADDRESS_ANNOTATION = "networking.gke.io/load-balancer-ip-addresses";
    static final String RBS_ANNOTATION = "cloud.google.com/l4-rbs";

    private static Optional<Quantity> limit(Container c, String resource) {
        if (c.getResources() == null || c.getResources().getLimits() == null) {
            return Optional.empty();
        }
        var q = c.getResources().getLimits().get(resource);
        return q == null ? Optional.empty() : Quantity.parse(q.toString());
    }
}
