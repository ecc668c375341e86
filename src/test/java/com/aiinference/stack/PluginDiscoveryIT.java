package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * Pulumi's Java language host finds the provider plugins a program needs by running, in the project directory,
 * {@code mvn compile exec:java -DmainClass=com.pulumi.bootstrap.internal.Main -DmainArgs=packages} (pulumi-java's
 * Maven executor). This runs exactly that, through the project's Maven wrapper, and reads the package list it prints.
 * With a main class written into the exec plugin's configuration the command runs the program instead, which fails
 * without an engine: {@code pulumi preview} then stops before the program starts.
 */
class PluginDiscoveryIT {
    private static final Path PROJECT = Path.of(System.getProperty("project.basedir", "."));

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void theLanguageHostsDiscoveryCommandListsTheGcpAndKubernetesPackages() throws Exception {
        // In a copy of the project (sources and compiled classes with their timestamps, so `compile` has nothing to do):
        // the nested build must not write into the target/ this test suite runs from.
        Path copy = tmp.resolve("project");
        for (String part : List.of("pom.xml", "mvnw", ".mvn", "src/main", "target/classes")) {
            copyTree(PROJECT.resolve(part), copy.resolve(part));
        }
        List<String> cmd = new ArrayList<>(List.of(copy.resolve("mvnw").toString(), "-q", "-B", "-ntp"));
        if ("offline=true".equals(System.getProperty("maven.settings"))) {
            cmd.add("-o");
        }
        cmd.addAll(List.of("compile", "exec:java",
                "-DmainClass=com.pulumi.bootstrap.internal.Main", "-DmainArgs=packages"));
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).directory(copy.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(540, TimeUnit.SECONDS)).as("discovery finished").isTrue();
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(printed).isZero();

        // The bootstrap prints one JSON array of {name, version, resource}; Maven may print around it.
        String json = printed.lines().filter(l -> l.startsWith("[")).reduce((a, b) -> b).orElse("");
        JsonNode packages = new ObjectMapper().readTree(json);
        List<String> names = new ArrayList<>();
        packages.forEach(pkg -> {
            assertThat(pkg.path("resource").asBoolean()).as(pkg.toString()).isTrue();
            names.add(pkg.path("name").asText());
        });
        assertThat(names).as(printed).contains("gcp", "kubernetes");
    }

    @Test
    void theExecPluginReadsItsMainClassFromAPropertyThatDefaultsToTheProgram() throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var pom = factory.newDocumentBuilder().parse(PROJECT.resolve("pom.xml").toFile()).getDocumentElement();
        Element properties = (Element) pom.getElementsByTagName("properties").item(0);
        assertThat(text(properties, "mainClass")).isEqualTo("com.aiinference.App");

        var plugins = pom.getElementsByTagName("plugin");
        Element exec = null;
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if ("exec-maven-plugin".equals(text(plugin, "artifactId")) && plugin.getElementsByTagName("configuration").getLength() > 0) {
                exec = plugin;
            }
        }
        assertThat(exec).as("exec-maven-plugin with a configuration").isNotNull();
        assertThat(text(exec, "mainClass")).isEqualTo("${mainClass}");
        assertThat(text(exec, "commandlineArgs")).isEqualTo("${mainArgs}");
        assertThat(Class.forName(text(properties, "mainClass")).getMethod("main", String[].class)).isNotNull();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static String text(Element parent, String tag) throws IOException {
        var nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }
}
