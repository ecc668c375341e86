package com.aiinference.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.testing.MainProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Maven executor). Its two halves are checked here: that bootstrap, run on the project's runtime class path (the
 * class path of {@code target/ai-inference.jar}, the runtime scope exec:java runs with), lists the gcp and kubernetes
 * packages; and the pom lets {@code -DmainClass}/{@code -DmainArgs} choose what exec:java runs (with a main class
 * written into the exec plugin's configuration the command would run the program instead, which fails without an
 * engine: {@code pulumi preview} would then stop before the program starts). Running the whole command through a
 * nested Maven took about 30 s of the suite; the bootstrap alone takes one or two.
 */
class PluginDiscoveryIT {
    private static final Path PROJECT = Path.of(System.getProperty("project.basedir", "."));

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theBootstrapListsTheGcpAndKubernetesPackagesOnTheRuntimeClassPath() throws Exception {
        Path jar = PROJECT.resolve("target/ai-inference.jar");
        assertThat(jar).as("the packaged jar (failsafe runs after package)").exists();
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(MainProcess.command(jar.toString(), List.of(), "com.pulumi.bootstrap.internal.Main",
                "packages"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("discovery finished").isTrue();
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(printed).isZero();

        // The bootstrap prints one JSON array of {name, version, resource}.
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

    private static String text(Element parent, String tag) throws IOException {
        var nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }
}
