package com.aiinference.loadtest.engine;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Reads the framing of one HTTP/1.1 answer straight off the bytes a connection receives: the status line, the three
 * headers the load test acts on (Content-Length, Transfer-Encoding, Connection), and where the body's bytes are
 * (fixed length, chunked, or up to the close). Nothing else of the answer becomes an object: no header map, no
 * message per chunk, no copy of the body. The caller pulls events ({@link #next}) and reads the body's bytes where
 * they already are.
 *
 * <p>What it accepts is what a lenient client accepts (RFC 9112): lines ending in CRLF or a bare LF, empty lines
 * before the status line, interim 1xx answers (skipped), chunk extensions and trailers (ignored), a list of equal
 * Content-Length values, obsolete header folding. What it refuses ({@link #MALFORMED}, with {@link #problem()}): a
 * status line that is not {@code HTTP/1.x NNN}, status 101, a header line without a colon, conflicting or non-numeric
 * Content-Length, a bad chunk size or chunk end, a head over {@link #MAX_HEAD_BYTES} or a chunk-size or trailer line
 * over {@link #MAX_LINE_BYTES}. Not thread-safe: one connection's event loop.
 */
final class ResponseFramer {
    /** The status line and headers together (the two limits the Netty decoder this replaces was given, added). */
    static final int MAX_HEAD_BYTES = 4096 + 16 * 1024;
    /** A chunk-size line or one trailer line. */
    static final int MAX_LINE_BYTES = 4096;

    /** The bytes given are used up; call again with the next read. */
    static final int NEED_MORE = 0;
    /** The final head was read: {@link #status()} and {@link #keepAlive()} are set. */
    static final int HEAD = 1;
    /** Body bytes at {@link #contentIndex()}, {@link #contentLength()} long; the buffer's reader index is past them. */
    static final int CONTENT = 2;
    /** The answer ended; bytes still readable in the buffer are not part of it. */
    static final int END = 3;
    /** The bytes are not an HTTP/1.x answer ({@link #problem()} says why); nothing more can be read on the connection. */
    static final int MALFORMED = 4;

    private static final int S_HEAD = 0;
    private static final int S_FIXED = 1;
    private static final int S_CHUNK_SIZE = 2;
    private static final int S_CHUNK_DATA = 3;
    private static final int S_CHUNK_END = 4;
    private static final int S_TRAILERS = 5;
    private static final int S_UNTIL_CLOSE = 6;
    private static final int S_DONE = 7;
    /** After END or MALFORMED: nothing more is read until {@link #reset}. */
    private static final int S_ENDED = 8;

    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    private static final int H_OTHER = 0;
    private static final int H_LENGTH = 1;
    private static final int H_ENCODING = 2;
    private static final int H_CONNECTION = 3;

    private int state;
    private byte[] head = new byte[512];
    private int headLen;
    /** A chunk-size or trailer line; grows (up to {@link #MAX_LINE_BYTES}) only for a long one. */
    private byte[] line = new byte[64];
    private int lineLen;
    private long remaining;
    private int status;
    private boolean keepAlive;
    private boolean headSeen;
    private int contentIndex;
    private int contentLength;
    private String problem;
    // Header facts of the head being read.
    private boolean http10;
    private long length;
    private boolean chunked;
    private boolean encoded;
    private boolean connectionClose;
    private boolean connectionKeepAlive;

    /** Ready for the next answer on the connection. */
    void reset() {
        state = S_HEAD;
        headLen = 0;
        lineLen = 0;
        status = 0;
        keepAlive = true;
        headSeen = false;
        problem = null;
        if (head.length > 4096) {
            head = new byte[512]; // one huge head does not pin its buffer to the connection
        }
        if (line.length > 256) {
            line = new byte[64];
        }
    }

    int status() {
        return status;
    }

    /** Whether the server keeps the connection open after this answer. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** The final head has been read (the answer has started). */
    boolean headSeen() {
        return headSeen;
    }

    int contentIndex() {
        return contentIndex;
    }

    int contentLength() {
        return contentLength;
    }

    /** Why the bytes were {@link #MALFORMED}. */
    String problem() {
        return problem;
    }

    /**
     * The connection closed with no more bytes: true when that ends the answer (a body framed by the close),
     * false when the answer was cut.
     */
    boolean closeEndsAnswer() {
        return state == S_UNTIL_CLOSE;
    }

    /** The next event from {@code in}, consuming what it reads (for {@link #CONTENT}: up to the content's end). */
    int next(ByteBuf in) {
        while (true) {
            switch (state) {
                case S_HEAD -> {
                    int e = readHead(in);
                    if (e != HEAD) {
                        return e;
                    }
                    if (status < 200) {
                        headLen = 0; // an interim answer (100 Continue, 103 Early Hints): the real one follows
                        continue;
                    }
                    headSeen = true;
                    return HEAD;
                }
                case S_FIXED, S_CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    if (n == 0) {
                        return NEED_MORE;
                    }
                    contentIndex = in.readerIndex();
                    contentLength = n;
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = state == S_FIXED ? S_DONE : S_CHUNK_END;
                    }
                    return CONTENT;
                }
                case S_UNTIL_CLOSE -> {
                    int n = in.readableBytes();
                    if (n == 0) {
                        return NEED_MORE;
                    }
                    contentIndex = in.readerIndex();
                    contentLength = n;
                    in.skipBytes(n);
                    return CONTENT;
                }
                case S_CHUNK_SIZE -> {
                    int e = readLine(in);
                    if (e != END) {
                        return e;
                    }
                    long size = chunkSize();
                    if (size < 0) {
                        return malformed("bad chunk size");
                    }
                    remaining = size;
                    state = size == 0 ? S_TRAILERS : S_CHUNK_DATA;
                }
                case S_CHUNK_END -> {
                    int e = readLine(in);
                    if (e != END) {
                        return e;
                    }
                    if (!emptyLine()) {
                        return malformed("chunk longer than its size");
                    }
                    state = S_CHUNK_SIZE;
                }
                case S_TRAILERS -> {
                    int e = readLine(in);
                    if (e != END) {
                        return e;
                    }
                    if (emptyLine()) {
                        state = S_DONE; // the trailers' end (trailer fields are not read)
                    }
                }
                case S_DONE -> {
                    state = S_ENDED;
                    return END;
                }
                default -> {
                    return NEED_MORE; // after END or MALFORMED
                }
            }
        }
    }

    private int malformed(String why) {
        problem = why;
        state = S_ENDED;
        return MALFORMED;
    }

    /** {@link #malformed} for the head's readers, which answer whether the head is usable: always false. */
    private boolean refused(String why) {
        malformed(why);
        return false;
    }

    /**
     * Gathers the head up to its empty line (CRLF CRLF or LF LF) and reads it; consumes only the head's bytes.
     * Returns HEAD, NEED_MORE or MALFORMED.
     */
    private int readHead(ByteBuf in) {
        int available = in.readableBytes();
        if (available == 0) {
            return NEED_MORE;
        }
        if (headLen == 0) {
            // Empty lines before the status line are skipped (RFC 9112 2.2).
            int i = in.readerIndex();
            int end = in.writerIndex();
            while (i < end && (in.getByte(i) == '\r' || in.getByte(i) == '\n')) {
                i++;
            }
            in.readerIndex(i);
            available = end - i;
            if (available == 0) {
                return NEED_MORE;
            }
        }
        int take = Math.min(available, MAX_HEAD_BYTES - headLen);
        if (headLen + take > head.length) {
            head = java.util.Arrays.copyOf(head, Math.min(MAX_HEAD_BYTES, Math.max(head.length * 2, headLen + take)));
        }
        in.getBytes(in.readerIndex(), head, headLen, take);
        int from = Math.max(0, headLen - 3);
        int total = headLen + take;
        int headEnd = -1;
        for (int i = from; i < total; i++) {
            if (head[i] == '\n' && ((i >= 1 && head[i - 1] == '\n')
                    || (i >= 2 && head[i - 1] == '\r' && head[i - 2] == '\n'))) {
                headEnd = i + 1;
                break;
            }
        }
        if (headEnd < 0) {
            if (total >= MAX_HEAD_BYTES) {
                return malformed("status line and headers longer than " + MAX_HEAD_BYTES + " bytes");
            }
            in.skipBytes(take);
            headLen = total;
            return NEED_MORE;
        }
        in.skipBytes(headEnd - headLen);
        headLen = headEnd;
        return parseHead() ? HEAD : MALFORMED;
    }

    /** Reads the gathered head: status line, then header lines. Sets status, keep-alive and the body's framing. */
    private boolean parseHead() {
        int lineEnd = lineEnd(0);
        // HTTP/1.x SP NNN [SP reason]
        if (lineEnd < 12 || head[0] != 'H' || head[1] != 'T' || head[2] != 'T' || head[3] != 'P' || head[4] != '/'
                || head[5] != '1' || head[6] != '.' || !digit(head[7]) || head[8] != ' ') {
            return refused("not an HTTP/1.x status line");
        }
        int i = 9;
        while (i < lineEnd && head[i] == ' ') {
            i++;
        }
        if (i + 3 > lineEnd || !digit(head[i]) || !digit(head[i + 1]) || !digit(head[i + 2])
                || (i + 3 < lineEnd && head[i + 3] != ' ' && head[i + 3] != '\t')) {
            return refused("no three-digit status code");
        }
        status = (head[i] - '0') * 100 + (head[i + 1] - '0') * 10 + (head[i + 2] - '0');
        if (status < 100 || status == 101) {
            return refused("status " + status + " is not an answer to a POST");
        }
        http10 = head[7] == '0';
        length = -1;
        chunked = false;
        encoded = false;
        connectionClose = false;
        connectionKeepAlive = false;
        int kind = H_OTHER;
        int start = next(lineEnd);
        while (start < headLen) {
            int end = lineEnd(start);
            if (end == start) {
                break; // the empty line
            }
            if (head[start] == ' ' || head[start] == '\t') {
                // Obsolete folding: more of the previous header's value.
                if (!headerValue(kind, start, end)) {
                    return false;
                }
            } else {
                int colon = start;
                while (colon < end && head[colon] != ':') {
                    colon++;
                }
                if (colon == end || colon == start) {
                    return refused("a header line without a name and a colon");
                }
                kind = headerKind(start, colon);
                if (!headerValue(kind, colon + 1, end)) {
                    return false;
                }
            }
            start = next(end);
        }
        keepAlive = http10 ? connectionKeepAlive && !connectionClose : !connectionClose;
        if (status < 200) {
            return true;
        }
        if (status == 204 || status == 304) {
            state = S_DONE;
        } else if (chunked) {
            state = S_CHUNK_SIZE;
        } else if (encoded) {
            state = S_UNTIL_CLOSE; // a coding other than chunked last: the body runs to the close (RFC 9112 6.3)
            keepAlive = false;
        } else if (length >= 0) {
            remaining = length;
            state = length == 0 ? S_DONE : S_FIXED;
        } else {
            state = S_UNTIL_CLOSE;
            keepAlive = false;
        }
        return true;
    }

    /** Index of the end of the line starting at {@code from} (its CR or LF). */
    private int lineEnd(int from) {
        int i = from;
        while (i < headLen && head[i] != '\n') {
            i++;
        }
        return i > from && head[i - 1] == '\r' ? i - 1 : i;
    }

    /** Start of the line after the one ending at {@code end}. */
    private int next(int end) {
        return head[end] == '\r' ? end + 2 : end + 1;
    }

    private int headerKind(int start, int colon) {
        int n = colon - start;
        if (n == CONTENT_LENGTH.length && same(start, n, CONTENT_LENGTH)) {
            return H_LENGTH;
        }
        if (n == TRANSFER_ENCODING.length && same(start, n, TRANSFER_ENCODING)) {
            return H_ENCODING;
        }
        if (n == CONNECTION.length && same(start, n, CONNECTION)) {
            return H_CONNECTION;
        }
        return H_OTHER;
    }

    /**
     * Whether {@code head[start, start + n)} is {@code lower} (lower-case letters and '-') in any case: setting bit
     * 0x20 lower-cases an ASCII letter and leaves '-' as it is, and no other byte becomes a letter or '-' that way
     * except ones a header name cannot hold.
     */
    private boolean same(int start, int n, byte[] lower) {
        if (n != lower.length) {
            return false;
        }
        byte[] h = head;
        for (int k = 0; k < n; k++) {
            if ((h[start + k] | 0x20) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** One header's value in {@code head[from, end)}: its comma-separated elements, each trimmed. */
    private boolean headerValue(int kind, int from, int end) {
        if (kind == H_OTHER) {
            return true;
        }
        int i = from;
        while (i <= end) {
            int e = i;
            while (e < end && head[e] != ',') {
                e++;
            }
            int s = i;
            int t = e;
            while (s < t && (head[s] == ' ' || head[s] == '\t')) {
                s++;
            }
            while (t > s && (head[t - 1] == ' ' || head[t - 1] == '\t')) {
                t--;
            }
            if (!element(kind, s, t)) {
                return false;
            }
            i = e + 1;
        }
        return true;
    }

    private boolean element(int kind, int s, int t) {
        switch (kind) {
            case H_LENGTH -> {
                if (s == t || t - s > 18) {
                    return refused("Content-Length is not a number");
                }
                long v = 0;
                for (int k = s; k < t; k++) {
                    if (!digit(head[k])) {
                        return refused("Content-Length is not a number");
                    }
                    v = v * 10 + (head[k] - '0');
                }
                if (length >= 0 && length != v) {
                    return refused("conflicting Content-Length values");
                }
                length = v;
            }
            case H_ENCODING -> {
                if (s < t) {
                    encoded = true;
                    // Only the last coding frames the body.
                    chunked = same(s, t - s, CHUNKED);
                }
            }
            case H_CONNECTION -> {
                if (same(s, t - s, CLOSE)) {
                    connectionClose = true;
                } else if (same(s, t - s, KEEP_ALIVE)) {
                    connectionKeepAlive = true;
                }
            }
            default -> {
                // not read
            }
        }
        return true;
    }

    /**
     * Gathers one line (chunk size, chunk end, trailer) into {@link #line} without its line break. Returns END when
     * the line is whole, NEED_MORE or MALFORMED.
     */
    private int readLine(ByteBuf in) {
        int from = in.readerIndex();
        int lf = in.forEachByte(ByteProcessor.FIND_LF);
        int end = lf < 0 ? in.writerIndex() : lf;
        int n = end - from;
        if (lineLen + n > MAX_LINE_BYTES) {
            return malformed("a chunk-size or trailer line longer than " + MAX_LINE_BYTES + " bytes");
        }
        if (lineLen + n > line.length) {
            line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, Math.max(line.length * 2, lineLen + n)));
        }
        in.getBytes(from, line, lineLen, n);
        lineLen += n;
        if (lf < 0) {
            in.readerIndex(end);
            return NEED_MORE;
        }
        in.readerIndex(lf + 1);
        if (lineLen > 0 && line[lineLen - 1] == '\r') {
            lineLen--;
        }
        return END; // line[0, lineLen): the caller reads it and empties it
    }

    /** Whether the whole line read was empty; empties it for the next. */
    private boolean emptyLine() {
        boolean empty = lineLen == 0;
        lineLen = 0;
        return empty;
    }

    /** The chunk size in {@link #line} (hex, then optional extensions after ';'), or -1. */
    private long chunkSize() {
        int n = lineLen;
        lineLen = 0;
        long size = 0;
        int i = 0;
        while (i < n && hex(line[i]) >= 0) {
            if (i >= 15) {
                return -1;
            }
            size = size * 16 + hex(line[i]);
            i++;
        }
        if (i == 0) {
            return -1;
        }
        while (i < n && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        return i == n || line[i] == ';' ? size : -1;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
