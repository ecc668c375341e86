package com.aiinference.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.aiinference.Main;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Text from a server reaches the operator's terminal with its control characters escaped: a hostile endpoint whose
 * error body sets the window title and clears the screen is printed as visible escapes, through the real entry point.
 */
class TerminalSafetyTest {

    @Test
    void aHostileErrorBodyCannotRetitleOrClearTheTerminal() throws Exception {
        String hostile = "\u001b]0;owned\u0007\u001b[2J\u009bnope";
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = hostile.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int code = Main.execute("loadtest", "--url", "http://127.0.0.1:" + server.getAddress().getPort()
                    + "/api/generate", "--users", "1", "--duration", "1s", "--quiet");
            assertThat(code).isEqualTo(2);
        } finally {
            System.setErr(err);
            server.stop(0);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("\\x1b]0;owned\\x07\\x1b[2J\\x9bnope");
        assertThat(printed.chars().filter(TerminalSafeWriter::unsafe).count()).isZero();
    }

    @Test
    void theWriterPassesLineBreaksAndTabsAndEscapesTheRest() throws Exception {
        StringWriter out = new StringWriter();
        try (TerminalSafeWriter w = new TerminalSafeWriter(out)) {
            w.write("a\tb\r\nc\u0000d\u007f");
        }
        assertThat(out.toString()).isEqualTo("a\tb\r\nc\\x00d\\x7f");
    }
}
