package com.aiinference.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Everything the command line prints passes through this: control characters other than line feed, carriage return
 * and tab are written as visible escapes ({@code \x1b}), so text that came from a server (an error body, a model or
 * pod name, an event message) cannot retitle, clear or rewrite the operator's terminal. JSON output is not changed:
 * Jackson already escapes control characters inside strings.
 */
public final class TerminalSafeWriter extends FilterWriter {

    public TerminalSafeWriter(Writer out) {
        super(out);
    }

    static boolean unsafe(int c) {
        return (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || (c >= 0x7f && c <= 0x9f);
    }

    @Override
    public void write(int c) throws IOException {
        if (unsafe(c)) {
            out.write(String.format("\\x%02x", c));
        } else {
            out.write(c);
        }
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (unsafe(cbuf[i])) {
                out.write(cbuf, start, i - start);
                write(cbuf[i]);
                start = i + 1;
            }
        }
        out.write(cbuf, start, off + len - start);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        write(str.toCharArray(), off, len);
    }
}
