package com.aiinference.loadtest.engine;

/**
 * Why a request failed. Every request sent ends as a success or as exactly one of these, so the counts add up
 * to the requests sent. Names are the keys of {@code "errors"} in the JSON report ({@code http_<status>} for
 * other HTTP statuses is added by {@link #httpStatusKey(int)}).
 */
public enum ErrorKind {
    /** 503 with Ollama's "server busy ... maximum pending requests exceeded" (its queue is full). */
    SERVER_BUSY("server_busy_503"),
    /** 404 naming the model: the model is not pulled on that server. */
    MODEL_NOT_FOUND("model_not_found_404"),
    /** Any other non-200 status; reported as {@code http_<status>}. */
    HTTP_STATUS("http_status"),
    /** No complete answer within {@code --timeout} (headers or the whole stream). */
    TIMEOUT("timeout"),
    /** Nothing listens there (TCP connect refused). */
    CONNECTION_REFUSED("connection_refused"),
    /** The connection was reset or closed before the answer started or in the middle of it. */
    CONNECTION_RESET("connection_reset"),
    /** The stream ended cleanly but without its final line ({@code done: true} / {@code data: [DONE]}). */
    STREAM_CUT("stream_cut"),
    /** A line or body that is not the JSON the API promises. */
    MALFORMED_BODY("malformed_body"),
    /** The server reported an error inside a 200 stream ({@code {"error": ...}}). */
    SERVER_ERROR_IN_STREAM("error_in_stream"),
    /**
     * An answer that is not HTTP/1.1 this client can read: a status line that is not {@code HTTP/1.x NNN}, status 101,
     * a head or line over its limit, a bad chunk or length. The server answered, wrongly: not a connection failure.
     */
    BAD_RESPONSE("bad_response"),
    /** Any other I/O failure (unknown host, TLS, ...). */
    CONNECTION_ERROR("connection_error"),
    /**
     * The request could not be built or handed to the HTTP client (the JDK refused a header, a bad URI, ...).
     * Every request is built alike, so the first one stops the run.
     */
    CLIENT_ERROR("client_error"),
    /** Still in flight when the run was aborted ({@code --max-error-rate}, every request failing, a client error). */
    ABORTED("aborted"),
    /**
     * Still in flight when the user stopped the run (Ctrl-C). Not a failure of the server: such requests are
     * counted apart ({@code requests.stopped_by_user}) and left out of the success share and every figure.
     */
    STOPPED_BY_USER("stopped_by_user");

    private final String key;

    ErrorKind(String key) {
        this.key = key;
    }

    /** The key in the JSON report. */
    public String key() {
        return key;
    }

    /** Whether a request that ended this way counts as a failure (all but {@link #STOPPED_BY_USER}). */
    public boolean isFailure() {
        return this != STOPPED_BY_USER;
    }

    /** The kind whose key is {@code key}, or null (an {@code http_<status>} key, or not a key). */
    public static ErrorKind fromKey(String key) {
        for (ErrorKind k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }

    /** The key of a request that failed with an unclassified HTTP status. */
    public static String httpStatusKey(int status) {
        return "http_" + status;
    }
}
