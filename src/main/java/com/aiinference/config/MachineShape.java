package com.aiinference.config;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Compute Engine machine shape (vCPUs, memory, attached GPUs) and what GKE leaves allocatable on it.
 * Shapes from cloud.google.com/compute/docs (accelerator-optimized and general-purpose machines); the
 * reservation formulas from cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes.
 */
public record MachineShape(String name, int vcpus, int memoryGiB, String acceleratorType, int acceleratorCount) {
    private static final Map<String, MachineShape> KNOWN = new LinkedHashMap<>();

    static {
        // G2: NVIDIA L4 attached to the machine type; the count is fixed by the shape.
        add("g2-standard-4", 4, 16, "nvidia-l4", 1);
        add("g2-standard-8", 8, 32, "nvidia-l4", 1);
        add("g2-standard-12", 12, 48, "nvidia-l4", 1);
        add("g2-standard-16", 16, 64, "nvidia-l4", 1);
        add("g2-standard-24", 24, 96, "nvidia-l4", 2);
        add("g2-standard-32", 32, 128, "nvidia-l4", 1);
        add("g2-standard-48", 48, 192, "nvidia-l4", 4);
        add("g2-standard-96", 96, 384, "nvidia-l4", 8);
        // General purpose, for the system pool.
        add("e2-standard-2", 2, 8, null, 0);
        add("e2-standard-4", 4, 16, null, 0);
        add("e2-standard-8", 8, 32, null, 0);
        add("n2-standard-2", 2, 8, null, 0);
        add("n2-standard-4", 4, 16, null, 0);
        add("n2-standard-8", 8, 32, null, 0);
        add("n2d-standard-4", 4, 16, null, 0);
    }

    private static void add(String name, int vcpus, int memoryGiB, String accelerator, int count) {
        KNOWN.put(name, new MachineShape(name, vcpus, memoryGiB, accelerator, count));
    }

    public static Optional<MachineShape> byName(String name) {
        return Optional.ofNullable(KNOWN.get(name));
    }

    public static Iterable<String> knownNames() {
        return KNOWN.keySet();
    }

    public boolean hasGpus() {
        return acceleratorCount > 0;
    }

    /** The machine family ({@code g2} of {@code g2-standard-12}). */
    public String family() {
        int dash = name.indexOf('-');
        return dash < 0 ? name : name.substring(0, dash);
    }

    /**
     * Memory the kubelet can hand to pods: capacity minus GKE's kube-reserved (25% of the first 4 GiB, 20% of the
     * next 4, 10% of the next 8, 6% of the next 112, 2% above 128) minus the 100 MiB eviction threshold.
     * 48 GiB -> 4.52 GiB reserved + 0.1 GiB -> about 43.4 GiB.
     */
    public BigDecimal allocatableMemoryBytes() {
        double gib = memoryGiB;
        double reserved = 0.25 * Math.min(gib, 4)
                + 0.20 * clamp(gib - 4, 4)
                + 0.10 * clamp(gib - 8, 8)
                + 0.06 * clamp(gib - 16, 112)
                + 0.02 * Math.max(gib - 128, 0);
        double evictionGiB = 100.0 / 1024;
        return BigDecimal.valueOf(gib - reserved - evictionGiB).multiply(BigDecimal.valueOf(1L << 30));
    }

    /** CPU the kubelet can hand to pods: GKE reserves 6% of the first core, 1% of the next, 0.5% of the next 2, 0.25% above 4. */
    public BigDecimal allocatableCpu() {
        double c = vcpus;
        double reserved = 0.06 * Math.min(c, 1)
                + 0.01 * clamp(c - 1, 1)
                + 0.005 * clamp(c - 2, 2)
                + 0.0025 * Math.max(c - 4, 0);
        return BigDecimal.valueOf(c - reserved);
    }

    private static double clamp(double v, double max) {
        return Math.max(0, Math.min(v, max));
    }
}
