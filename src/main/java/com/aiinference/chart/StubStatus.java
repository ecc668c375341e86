package com.aiinference.chart;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx {@code stub_status} output, as the chart's gateway serves it on container port 8081:
 * <pre>
 * Active connections: 2
 * server accepts handled requests
 *  16 16 31
 * Reading: 0 Writing: 1 Waiting: 1
 * </pre>
 * {@code requests} counts every client request, including the stub_status request that reads it.
 */
public record StubStatus(long active, long accepts, long handled, long requests) {
    private static final Pattern ACTIVE = Pattern.compile("Active connections:\\s*(\\d+)");
    private static final Pattern COUNTERS = Pattern.compile(
            "server accepts handled requests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");

    /** Parses the page; anything else (an HTML error page, a JSON list) is rejected with what it started with. */
    public static StubStatus parse(String body) {
        if (body == null) {
            throw new IllegalArgumentException("empty stub_status answer");
        }
        Matcher c = COUNTERS.matcher(body);
        Matcher a = ACTIVE.matcher(body);
        if (!c.find() || !a.find()) {
            String head = body.strip();
            head = head.length() > 40 ? head.substring(0, 40) + "..." : head;
            throw new IllegalArgumentException("not an nginx stub_status page: '" + head.replace('\n', ' ') + "'");
        }
        return new StubStatus(Long.parseLong(a.group(1)), Long.parseLong(c.group(1)),
                Long.parseLong(c.group(2)), Long.parseLong(c.group(3)));
    }

    private static final Pattern WRITING = Pattern.compile("Writing:\\s*(\\d+)");

    /**
     * Requests nginx is serving at this moment ({@code Writing}: from the request's headers read to its answer's end,
     * streams included), the stub_status request that reads it among them; idle keep-alive connections are not counted.
     */
    public static long writing(String body) {
        Matcher w = WRITING.matcher(body == null ? "" : body);
        if (!w.find()) {
            throw new IllegalArgumentException("stub_status page without a 'Writing:' count");
        }
        return Long.parseLong(w.group(1));
    }

    /** Renders the page the way nginx does (used by the simulated gateway). */
    public String render(long reading, long writing, long waiting) {
        return "Active connections: " + active + " \n"
                + "server accepts handled requests\n"
                + " " + accepts + " " + handled + " " + requests + " \n"
                + "Reading: " + reading + " Writing: " + writing + " Waiting: " + waiting + " \n";
    }
}
