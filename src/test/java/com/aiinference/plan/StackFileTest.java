package com.aiinference.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stack files flattened the way the Pulumi CLI hands config to a program. */
class StackFileTest {
    @TempDir
    Path dir;

    private StackFile read(String yaml) throws IOException {
        Path f = dir.resolve("Pulumi.t.yaml");
        Files.writeString(f, yaml);
        return StackFile.read(f, "ai-inference");
    }

    @Test
    void flattensValuesAndNamespacesBareKeys() throws IOException {
        StackFile f = read("""
                config:
                  ai-inference:gpuNodeCount: 10
                  numParallel: 8
                  ai-inference:loadBalancerSourceRanges: [203.0.113.0/24]
                  gcp:project: other
                  ai-inference:apiKeys:
                    secure: v1:abc:def
                """);
        assertThat(f.config()).containsEntry("ai-inference:gpuNodeCount", "10")
                .containsEntry("ai-inference:numParallel", "8")
                .containsEntry("ai-inference:loadBalancerSourceRanges", "[\"203.0.113.0/24\"]")
                .containsEntry("gcp:project", "other")
                .containsEntry("ai-inference:apiKeys", StackFile.SECRET_PLACEHOLDER);
        assertThat(f.secretKeys()).containsExactly("ai-inference:apiKeys");
    }

    @Test
    void aKeySetTwiceIsRefusedNotSilentlyOverwritten() throws IOException {
        assertThatThrownBy(() -> read("""
                config:
                  ai-inference:memoryLimit: 40Gi
                  ai-inference:numParallel: 8
                  ai-inference:memoryLimit: 46Gi
                """)).isInstanceOf(StackFileException.class)
                .hasMessage("stack file " + dir.resolve("Pulumi.t.yaml")
                        + ": found duplicate key ai-inference:memoryLimit at line 4; keep one")
                .satisfies(e -> assertThat(ExitCodes.forException(e)).isEqualTo(ExitCodes.USAGE));
        assertThatThrownBy(() -> read("""
                config:
                  numParallel: 8
                  ai-inference:numParallel: 4
                """)).isInstanceOf(StackFileException.class)
                .hasMessage("stack file " + dir.resolve("Pulumi.t.yaml")
                        + " sets ai-inference:numParallel twice (as numParallel and ai-inference:numParallel); keep one");
    }

    @Test
    void badFilesAreUsageErrors() throws IOException {
        assertThatThrownBy(() -> read("config: [a, b]")).isInstanceOf(StackFileException.class)
                .hasMessageEndingWith(": 'config' is not a mapping of keys to values");
        assertThatThrownBy(() -> read("config:\n  a: [\n")).isInstanceOf(StackFileException.class)
                .hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> StackFile.read(dir.resolve("Pulumi.none.yaml"), "ai-inference"))
                .hasMessageStartingWith("stack file not found: ");
    }

    @Test
    void valuesAreReadAsPulumiReadsThemYaml12AndTheirText() throws IOException {
        StackFile f = read("""
                config:
                  ai-inference:gkeVersion: 1.30
                  ai-inference:deletionProtection: no
                  ai-inference:numParallel: 08
                  ai-inference:loadBalancerSourceRanges: [10.0.0.0/8, yes, 1.30, true]
                """);
        assertThat(f.config()).containsEntry("ai-inference:gkeVersion", "1.30")
                .containsEntry("ai-inference:deletionProtection", "no")
                .containsEntry("ai-inference:numParallel", "08")
                .containsEntry("ai-inference:loadBalancerSourceRanges", "[\"10.0.0.0/8\",\"yes\",1.3,true]");
    }

    @Test
    void aMisspeltTopLevelKeyIsNamed() {
        assertThatThrownBy(() -> read("confg:\n  ai-inference:gcpProject: p\n")).isInstanceOf(StackFileException.class)
                .hasMessage("stack file " + dir.resolve("Pulumi.t.yaml") + ": 'confg' is not a key of a Pulumi stack"
                        + " file (did you mean 'config'?)");
    }
}
