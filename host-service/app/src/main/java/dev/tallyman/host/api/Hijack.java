package dev.tallyman.host.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Docker's hijacked connection for attach: the answer is "HTTP/1.1 101" with Upgrade: tcp, after which the
 * connection carries raw bytes. Clients that did not ask for an upgrade get a plain 200 stream instead.
 *
 * <p>Vert.x upgrades only GET requests, and Docker's are POSTs, so the 101 is written as an ordinary response
 * head (Netty's encoder lets a 101 carry content) and the stream follows as its body. The docker CLI closes
 * its sending side right after the head when it has no stdin to send; the channel must allow half-closure
 * or that close would cut our output short.
 */
final class Hijack {
    private final HttpServerResponse response;
    private final AtomicBoolean gone = new AtomicBoolean();

    private Hijack(HttpServerResponse response) {
        this.response = response;
    }

    static Hijack start(ApiRequest request, String contentType) {
        var http = request.routing().request();
        boolean upgrade = http.getHeader("Upgrade") != null
                || "upgrade".equalsIgnoreCase(String.valueOf(http.getHeader("Connection")));
        HttpServerResponse response = request.response();
        Hijack hijack = new Hijack(response);
        response.closeHandler(v -> hijack.gone.set(true));
        response.putHeader("Content-Type", contentType);
        if (upgrade) {
            if (http.connection() instanceof ConnectionBase base) {
                Channel channel = base.channel();
                channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            }
            // The length is never read: a 101 ends the HTTP exchange for the client, which reads raw bytes after it.
            response.setStatusCode(101).setStatusMessage("UPGRADED")
                    .putHeader("Connection", "Upgrade")
                    .putHeader("Upgrade", "tcp")
                    .putHeader("Content-Length", "0");
            response.write(Buffer.buffer());
        } else {
            response.setChunked(true).setStatusCode(200);
            response.write(Buffer.buffer());
        }
        return hijack;
    }

    AtomicBoolean gone() {
        return gone;
    }

    void write(Buffer bytes) {
        if (!gone.get()) {
            response.write(bytes);
        }
    }

    /** Ends the stream and closes the connection: the client learns that the output is over from the EOF. */
    void end() {
        if (!response.ended()) {
            response.end();
        }
        response.close();
    }
}
