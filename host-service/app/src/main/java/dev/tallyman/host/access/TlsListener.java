package dev.tallyman.host.access;

import dev.tallyman.host.config.EngineConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The TCP listener of remote access, like {@code dockerd --tlsverify} (issue 12): mutual TLS only, a client
 * certificate signed by the configured CA required during the handshake, and the same router as the unix socket,
 * so every route, /metrics and the hijacked attach and exec streams are served alike. It is a Vert.x server of its
 * own beside Quarkus's, which keeps TCP disabled ({@code quarkus.http.host-enabled=false}): there is no plain-HTTP
 * port to forget to close.
 */
public final class TlsListener {
    private TlsListener() {
    }

    /** What TALLYMAN_TLS_LISTEN, _CA, _CERT and _KEY say, checked: all four or none. */
    public record Settings(String host, int port, Path ca, Path cert, Path key) {

        /** Empty when no listen address is set; a half-configured listener stops the service, naming what is missing. */
        public static Optional<Settings> of(EngineConfig.Tls tls) {
            if (tls.listen().isEmpty() || tls.listen().get().isBlank()) {
                return Optional.empty();
            }
            String listen = tls.listen().get().trim();
            if (listen.startsWith("tcp://")) {
                listen = listen.substring("tcp://".length());
            }
            int colon = listen.lastIndexOf(':');
            if (colon <= 0 || colon == listen.length() - 1) {
                throw new IllegalArgumentException("tallyman.tls.listen: want host:port, got " + tls.listen().get());
            }
            String host = listen.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("tallyman.tls.listen: bad port in " + tls.listen().get());
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("tallyman.tls.listen: port out of range in " + tls.listen().get());
            }
            return Optional.of(new Settings(host, port, file("tallyman.tls.ca", tls.ca()),
                    file("tallyman.tls.cert", tls.cert()), file("tallyman.tls.key", tls.key())));
        }

        private static Path file(String key, Optional<Path> value) {
            Path path = value.orElseThrow(() -> new IllegalArgumentException(
                    key + " is required with tallyman.tls.listen: mutual TLS needs the CA, the server certificate and its key"));
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException(key + ": cannot read " + path);
            }
            return path;
        }
    }

    /**
     * Binds the listener and waits for it: a port that cannot be bound, or PEM files that do not load, stop the start.
     *
     * @param refused hears each failed handshake, on a Netty thread (keep it short)
     */
    public static HttpServer start(Vertx vertx, Router router, Settings settings, Consumer<HandshakeRefusal> refused)
            throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(settings.cert().toString())
                        .setKeyPath(settings.key().toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(settings.ca().toString()))
                .setSslEngineOptions(new RefusalRecordingEngineOptions(refused))
                // attach and exec streams stay open as long as the container runs, as on the socket
                .setIdleTimeout(0);
        HttpServer server = vertx.createHttpServer(options).requestHandler(router);
        try {
            return server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("listen on tcp://" + settings.host() + ":" + settings.port() + " with TLS: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** A client the handshake turned away: its address ({@code host:port}) and the TLS library's reason. */
    public record HandshakeRefusal(String peer, String reason) {
    }
}
