package com.aiinference.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackOutputsTest {

    private static final String OUTPUTS = """
            {"endpoint": "http://34.1.2.3:8000/api/generate", "externalIp": "34.1.2.3",
             "namespace": "ai-inference", "replicas": 10, "kubeconfig": {"apiVersion": "v1"}}
            """;

    @Test
    void readsStringsNumbersAndObjects() {
        StackOutputs outputs = StackOutputs.fromJson(OUTPUTS, "test");
        assertThat(outputs.require(StackOutputs.ENDPOINT)).isEqualTo("http://34.1.2.3:8000/api/generate");
        assertThat(outputs.get("replicas")).contains("10");
        assertThat(outputs.get(StackOutputs.KUBECONFIG)).contains("{\"apiVersion\":\"v1\"}");
        assertThat(outputs.get("missing")).isEmpty();
        assertThat(outputs.keys()).containsExactly("endpoint", "externalIp", "namespace", "replicas", "kubeconfig");
    }

    @Test
    void missingKeyNamesKeyAndSource() {
        StackOutputs outputs = StackOutputs.fromJson("{\"externalIp\": \"1.2.3.4\"}", "out.json");
        assertThatThrownBy(() -> outputs.require(StackOutputs.ENDPOINT))
                .isInstanceOf(CliException.class)
                .hasMessage("stack outputs from out.json have no 'endpoint' (outputs present: [externalIp])");
    }

    @Test
    void rejectsJsonThatIsNotAnObject() {
        assertThatThrownBy(() -> StackOutputs.fromJson("[1,2]", "stdin"))
                .hasMessage("stack outputs from stdin must be a JSON object of output names to values");
        assertThatThrownBy(() -> StackOutputs.fromJson("{not json", "stdin"))
                .hasMessageStartingWith("stack outputs from stdin are not valid JSON: ");
    }

    @Test
    void readsFileAndStdin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("outputs.json");
        Files.writeString(file, OUTPUTS);
        assertThat(StackOutputs.fromFile(file.toString(), null).source()).isEqualTo(file.toString());
        StackOutputs fromStdin = StackOutputs.fromFile("-", new ByteArrayInputStream(OUTPUTS.getBytes(StandardCharsets.UTF_8)));
        assertThat(fromStdin.require(StackOutputs.EXTERNAL_IP)).isEqualTo("34.1.2.3");
        assertThatThrownBy(() -> StackOutputs.fromFile(dir.resolve("nope.json").toString(), null))
                .hasMessage("--outputs file not found: " + dir.resolve("nope.json"));
    }

    @Test
    void bothStackAndOutputsIsAUsageError() {
        StackOutputsOptions options = new StackOutputsOptions();
        assertThatThrownBy(() -> new picocli.CommandLine(options).parseArgs("--stack", "dev", "--outputs", "x.json"))
                .isInstanceOf(picocli.CommandLine.MutuallyExclusiveArgsException.class)
                .hasMessage("Error: --stack=NAME, --outputs=FILE are mutually exclusive (specify only one)");
        assertThat(new StackOutputsOptions().resolve(null)).isEmpty();
    }
}
