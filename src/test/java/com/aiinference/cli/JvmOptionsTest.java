package com.aiinference.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.testing.JvmOptionsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The engine's JVM flags are written once, in bin/jvm.options: bin/ai-inference and the worker image (pom.xml,
 * profile worker-image) both hand that file to java, and neither lists a flag of its own copy.
 */
class JvmOptionsTest {
    private static final Path POM = Path.of("pom.xml");
    private static final Path LAUNCHER = Path.of("bin", "ai-inference");
    /** Where the worker image holds the file, and the flags the image adds for a pod (its memory limit is the JVM's). */
    private static final String IMAGE_FILE = "/app/jvm.options";
    private static final List<String> IMAGE_ONLY = List.of("-XX:MaxRAMPercentage=75");

    @Test
    void theFileIsOneFlagALineEachOptionOnce() {
        List<String> flags = JvmOptionsFile.flags();
        assertThat(flags).isNotEmpty().allMatch(f -> f.startsWith("-X"), "a JVM option (-X...)");
        assertThat(new HashSet<>(names(flags))).as("each option once").hasSameSizeAs(flags);
    }

    @Test
    void aLineOutsideTheSyntaxTheFileKeepsToIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jvm.options"), "# ok\n-Xss512k\n-Xms32m # a trailing comment\n");
        assertThatThrownBy(() -> JvmOptionsFile.flags(file))
                .hasMessage(file + " line 3: '-Xms32m # a trailing comment' is not one flag alone on its line");
    }

    @Test
    void theWorkerImageRunsJavaWithTheFileAndOnlyThePodsOwnFlagBeyondIt() throws Exception {
        Element jib = workerImageJibConfiguration();

        // Jib copies bin/jvm.options, and only it, to /app/jvm.options.
        List<Element> paths = children(child(jib, "extraDirectories"), "paths").stream()
                .flatMap(p -> children(p, "path").stream()).toList();
        assertThat(paths).hasSize(1);
        Element path = paths.get(0);
        assertThat(text(path, "from")).isEqualTo("${project.basedir}/" + JvmOptionsFile.PATH.getParent());
        assertThat(text(path, "includes")).isEqualTo(JvmOptionsFile.PATH.getFileName().toString());
        assertThat(text(path, "into") + "/" + JvmOptionsFile.PATH.getFileName()).isEqualTo(IMAGE_FILE);

        // Jib's own entrypoint (none configured): java <jvmFlags> -cp @/app/jib-classpath-file <mainClass>.
        Element container = child(jib, "container");
        assertThat(child(container, "entrypoint")).isNull();
        assertThat(text(container, "mainClass")).isEqualTo("com.aiinference.Main");
        List<String> jvmFlags = children(child(container, "jvmFlags"), "jvmFlag").stream()
                .map(e -> e.getTextContent().strip()).toList();
        assertThat(jvmFlags).containsExactly("@" + IMAGE_FILE, IMAGE_ONLY.get(0));

        // What the JVM in the pod gets: the file's flags, then the pod's own, which overrides none of them.
        List<String> expanded = new ArrayList<>();
        for (String flag : jvmFlags) {
            expanded.addAll(flag.equals("@" + IMAGE_FILE) ? JvmOptionsFile.flags() : List.of(flag));
        }
        List<String> flags = JvmOptionsFile.flags();
        assertThat(expanded).containsExactlyElementsOf(concat(flags, IMAGE_ONLY));
        assertThat(names(IMAGE_ONLY)).doesNotContainAnyElementsOf(names(flags));

        // Image settings the Job relies on stay.
        assertThat(text(container, "user")).isEqualTo("65532:65532");
        assertThat(child(container, "labels")).isNotNull();
    }

    @Test
    void noFlagOfTheFileIsCopiedIntoTheImageProfileOrTheLauncher() throws Exception {
        // The image's profile, not the whole pom: the test JVMs' own settings (test.jvm.args) are the build's business.
        String pom = Files.readString(POM);
        int start = pom.indexOf("<id>worker-image</id>");
        assertThat(start).as("pom.xml has the worker-image profile").isPositive();
        String profile = pom.substring(start, pom.indexOf("</profile>", start));
        String launcher = Files.readString(LAUNCHER);
        for (String name : names(JvmOptionsFile.flags())) {
            assertThat(profile).as("pom.xml, profile worker-image").doesNotContain(name);
            assertThat(launcher).as("bin/ai-inference").doesNotContain(name);
        }
    }

    @Test
    void theLauncherHandsTheFileToJavaBeforeTheUsersOptions() throws Exception {
        List<String> code = Files.readAllLines(LAUNCHER).stream().map(String::strip)
                .filter(l -> !l.startsWith("#")).toList();
        assertThat(code).contains("options=\"$root/" + JvmOptionsFile.PATH + "\"");
        assertThat(code).filteredOn(l -> l.startsWith("exec "))
                .containsExactly("exec \"$java\" \"@$options\" ${AI_INFERENCE_JAVA_OPTS:-} -jar \"$jar\" \"$@\"");
    }

    /**
     * The option each flag sets, without sign or value: UseSerialGC for -XX:+UseSerialGC (and -XX:-UseSerialGC),
     * Tier4CompileThreshold for -XX:Tier4CompileThreshold=150000, -Xms for -Xms32m.
     */
    private static List<String> names(List<String> flags) {
        return flags.stream().map(f -> f.startsWith("-XX:")
                ? f.substring(4).replaceFirst("^[+-]", "").replaceFirst("=.*$", "")
                : f.replaceFirst("^(-X(?:ms|mx|ss|mn)).*$", "$1")).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Element workerImageJibConfiguration() throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element project = factory.newDocumentBuilder().parse(POM.toFile()).getDocumentElement();
        Element profile = children(child(project, "profiles"), "profile").stream()
                .filter(p -> "worker-image".equals(text(p, "id"))).findFirst().orElseThrow();
        Element plugin = children(child(child(profile, "build"), "plugins"), "plugin").stream()
                .filter(p -> "jib-maven-plugin".equals(text(p, "artifactId"))).findFirst().orElseThrow();
        return child(plugin, "configuration");
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                found.add(e);
            }
        }
        return found;
    }

    private static Element child(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        assertThat(found).as("<%s> in <%s>", tag, parent == null ? "?" : parent.getTagName()).hasSizeLessThan(2);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element parent, String tag) {
        Element e = child(parent, tag);
        return e == null ? null : e.getTextContent().strip();
    }
}
