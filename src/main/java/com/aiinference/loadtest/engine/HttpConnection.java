package com.aiinference.loadtest.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * One keep-alive HTTP/1.1 connection of the load test, the only handler of its Netty pipeline (after TLS, for https).
 * It carries one request at a time and reads the answer on the event loop as the bytes arrive: the answer's framing
 * (status, length or chunks, keep-alive) is read by a {@link ResponseFramer} off the received buffer itself, and
 * a streamed 200 answer is split into lines in a buffer that belongs to the connection and reused by every request
 * on it, and each line goes to the request's {@link AnswerParser} with the time its bytes were read. No per-stream
 * subscriber, no String per token, no hand-off to another thread.
 *
 * <p>Every method runs on the connection's event loop.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
    /** A line longer than this without a line break is not an NDJSON/SSE answer. */
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    /** Non-200 bodies are kept up to this size, for classifying ("server busy", "model ... not found"). */
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    /**
     * The request a connection carries, as the connection sees it: whether its answer streams, the parser that reads
     * it, and what happens when it ends (the one method each kind of request writes).
     */
    abstract static class Request {
        private final boolean stream;
        private final AnswerParser parser;

        Request(boolean stream, AnswerParser parser) {
            this.stream = stream;
            this.parser = parser;
        }

        /** Streamed answer expected (NDJSON / SSE lines). */
        final boolean stream() {
            return stream;
        }

        final AnswerParser parser() {
            return parser;
        }

        /** The answer ended (errorKey null: success) at endNanos; the connection has let go of this request. */
        abstract void ended(String errorKey, long endNanos);

        /** A whole answer with a status other than 200 arrived (called just before {@link #ended}); its body, cut. */
        void errorAnswer(int status, String body) {
            // the load test classifies by key only
        }
    }

    /** Where a connection goes back when its answer ended and the server keeps it open (null: never reused). */
    interface Pool {
        void release(HttpConnection c);

        void closed(HttpConnection c);
    }

    private final Pool pool;
    private Channel channel;
    private Request current;
    private byte[] buf = new byte[4096];
    private int len;
    private final ResponseFramer framer = new ResponseFramer();
    /** The buffer last sent from, and the duplicate of it that was written. */
    private ByteBuf sentFrom;
    private ByteBuf sent;
    private int status;
    private boolean lines;
    private boolean reused;

    HttpConnection(Pool pool) {
        this.pool = pool;
    }

    Channel channel() {
        return channel;
    }

    boolean isOpen() {
        return channel != null && channel.isActive();
    }

    /** Whether this connection carried a request before the current one (kept alive). */
    boolean reused() {
        return reused;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /**
     * Sends {@code r} on this connection, its bytes being {@code shared}'s readable bytes ({@code shared} itself is
     * not read: a duplicate of it is written); the answer ends in {@link Request#ended}.
     */
    void send(Request r, ByteBuf shared) {
        current = r;
        len = 0;
        status = 0;
        lines = false;
        framer.reset();
        channel.writeAndFlush(outgoing(shared), channel.voidPromise());
    }

    /**
     * A duplicate of {@code shared} to write. The one written last is reused when it is of the same buffer and went
     * out whole (an answer came, so its write ended): a closed loop sends the same bytes again and again on a
     * connection, with no object made per request.
     */
    private ByteBuf outgoing(ByteBuf shared) {
        if (sentFrom != shared || sent.isReadable()) {
            sentFrom = shared;
            sent = shared.duplicate();
        } else {
            sent.setIndex(shared.readerIndex(), shared.writerIndex());
        }
        return sent;
    }

    /**
     * The request gave up on its answer (timeout, stop): the connection is closed, since the rest of that answer
     * would still arrive on it.
     */
    void abandon(Request r) {
        if (current == r) {
            current = null;
            channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        try {
            if (current == null) {
                // Nothing asked for these bytes (an answer after its request gave up, or a server's unprompted
                // message on an idle connection): the connection cannot be trusted with another request.
                channel.close();
                return;
            }
            if (msg instanceof ByteBuf in) {
                read(in, now);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** One read's bytes: the framer's events, until the bytes are used up or the answer ends. */
    private void read(ByteBuf in, long now) {
        while (true) {
            switch (framer.next(in)) {
                case ResponseFramer.NEED_MORE -> {
                    return;
                }
                case ResponseFramer.HEAD -> {
                    status = framer.status();
                    lines = status == 200 && current.stream();
                }
                case ResponseFramer.CONTENT -> {
                    if (!content(in, framer.contentIndex(), framer.contentLength(), now)) {
                        return;
                    }
                }
                case ResponseFramer.END -> {
                    // Bytes past the answer's end were not asked for: the connection is not reused.
                    end(now, framer.keepAlive() && !in.isReadable());
                    return;
                }
                default -> {
                    fail(ErrorKind.BAD_RESPONSE.key(), now);
                    return;
                }
            }
        }
    }

    /** Takes body bytes {@code in[index, index + n)}; false once the request has ended (unusable answer). */
    private boolean content(ByteBuf in, int index, int n, long now) {
        if (!lines) {
            int limit = status == 200 ? MAX_LINE_BYTES : MAX_ERROR_BODY_BYTES;
            int keep = Math.min(n, limit - len);
            if (status == 200 && keep < n) {
                fail(ErrorKind.MALFORMED_BODY.key(), now);
                return false;
            }
            append(in, index, keep);
            return true;
        }
        if (len + n > MAX_LINE_BYTES) {
            fail(ErrorKind.MALFORMED_BODY.key(), now);
            return false;
        }
        int scanFrom = len;
        append(in, index, n);
        AnswerParser parser = current.parser();
        int start = 0;
        for (int i = scanFrom; i < len; i++) {
            if (buf[i] == '\n') {
                if (!parser.line(buf, start, i - start, now)) {
                    // Unusable answer: counted now, and the connection is dropped (the rest would still come on it).
                    fail(parser.failure.key(), now);
                    return false;
                }
                start = i + 1;
            }
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, len - start);
            len -= start;
        }
        return true;
    }

    private void append(ByteBuf in, int index, int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        in.getBytes(index, buf, len, n);
        len += n;
    }

    /** The answer's last byte arrived; {@code keepAlive}: the connection may carry another request. */
    private void end(long now, boolean keepAlive) {
        Request r = current;
        AnswerParser parser = r.parser();
        String error;
        long endNanos = now;
        if (status != 200) {
            String body = new String(buf, 0, len, StandardCharsets.UTF_8);
            error = LoadTestRunner.classifyStatus(status, body);
            r.errorAnswer(status, body);
        } else {
            if (lines) {
                if (len > 0) {
                    parser.line(buf, 0, len, now); // a last line without its line break
                }
            } else {
                parser.body(buf, 0, len, now);
            }
            if (parser.failure != null) {
                error = parser.failure.key();
            } else if (!parser.complete()) {
                error = ErrorKind.STREAM_CUT.key();
            } else {
                error = null;
                endNanos = parser.doneNanos > 0 ? parser.doneNanos : now;
            }
        }
        current = null;
        len = 0;
        if (buf.length > 64 * 1024) {
            buf = new byte[4096]; // one huge answer does not pin its buffer to the connection
        }
        if (keepAlive && error == null && pool != null && channel.isActive()) {
            reused = true;
            pool.release(this);
        } else if (keepAlive && status != 200 && pool != null && channel.isActive()) {
            // An error status with a complete body leaves the connection usable.
            reused = true;
            pool.release(this);
        } else {
            channel.close();
        }
        r.ended(error, endNanos);
    }

    private void fail(String errorKey, long now) {
        Request r = current;
        current = null;
        channel.close();
        r.ended(errorKey, now);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pool != null) {
            pool.closed(this);
        }
        if (current != null) {
            long now = System.nanoTime();
            if (framer.closeEndsAnswer()) {
                end(now, false); // a body without a length ends at the close
            } else {
                // The peer closed: inside an answer that had started it is a cut stream, before it a dropped
                // connection.
                fail(framer.headSeen() ? ErrorKind.STREAM_CUT.key() : ErrorKind.CONNECTION_RESET.key(), now);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (current != null) {
            fail(classify(cause, framer.headSeen()).key(), System.nanoTime());
        } else {
            ctx.close();
        }
    }

    /** The error kind of a failed connect, read or write. */
    static ErrorKind classify(Throwable cause, boolean answerStarted) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof io.netty.channel.ConnectTimeoutException) {
            return ErrorKind.TIMEOUT;
        }
        if (t instanceof ConnectException) {
            return ErrorKind.CONNECTION_REFUSED;
        }
        if (t instanceof SSLException) {
            return ErrorKind.CONNECTION_ERROR;
        }
        if (t instanceof ClosedChannelException) {
            return answerStarted ? ErrorKind.STREAM_CUT : ErrorKind.CONNECTION_RESET;
        }
        if (t instanceof IOException) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("reset") || m.contains("broken pipe")) {
                return ErrorKind.CONNECTION_RESET;
            }
        }
        return ErrorKind.CONNECTION_ERROR;
    }
}
