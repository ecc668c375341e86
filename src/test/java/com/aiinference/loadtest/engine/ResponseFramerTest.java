package com.aiinference.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load test's own HTTP/1.1 response framing: every answer shape a server may send, cut at every byte, and what
 * the connection makes of the ends (reuse, close, cut, malformed).
 */
class ResponseFramerTest {
    private static final String BODY = "{\"response\":\"hi\",\"done\":true}";

    /** What the framer reported for a whole answer fed in pieces. */
    record Read(int status, boolean keepAlive, String content, boolean ended, String problem, int leftover,
                boolean closeEnds) {}

    private static Read feed(String answer, int... cuts) {
        byte[] all = answer.getBytes(StandardCharsets.ISO_8859_1);
        ResponseFramer f = new ResponseFramer();
        f.reset();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int status = 0;
        boolean keepAlive = false;
        boolean ended = false;
        String problem = null;
        int leftover = 0;
        int from = 0;
        List<Integer> ends = new ArrayList<>();
        for (int c : cuts) {
            ends.add(c);
        }
        ends.add(all.length);
        pieces:
        for (int to : ends) {
            ByteBuf in = Unpooled.wrappedBuffer(all, from, to - from);
            from = to;
            while (true) {
                int e = f.next(in);
                if (e == ResponseFramer.NEED_MORE) {
                    assertThat(in.isReadable()).as("NEED_MORE leaves nothing unread").isFalse();
                    break;
                } else if (e == ResponseFramer.HEAD) {
                    status = f.status();
                    keepAlive = f.keepAlive();
                } else if (e == ResponseFramer.CONTENT) {
                    byte[] b = new byte[f.contentLength()];
                    in.getBytes(f.contentIndex(), b);
                    content.writeBytes(b);
                } else if (e == ResponseFramer.END) {
                    ended = true;
                    leftover = in.readableBytes() + (all.length - from);
                    break pieces;
                } else {
                    problem = f.problem();
                    break pieces;
                }
            }
        }
        return new Read(status, keepAlive, content.toString(StandardCharsets.ISO_8859_1), ended, problem, leftover,
                f.closeEndsAnswer());
    }

    /** The same answer read whole, in two pieces cut at every byte, and one byte at a time, reads alike. */
    private static Read feedEveryWay(String answer) {
        Read whole = feed(answer);
        for (int cut = 1; cut < answer.length(); cut++) {
            assertThat(feed(answer, cut)).as("cut at byte %d", cut).isEqualTo(whole);
        }
        int[] bytes = new int[answer.length() - 1];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = i + 1;
        }
        assertThat(feed(answer, bytes)).as("one byte at a time").isEqualTo(whole);
        return whole;
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    @Test
    void contentLengthAnswerReadsExactlyItsBody() {
        Read r = feedEveryWay("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + BODY.length()
                + "\r\n\r\n" + BODY);
        assertThat(r).isEqualTo(new Read(200, true, BODY, true, null, 0, false));
    }

    @Test
    void chunkedAnswerWithExtensionsAndTrailersReadsItsData() {
        String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("data: {\"a\":1}\n\n")
                + "5;name=value\r\nhello\r\n" + chunk("x") + "0\r\nX-Trailer: yes\r\n\r\n";
        Read r = feedEveryWay(answer);
        assertThat(r).isEqualTo(new Read(200, true, "data: {\"a\":1}\n\nhellox", true, null, 0, false));
    }

    @Test
    void bareLineFeedsUpperCaseHexAndHeaderCaseAreAccepted() {
        String data = "0123456789abcdef0123456789";
        Read r = feedEveryWay("HTTP/1.1 200 OK\nTRANSFER-ENCODING: Chunked\n\n1A\n" + data + "\n0\n\n");
        assertThat(r).isEqualTo(new Read(200, true, data, true, null, 0, false));
    }

    @Test
    void interimAnswersAndLeadingEmptyLinesAreSkipped() {
        Read r = feedEveryWay("\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(r).isEqualTo(new Read(200, true, "ok", true, null, 0, false));
    }

    @Test
    void connectionHeaderAndVersionDecideKeepAlive() {
        assertThat(feed("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n").keepAlive()).isFalse();
        assertThat(feed("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n").keepAlive()).isFalse();
        assertThat(feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive()).isFalse();
        assertThat(feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keepAlive()).isTrue();
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive()).isTrue();
    }

