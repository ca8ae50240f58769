package dev.tallyman.host.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 over the service's unix socket, one connection per request (Connection: close), raw enough to send
 * what no well-behaved client would: any method, path, headers and body bytes. Thousands of calls a minute,
 * where a curl process per call would not keep up.
 */
final class UnixSocketHttp {
    /** An answer: status, headers (lower-case names) and the body with chunking undone. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "unix-http-timeout");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    UnixSocketHttp(Path socket) {
        this.socket = socket;
    }

    Answer call(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
        return call(method, target, headers, body, 120_000);
    }

    /**
     * As {@link #call(String, String, Map, byte[])}, but a stream still open after {@code timeoutMillis} is cut
     * off: the answer is what arrived until then (a stream's status and first bytes).
     */
    Answer call(String method, String target, Map<String, String> headers, byte[] body, long timeoutMillis)
            throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            var cutOff = CLOSER.schedule(() -> {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: d\r\nConnection: close\r\n");
            boolean lengthGiven = false;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
                lengthGiven |= h.getKey().equalsIgnoreCase("Content-Length");
            }
            if (body != null && !lengthGiven) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            write(channel, head.toString().getBytes(StandardCharsets.ISO_8859_1));
            Thread writer = null;
            if (body != null) {
                // Written while the answer is read: the service may answer (413) and close before reading a
                // body it refuses, and the answer is what counts.
                writer = new Thread(() -> {
                    try {
                        write(channel, body);
                    } catch (IOException e) {
                        // refused before it was read whole
                    }
                }, "unix-http-body");
                writer.setDaemon(true);
                writer.start();
            }
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                // Until the answer is whole, not until the service closes: a service that answered before reading
                // a body it refuses (413) may keep the connection open for the rest of that body.
                while (channel.read(buffer) >= 0) {
                    raw.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                    if (complete(raw.toByteArray(), method)) {
                        break;
                    }
                }
            } catch (AsynchronousCloseException e) {
                // cut off: a stream that did not end
            } catch (IOException e) {
                if (raw.size() == 0) {
                    throw e;
                }
            } finally {
                cutOff.cancel(false);
            }
            return parse(raw.toByteArray());
        }
    }

    /**
     * Whether {@code raw} holds a whole answer: its head and, by Content-Length or the last chunk, all of its body.
     * An answer with neither (a stream, an upgraded connection) is whole only when the service closes it.
     */
    private static boolean complete(byte[] raw, String method) {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        if (end < 0) {
            return false;
        }
        String head = new String(raw, 0, end, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return true;
        }
        int bodyLength = raw.length - end - 4;
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) {
                return bodyLength >= Long.parseLong(line.substring("content-length:".length()).trim());
            }
            if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
                byte[] last = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                return bodyLength >= last.length && indexOf(raw, last, raw.length - last.length) == raw.length - last.length
                        && (bodyLength == last.length || raw[raw.length - last.length - 1] == '\n');
            }
        }
        return false;
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static Answer parse(byte[] raw) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        if (end < 0) {
            throw new IOException("no HTTP head in " + raw.length + " bytes: "
                    + new String(raw, 0, Math.min(raw.length, 200), StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(status, headers, body);
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = indexOf(chunked, "\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
            if (lineEnd < 0) {
                break;
            }
            String sizeText = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = sizeText.isEmpty() ? 0 : Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            int start = lineEnd + 2;
            out.write(chunked, start, Math.min(size, chunked.length - start));
            at = start + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] wanted, int from) {
        outer:
        for (int i = from; i <= data.length - wanted.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (data[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
