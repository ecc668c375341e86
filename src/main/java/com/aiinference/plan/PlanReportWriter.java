package com.aiinference.plan;

import com.aiinference.core.Check;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The plan as text (a resource tree, outputs, checks) or as JSON with the inputs exactly as registered. */
final class PlanReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanReportWriter() {}

    static void json(Plan.Report report, PrintWriter out) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("stack", report.stack());
        List<Map<String, Object>> resources = new ArrayList<>();
        for (RegisteredResource r : report.resources()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("urn", r.urn());
            m.put("type", r.type());
            m.put("name", r.name());
            m.put("parent", r.parent());
            m.put("provider", r.provider());
            // What the engine orders creation by and destroys in reverse: dependsOn and every resource an input came
            // from (the explicit provider is the "provider" field).
            m.put("dependencies", r.dependencies());
            m.put("inputs", r.inputs());
            resources.add(m);
        }
        root.put("resources", resources);
        root.put("outputs", maskedOutputs(report));
        root.put("cost", CostEstimate.of(report.settings()).json());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (Check c : report.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.status().label());
            m.put("message", c.message());
            checks.add(m);
        }
        root.put("checks", checks);
        try {
            out.println(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    static void text(Plan.Report report, PrintWriter out) {
        out.println("Plan of stack " + report.stack() + " (project " + report.project()
                + ") on Pulumi's mock engine: nothing is created, no cloud is called.");
        if (!report.resources().isEmpty()) {
            out.println();
            long custom = report.resources().stream().filter(r -> r.custom() && !r.read()).count();
            out.println("Resources (" + report.resources().size() + " registered, " + custom + " would be created):");
            tree(report.resources(), out);
        }
        if (!report.outputs().isEmpty()) {
            out.println();
            out.println("Outputs:");
            int width = report.outputs().keySet().stream().mapToInt(String::length).max().orElse(0);
            maskedOutputs(report).forEach((k, v) -> out.printf("  %-" + width + "s  %s%s%n", k, v, mockNote(k, v)));
        }
        out.println();
        CostEstimate cost = CostEstimate.of(report.settings());
        out.println(cost.heading());
        cost.lines().forEach(l -> out.println("  " + l));
        out.println();
        out.println("Checks:");
        int width = report.checks().stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check c : report.checks()) {
            out.printf("  %-4s  %-" + width + "s  %s%n", c.status().name(), c.name(), c.message());
        }
        long failed = report.checks().stream().filter(c -> c.status() == Check.Status.FAIL).count();
        long skipped = report.checks().stream().filter(c -> c.status() == Check.Status.SKIP).count();
        long warned = report.checks().stream().filter(c -> c.status() == Check.Status.WARN).count();
        String others = (warned > 0 ? ", " + warned + " warning" + (warned > 1 ? "s" : "") : "")
                + (skipped > 0 ? ", " + skipped + " skipped" : "");
        out.println();
        out.println(failed == 0
                ? report.checks().size() + " checks: all passed" + (others.isEmpty() ? "" : " (" + others.substring(2) + ")")
                : report.checks().size() + " checks: " + failed + " failed" + others);
        out.flush();
    }

    private static Map<String, Object> maskedOutputs(Plan.Report report) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        report.outputs().forEach((k, v) -> outputs.put(k, report.secretOutputs().contains(k) ? RecordingMonitor.SECRET_MASK : v));
        return outputs;
    }

    private static String mockNote(String key, Object value) {
        String v = String.valueOf(value);
        if (v.contains(PlanMocks.MOCK_EXTERNAL_IP)) {
            return "   <- MOCK address (RFC 5737); the real one is reserved in Google Cloud by `pulumi up`";
        }
        if (v.contains(PlanMocks.MOCK_INTERNAL_IP)) {
            return "   <- MOCK address; the real one is reserved in the subnet by `pulumi up`";
        }
        if (PlanMocks.MOCK_CHANNEL_VERSIONS.values().stream().anyMatch(l -> l.contains(v))) {
            return "   <- MOCK version; the real one comes from GKE (getEngineVersions) at deploy time";
        }
        return "";
    }

    private static void tree(List<RegisteredResource> resources, PrintWriter out) {
        Map<String, List<RegisteredResource>> children = new LinkedHashMap<>();
        List<RegisteredResource> roots = new ArrayList<>();
        var urns = resources.stream().map(RegisteredResource::urn).toList();
        for (RegisteredResource r : resources) {
            if (r.parent().isEmpty() || !urns.contains(r.parent())) {
                roots.add(r);
            } else {
                children.computeIfAbsent(r.parent(), k -> new ArrayList<>()).add(r);
            }
        }
        for (RegisteredResource root : roots) {
            out.println(line(root));
            settings(root, children.containsKey(root.urn()) ? "│  " : "   ", out);
            print(children, root, "", out);
        }
    }

    private static void print(Map<String, List<RegisteredResource>> children, RegisteredResource node, String indent,
                              PrintWriter out) {
        List<RegisteredResource> kids = children.getOrDefault(node.urn(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            boolean last = i == kids.size() - 1;
            RegisteredResource kid = kids.get(i);
            String childIndent = indent + (last ? "   " : "│  ");
            out.println(indent + (last ? "└─ " : "├─ ") + line(kid));
            settings(kid, childIndent + (children.containsKey(kid.urn()) ? "│  " : "   "), out);
            print(children, kid, childIndent, out);
        }
    }

    private static String line(RegisteredResource r) {
        String provider = r.provider().isEmpty() ? "" : "  [provider " + r.provider().substring(r.provider().lastIndexOf("::") + 2) + "]";
        return r.type() + " " + r.name() + (r.read() ? " (read after the release)" : "") + provider;
    }

    private static void settings(RegisteredResource r, String indent, PrintWriter out) {
        String settings = KeySettings.summary(r);
        if (!settings.isEmpty()) {
            out.println(indent + "  " + settings);
        }
    }
}
