package dev.tallyman.host.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Docker's hijacked connection for attach and exec: the answer is "HTTP/1.1 101 UPGRADED" with Upgrade: tcp,
 * after which the connection carries raw bytes both ways. Clients that did not ask for an upgrade get a plain
 * 200 stream (output only).
 *
 * <p>Vert.x upgrades only GET requests, and Docker's are POSTs, so the 101 is written as an ordinary response
 * head (Netty's encoder lets a 101 carry content) and the output follows as its body. For input, the HTTP
 * decoder in the channel's pipeline is replaced by a handler that hands raw bytes to the caller. The docker CLI
 * closes its sending side when its stdin ends; the channel must allow half-closure or that would cut the output.
 */
final class Hijack {
    private final HttpServerResponse response;
    private final AtomicBoolean gone = new AtomicBoolean();

    private Hijack(HttpServerResponse response) {
        this.response = response;
    }

    /** Output only: what attach to a container's logs needs. */
    static Hijack start(ApiRequest request, String contentType) {
        return start(request, contentType, null, null);
    }

    /**
     * @param stdin receives the client's raw bytes, on a Netty thread (keep it short); null to ignore input
     * @param stdinClosed runs when the client closed its sending side
     */
    static Hijack start(ApiRequest request, String contentType, Consumer<byte[]> stdin, Runnable stdinClosed) {
        var http = request.routing().request();
        boolean upgrade = http.getHeader("Upgrade") != null
                || "upgrade".equalsIgnoreCase(String.valueOf(http.getHeader("Connection")));
        HttpServerResponse response = request.response();
        Hijack hijack = new Hijack(response);
        response.closeHandler(v -> hijack.gone.set(true));
        response.putHeader("Content-Type", contentType);
        Channel channel = http.connection() instanceof ConnectionBase base ? base.channel() : null;
        if (upgrade && channel != null) {
            channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            // The length is never read: a 101 ends the HTTP exchange for the client, which reads raw bytes after it.
            response.setStatusCode(101).setStatusMessage("UPGRADED")
                    .putHeader("Connection", "Upgrade")
                    .putHeader("Upgrade", "tcp")
                    .putHeader("Content-Length", "0");
            // Raw input first: the client starts sending stdin the moment it reads the 101.
            if (stdin != null) {
                takeInput(channel, stdin, stdinClosed, hijack.gone);
            }
            await(response.write(Buffer.buffer()));
        } else {
            response.setChunked(true).setStatusCode(200);
            response.write(Buffer.buffer());
        }
        return hijack;
    }

    /** Swaps the HTTP request decoder for a raw input handler, on the channel's own thread. */
    private static void takeInput(Channel channel, Consumer<byte[]> stdin, Runnable stdinClosed, AtomicBoolean gone) {
        RawInput raw = new RawInput(stdin, stdinClosed, gone);
        try {
            channel.eventLoop().submit(() -> {
                ChannelPipeline pipeline = channel.pipeline();
                for (Map.Entry<String, ChannelHandler> entry : pipeline) {
                    if (entry.getValue() instanceof HttpRequestDecoder) {
                        pipeline.replace(entry.getValue(), "tallyman-raw-input", raw);
                        return;
                    }
                }
                throw new IllegalStateException("no HTTP decoder in the pipeline: " + pipeline.names());
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("hijack connection: " + e.getMessage(), e);
        }
    }

    private static void await(io.vertx.core.Future<Void> write) {
        try {
            write.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("write upgrade response: " + e.getMessage(), e);
        }
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

    /** Raw bytes from the client after the upgrade. */
    private static final class RawInput extends ChannelInboundHandlerAdapter {
        private final Consumer<byte[]> stdin;
        private final Runnable stdinClosed;
        private final AtomicBoolean gone;

        RawInput(Consumer<byte[]> stdin, Runnable stdinClosed, AtomicBoolean gone) {
            this.stdin = stdin;
            this.stdinClosed = stdinClosed;
            this.gone = gone;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                try {
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    stdin.accept(bytes);
                } finally {
                    buf.release();
                }
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            // Over TLS the docker CLI ends its input with a close_notify alert (Go's tls.Conn.CloseWrite), not a
            // TCP half-close; TLS 1.3 lets the other direction go on carrying the output.
            if (event instanceof ChannelInputShutdownEvent || event instanceof io.netty.handler.ssl.SslCloseCompletionEvent) {
                stdinClosed.run();
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            gone.set(true);
            stdinClosed.run();
            ctx.fireChannelInactive();
        }
    }
}
