package dev.tallyman.host.api;

import io.vertx.core.http.HttpServerResponse;

/**
 * The status line and headers of an answer streamed in chunks (a JSON message stream, a tar): 200 with its
 * content type, sent with the first bytes rather than up front, so a failure before them can still be answered
 * with Docker's status code and JSON error. Not thread-safe: its owner serializes the calls.
 */
final class StreamedAnswer {
    private final HttpServerResponse response;
    private final String contentType;
    private boolean started;

    StreamedAnswer(HttpServerResponse response, String contentType) {
        this.response = response;
        this.contentType = contentType;
    }

    /** Whether the headers have gone out: after that a failure can only be told in the stream or cut it short. */
    boolean started() {
        return started;
    }

    /** Sends the status line and headers, once; call before writing bytes. */
    void start() {
        if (!started) {
            started = true;
            response.setChunked(true).setStatusCode(200).putHeader("Content-Type", contentType);
        }
    }

    /** Ends the answer; one that never wrote a byte still gets its status and headers. */
    void end() {
        start();
        if (!response.ended()) {
            response.end();
        }
    }
}
