package com.aiinference.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StubStatusTest {

    @Test
    void parsesNginxStubStatusPage() {
        String page = """
                Active connections: 2 \n\
                server accepts handled requests
                 16 16 31 \n\
                Reading: 0 Writing: 1 Waiting: 1 \n\
                """;
        assertThat(StubStatus.parse(page)).isEqualTo(new StubStatus(2, 16, 16, 31));
    }

    @Test
    void renderedPageParsesBack() {
        StubStatus s = new StubStatus(3, 120, 119, 4211);
        assertThat(StubStatus.parse(s.render(0, 3, 0))).isEqualTo(s);
    }

    @Test
    void rejectsSomethingElseNamingWhatItGot() {
        assertThatThrownBy(() -> StubStatus.parse("{\"kind\":\"Status\",\"code\":503}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an nginx stub_status page: '{\"kind\":\"Status\",\"code\":503}'");
    }
}
