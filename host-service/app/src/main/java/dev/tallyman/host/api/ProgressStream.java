package dev.tallyman.host.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.images.registry.Progress;
import dev.tallyman.images.registry.ProgressListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Docker's JSON message stream (pull, push, load): one object per line, {@code \r\n} after each, with
 * {@code status}, {@code id}, {@code progressDetail} and the text bar {@code progress}, or {@code stream},
 * {@code aux}, {@code error}. The status line and headers go out with the first message, so a failure before it
 * is still answered with Docker's status code; after it, a failure can only be told inside the stream.
 */
final class ProgressStream implements ProgressListener {
    private static final int BAR_WIDTH = 50;

    private final HttpServerResponse response;
    private final StreamedAnswer answer;
    private final ObjectMapper json;

    ProgressStream(ApiRequest request) {
        this.response = request.response();
        this.answer = new StreamedAnswer(response, "application/json");
        this.json = request.mapper();
    }

    @Override
    public synchronized void on(Progress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", p.status());
        if (!p.id().isEmpty()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            if (p.hasDetail()) {
                detail.put("current", p.current());
                if (p.total() > 0) {
                    detail.put("total", p.total());
                }
            }
            m.put("progressDetail", detail);
            if (p.hasDetail()) {
                m.put("progress", bar(p.current(), p.total()));
            }
            m.put("id", p.id());
        }
        send(m);
    }

    /** A {@code {"stream": text}} line, as load and build write their output. */
    synchronized void stream(String text) {
        send(Map.of("stream", text));
    }

    /** The {@code aux} message push ends with: {"Tag","Digest","Size"}. */
    synchronized void aux(Map<String, Object> aux) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("progressDetail", Map.of());
        m.put("aux", aux);
        send(m);
    }

    synchronized boolean started() {
        return answer.started();
    }

    /** The failure, in the stream: {@code {"errorDetail":{"message"},"error"}}; the CLI prints it and exits 1. */
    synchronized void error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("errorDetail", Map.of("message", message));
        m.put("error", message);
        send(m);
    }

    /** Ends the answer; an answer that never wrote a line still gets its status and headers. */
    synchronized void end() {
        answer.end();
    }

    private void send(Map<String, Object> message) {
        answer.start();
        if (response.closed() || response.ended()) {
            // The client went away: stop the pull or push rather than work for nobody.
            throw new IllegalStateException("client closed the connection");
        }
        try {
            response.write(Buffer.buffer(json.writeValueAsBytes(message)).appendString("\r\n"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("encode progress: " + e.getMessage(), e);
        }
    }

    /** Docker's text bar: {@code [=====>      ]  1.2MB/3.4MB}. */
    static String bar(long current, long total) {
        if (total <= 0) {
            return humanSize(current);
        }
        int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * current / total);
        StringBuilder s = new StringBuilder("[");
        s.append("=".repeat(filled));
        if (filled < BAR_WIDTH) {
            s.append('>').append(" ".repeat(BAR_WIDTH - filled - 1));
        }
        s.append("] ");
        String numbers = humanSize(current) + "/" + humanSize(total);
        s.append(" ".repeat(Math.max(0, 15 - numbers.length()))).append(numbers);
        return s.toString();
    }

    /** Decimal units with three significant digits, as Docker's units.HumanSize: 1.23MB. */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double size = bytes;
        int unit = 0;
        while (size >= 1000 && unit < units.length - 1) {
            size /= 1000;
            unit++;
        }
        return new java.math.BigDecimal(size).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString()
                .toLowerCase(Locale.ROOT) + units[unit];
    }
}
