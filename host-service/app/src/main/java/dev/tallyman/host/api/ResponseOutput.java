package dev.tallyman.host.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A streamed answer (a tar of docker save, export or cp) as a blocking OutputStream for a worker thread. The
 * status and headers go out with the first bytes, so a failure before any byte is written still becomes
 * Docker's JSON error. Writes wait while Vert.x's write queue is full: a slow client slows the writer down
 * instead of filling the heap.
 */
final class ResponseOutput extends OutputStream {
    private static final int CHUNK = 256 * 1024;

    private final HttpServerResponse response;
    private final StreamedAnswer answer;
    private final byte[] buffer = new byte[CHUNK];
    private int buffered;

    ResponseOutput(HttpServerResponse response, String contentType) {
        this.response = response;
        this.answer = new StreamedAnswer(response, contentType);
    }

    /** Whether the headers have gone out: after that a failure can only cut the stream short. */
    boolean started() {
        return answer.started();
    }

    @Override
    public void write(int b) throws IOException {
        if (buffered == buffer.length) {
            push();
        }
        buffer[buffered++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (buffered == buffer.length) {
                push();
            }
            int n = Math.min(len, buffer.length - buffered);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void flush() throws IOException {
        push();
    }

    /** Sends what is left and ends the answer (headers included when nothing was written yet). */
    @Override
    public void close() throws IOException {
        push();
        answer.end();
    }

    private void push() throws IOException {
        if (buffered == 0) {
            return;
        }
        answer.start();
        awaitRoom();
        response.write(Buffer.buffer(java.util.Arrays.copyOf(buffer, buffered)));
        buffered = 0;
    }

    private void awaitRoom() throws IOException {
        while (true) {
            if (response.closed()) {
                throw new IOException("client closed the connection");
            }
            if (!response.writeQueueFull()) {
                return;
            }
            CompletableFuture<Void> drained = new CompletableFuture<>();
            response.drainHandler(v -> drained.complete(null));
            if (!response.writeQueueFull()) {
                return;
            }
            try {
                drained.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // look again: the client may have gone away meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing the answer");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause());
            }
        }
    }
}
