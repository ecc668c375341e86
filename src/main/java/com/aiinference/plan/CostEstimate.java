package com.aiinference.plan;

import com.aiinference.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the stack costs per hour while its GPU nodes run, and for one run of the nodes' lifetime, at the on-demand
 * list prices of {@code prices.yaml} (with its date and source). An estimate of the resources that dominate the bill:
 * GPU nodes and their boot disks, the system pool, the GKE fee; NAT, load balancer and egress are not counted.
 *
 * @param lines the text lines the plan prints; empty when the table has no price for the region or a machine
 */
record CostEstimate(String asOf, String source, double gpuNodesPerHour, double basePerHour, double runHours,
                    List<String> lines) {

    /** GKE's default boot disk for a node pool that sets none (the system pool). */
    static final int DEFAULT_BOOT_DISK_GB = 100;
    /** Flex-start VMs (and so queued nodes) live at most seven days. */
    static final double SEVEN_DAYS_HOURS = 7 * 24;

    static CostEstimate of(Settings s) {
        Map<String, Object> table = table();
        String asOf = String.valueOf(table.get("asOf"));
        String source = String.valueOf(table.get("source"));
        double hoursPerMonth = number(table.get("hoursPerMonth"));
        double gkeFee = number(table.get("gkeClusterFeePerHour"));
        String region = s.gcp().region();
        var pool = s.gpuPool();
        double runHours = pool.queuedProvisioning() ? pool.maxRunDurationSeconds() / 3600.0 : SEVEN_DAYS_HOURS;
        Optional<Map<?, ?>> prices = Optional.ofNullable((Map<?, ?>) ((Map<?, ?>) table.get("regions")).get(region));
        Optional<Double> gpuMachine = prices.map(p -> (Map<?, ?>) p.get("machines")).map(m -> m.get(pool.machine().name()))
                .map(CostEstimate::number);
        Optional<Double> systemMachine = prices.map(p -> (Map<?, ?>) p.get("machines"))
                .map(m -> m.get(s.cluster().systemMachineType())).map(CostEstimate::number);
        if (prices.isEmpty() || gpuMachine.isEmpty() || systemMachine.isEmpty()) {
            String missing = prices.isEmpty() ? "region " + region
                    : gpuMachine.isEmpty() ? pool.machine().name() + " in " + region
                    : s.cluster().systemMachineType() + " in " + region;
            return new CostEstimate(asOf, source, Double.NaN, Double.NaN, runHours, List.of(
                    "no list price for " + missing + " in prices.yaml (as of " + asOf + "); see the Google Cloud "
                            + "Pricing Calculator"));
        }
        double diskPerGbHour = number(prices.get().get("pdBalancedPerGbMonth")) / hoursPerMonth;
        int gpuNodes = pool.maxNodes();
        int systemNodes = s.cluster().systemNodes();
        double gpuVms = gpuNodes * gpuMachine.get();
        double gpuDisks = gpuNodes * pool.diskSizeGb() * diskPerGbHour;
        double system = systemNodes * (systemMachine.get() + DEFAULT_BOOT_DISK_GB * diskPerGbHour);
        double gpuPerHour = gpuVms + gpuDisks;
        double base = system + gkeFee;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "while the GPU nodes run  %s/h: %d x %s %s + their %d GB pd-balanced disks %s"
                        + " + system pool %d x %s %s + GKE fee %s", usd(gpuPerHour + base), gpuNodes, pool.machine().name(),
                usd(gpuVms), pool.diskSizeGb(), usd(gpuDisks), systemNodes, s.cluster().systemMachineType(), usd(system),
                usd(gkeFee)));
        lines.add("without GPU nodes        " + usd(base) + "/h (system pool and GKE fee; the pool scales to 0)");
        String run = pool.queuedProvisioning()
                ? "dwsMaxRunDurationSeconds " + pool.maxRunDurationSeconds() + " (" + hours(runHours) + " h)"
                : "7 days (" + hours(runHours) + " h)";
        lines.add(String.format(Locale.ROOT, "for %s  %s GPU node-hours: %s for the GPU nodes, %s with the rest",
                run, hours(gpuNodes * runHours), usd(gpuPerHour * runHours), usd((gpuPerHour + base) * runHours)));
        if (pool.flexStart() || pool.spot()) {
            lines.add("gpuProvisioning " + pool.provisioning().configName() + " bills " + (pool.spot() ? "Spot" : "flex-start")
                    + " VMs below these on-demand prices (variable rates): read them as the upper bound");
        }
        lines.add("tear down with `pulumi destroy` (deletionProtection false) when the run is over; NAT, load balancer"
                + " and egress are not counted");
        return new CostEstimate(asOf, source, gpuPerHour, base, runHours, List.copyOf(lines));
    }

    /** The header line: which prices, from where, as of when. */
    String heading() {
        return "Cost (on-demand list prices in USD from prices.yaml, as of " + asOf + "; " + source + "):";
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("asOf", asOf);
        m.put("source", source);
        m.put("perHourWithGpuNodes", Double.isNaN(gpuNodesPerHour) ? null : round(gpuNodesPerHour + basePerHour));
        m.put("perHourWithoutGpuNodes", Double.isNaN(basePerHour) ? null : round(basePerHour));
        m.put("runHours", runHours);
        m.put("perRun", Double.isNaN(gpuNodesPerHour) ? null : round((gpuNodesPerHour + basePerHour) * runHours));
        m.put("lines", lines);
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String usd(double v) {
        return String.format(Locale.ROOT, "$%,.2f", v);
    }

    private static String hours(double h) {
        return h == Math.rint(h) ? String.format(Locale.ROOT, "%,d", (long) h) : String.format(Locale.ROOT, "%,.1f", h);
    }

    private static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalStateException("prices.yaml: " + o + " is not a number");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table() {
        try (InputStream in = CostEstimate.class.getResourceAsStream("prices.yaml")) {
            if (in == null) {
                throw new IllegalStateException("prices.yaml is missing from the classpath");
            }
            return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
