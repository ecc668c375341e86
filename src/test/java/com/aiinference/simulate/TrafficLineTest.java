package com.aiinference.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The "requests per replica" line: client requests that add up to the total, stub_status scrapes apart. */
@Timeout(30)
class TrafficLineTest {

    @Test
    void perReplicaClientRequestsSumToTheTotalAndScrapesAreCountedApart() throws Exception {
        try (SimulatedEngine a = SimulatedEngine.start(SimulatedEngineConfig.defaults().withSeed(1));
                SimulatedEngine b = SimulatedEngine.start(SimulatedEngineConfig.defaults().withSeed(2));
                RoundRobinFront front = RoundRobinFront.start(List.of(a.baseUri(), b.baseUri()), 0)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(front.baseUri().resolve(URI.create("/api/tags")))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            // verify's scrapes reach the gateways through the pod proxy, not the front
            front.backends().get(0).countDirect();
            front.backends().get(1).countDirect();
            front.backends().get(1).countDirect();

            assertThat(SimulateClusterCommand.trafficLine(front))
                    .isEqualTo("requests per replica: 3 2 (total 5; 3 stub_status scrapes besides, counted by the gateways)");
            assertThat(front.backends()).extracting(RoundRobinFront.Backend::requests).containsExactly(4L, 4L);
        }
    }
}