    @Test
    void aBodyWithoutLengthRunsToTheClose() {
        Read r = feedEveryWay("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + BODY);
        assertThat(r).isEqualTo(new Read(200, false, BODY, false, null, 0, true));
        // A coding other than chunked last frames nothing either.
        Read gz = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzz");
        assertThat(gz).isEqualTo(new Read(200, false, "zz", false, null, 0, true));
    }

    @Test
    void answersWithoutBodyEndAtTheirHead() {
        assertThat(feed("HTTP/1.1 204 No Content\r\n\r\n")).isEqualTo(new Read(204, true, "", true, null, 0, false));
        assertThat(feed("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))
                .isEqualTo(new Read(503, true, "", true, null, 0, false));
    }

    @Test
    void equalContentLengthsAreOneAndChunkedWinsOverALength() {
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok").content()).isEqualTo("ok");
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("ok")
                + "0\r\n\r\n").content()).isEqualTo("ok");
        // Obsolete folding continues the previous header's value.
        assertThat(feed("HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\nContent-Length: 0\r\n\r\n").keepAlive())
                .isFalse();
    }

    @Test
    void bytesPastTheEndAreLeftUnread() {
        Read r = feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n");
        assertThat(r.ended()).isTrue();
        assertThat(r.content()).isEqualTo("ok");
        assertThat(r.leftover()).isEqualTo("HTTP/1.1 200 OK\r\n".length());
    }

    @Test
    void malformedAnswersSayWhatIsWrong() {
        assertThat(feed("hello world\r\n\r\n").problem()).isEqualTo("not an HTTP/1.x status line");
        assertThat(feed("HTTP/2 200\r\n\r\n").problem()).isEqualTo("not an HTTP/1.x status line");
        assertThat(feed("HTTP/1.1 2x0 OK\r\n\r\n").problem()).isEqualTo("no three-digit status code");
        assertThat(feed("HTTP/1.1 2000 OK\r\n\r\n").problem()).isEqualTo("no three-digit status code");
        assertThat(feed("HTTP/1.1 101 Switching Protocols\r\n\r\n").problem())
                .isEqualTo("status 101 is not an answer to a POST");
        assertThat(feed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").problem())
                .isEqualTo("a header line without a name and a colon");
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok").problem())
                .isEqualTo("conflicting Content-Length values");
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").problem())
                .isEqualTo("Content-Length is not a number");
        assertThat(feed("HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n").problem())
                .isEqualTo("Content-Length is not a number");
        assertThat(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").problem())
                .isEqualTo("bad chunk size");
        assertThat(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n").problem())
                .isEqualTo("bad chunk size");
        assertThat(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n0\r\n\r\n").problem())
                .isEqualTo("chunk longer than its size");
        assertThat(feed("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(ResponseFramer.MAX_HEAD_BYTES) + "\r\n\r\n").problem())
                .isEqualTo("status line and headers longer than " + ResponseFramer.MAX_HEAD_BYTES + " bytes");
        assertThat(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(5000) + "\r\n").problem())
                .isEqualTo("a chunk-size or trailer line longer than " + ResponseFramer.MAX_LINE_BYTES + " bytes");
    }

    @Test
    void aFramerIsReusedForTheNextAnswerAfterReset() {
        ResponseFramer f = new ResponseFramer();
        f.reset();
        assertThat(f.next(bytes("HTTP/1.1 404 Not Found\r\nX: " + "y".repeat(6000) + "\r\nContent-Length: 0\r\n\r\n")))
                .isEqualTo(ResponseFramer.HEAD);
        f.reset();
        ByteBuf next = bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(f.next(next)).isEqualTo(ResponseFramer.HEAD);
        assertThat(f.status()).isEqualTo(200);
        assertThat(f.next(next)).isEqualTo(ResponseFramer.CONTENT);
        assertThat(f.next(next)).isEqualTo(ResponseFramer.END);
        assertThat(f.next(next)).as("nothing after the end until reset").isEqualTo(ResponseFramer.NEED_MORE);
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    // ---------------------------------------------------------------- what the connection makes of the ends

    /** A connection in an embedded channel, with what its pool and its request saw. */
    private static final class Conn {
        final List<String> pool = new ArrayList<>();
        final List<String> ended = new ArrayList<>();
        final HttpConnection connection = new HttpConnection(new HttpConnection.Pool() {
            @Override
            public void release(HttpConnection c) {
                pool.add("released");
            }

            @Override
            public void closed(HttpConnection c) {
                pool.add("closed");
            }
        });
        final EmbeddedChannel channel = new EmbeddedChannel(connection);

        Conn send(boolean stream) {
            connection.send(new HttpConnection.Request(stream, new AnswerParser(Api.OLLAMA)) {
                @Override
                void ended(String errorKey, long endNanos) {
                    ended.add(errorKey == null ? "ok" : errorKey);
                }
            }, Unpooled.EMPTY_BUFFER);
            channel.releaseOutbound();
            return this;
        }

        Conn receive(String s) {
            channel.writeInbound(bytes(s));
            return this;
        }
    }

    @Test
    void aWholeAnswerFreesTheConnectionForTheNextRequest() {
        Conn c = new Conn().send(false).receive("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY);
        assertThat(c.ended).containsExactly("ok");
        assertThat(c.pool).containsExactly("released");
        assertThat(c.channel.isActive()).isTrue();
        c.send(true).receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("{\"response\":\"a\",\"done\":false}\n")
                + chunk(BODY + "\n") + "0\r\n\r\n");
        assertThat(c.ended).containsExactly("ok", "ok");
        assertThat(c.connection.reused()).isTrue();
    }

    @Test
    void bytesPastTheAnswerOrUnaskedBytesCloseTheConnection() {
        Conn past = new Conn().send(false).receive("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n"
                + BODY + "junk");
        assertThat(past.ended).containsExactly("ok");
        assertThat(past.pool).containsExactly("closed");
        assertThat(past.channel.isActive()).isFalse();

        Conn unasked = new Conn().send(false).receive("HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length() + "\r\n\r\n"
                + BODY);
        unasked.receive("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
        assertThat(unasked.channel.isActive()).isFalse();
        assertThat(unasked.ended).containsExactly("ok");
    }

    @Test
    void theCloseEndsAnUnframedBodyAndCutsAFramedOne() {
        Conn unframed = new Conn().send(false).receive("HTTP/1.0 200 OK\r\n\r\n" + BODY);
        assertThat(unframed.ended).isEmpty();
        unframed.channel.close();
        assertThat(unframed.ended).containsExactly("ok");

        Conn cut = new Conn().send(false).receive("HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n" + BODY);
        cut.channel.close();
        assertThat(cut.ended).containsExactly(ErrorKind.STREAM_CUT.key());

        Conn early = new Conn().send(false).receive("HTTP/1.1 200 OK\r\nContent-");
        early.channel.close();
        assertThat(early.ended).as("closed before the head was whole").containsExactly(ErrorKind.CONNECTION_RESET.key());
    }

    @Test
    void aMalformedAnswerIsABadResponseNotAConnectionFailureAndClosesTheConnection() {
        Conn c = new Conn().send(false).receive("SSH-2.0-OpenSSH_9.6\r\n\r\n");
        assertThat(c.ended).containsExactly(ErrorKind.BAD_RESPONSE.key());
        assertThat(c.channel.isActive()).isFalse();
        Conn upgrade = new Conn().send(false).receive("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
        assertThat(upgrade.ended).containsExactly(ErrorKind.BAD_RESPONSE.key());
        Conn huge = new Conn().send(false).receive("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(200_000) + "\r\n\r\n");
        assertThat(huge.ended).containsExactly(ErrorKind.BAD_RESPONSE.key());
    }

    @Test
    void anErrorStatusWithAWholeBodyKeepsTheConnection() {
        String busy = "{\"error\":\"server busy, please try again\"}";
        Conn c = new Conn().send(false).receive("HTTP/1.1 503 Service Unavailable\r\nContent-Length: " + busy.length()
                + "\r\n\r\n" + busy);
        assertThat(c.ended).containsExactly(ErrorKind.SERVER_BUSY.key());
        assertThat(c.pool).containsExactly("released");
    }
}
