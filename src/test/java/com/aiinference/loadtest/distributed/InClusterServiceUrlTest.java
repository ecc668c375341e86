package com.aiinference.loadtest.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aiinference.cli.CliException;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The URL in-cluster workers load: the Service's cluster name over plain HTTP, or a clear refusal for HTTPS only. */
class InClusterServiceUrlTest {
    @Test
    void thePlainEndpointBecomesTheServicesClusterName() {
        assertThat(InClusterOptions.serviceUrl("ai-inference", "ai-inference", URI.create("http://203.0.113.7:8000/api/generate")))
                .hasToString("http://ai-inference.ai-inference.svc.cluster.local:8000/api/generate");
    }

    @Test
    void anHttpsOnlyEndpointIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> InClusterOptions.serviceUrl("ai-inference", "ai-inference",
                URI.create("https://203.0.113.7/api/generate")))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("--in-cluster needs plain HTTP on the Service, but the endpoint"
                        + " https://203.0.113.7/api/generate is HTTPS only");
    }
}
