package dev.tallyman.host.access;

import dev.tallyman.host.access.TlsListener.HandshakeRefusal;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK's TLS engine, with each failed handshake reported with the client's address. Vert.x hands a server's
 * failed handshake only to an exception handler, without the connection it failed on; the Netty SslHandler knows
 * both, and Vert.x creates its engine with the client's address as peer host and port, so the context it builds
 * is wrapped and every handler it makes is watched.
 */
final class RefusalRecordingEngineOptions extends JdkSSLEngineOptions {
    private final Consumer<HandshakeRefusal> refused;

    RefusalRecordingEngineOptions(Consumer<HandshakeRefusal> refused) {
        this.refused = refused;
    }

    @Override
    public JdkSSLEngineOptions copy() {
        // Vert.x copies its options when it creates the server: the copy must still record
        return new RefusalRecordingEngineOptions(refused);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        return new Factory(super.sslContextFactory(), refused);
    }

    private static final class Factory implements SslContextFactory {
        private final SslContextFactory delegate;
        private final Consumer<HandshakeRefusal> refused;

        Factory(SslContextFactory delegate, Consumer<HandshakeRefusal> refused) {
            this.delegate = delegate;
            this.refused = refused;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            delegate.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory clientAuth(io.netty.handler.ssl.ClientAuth clientAuth) {
            delegate.clientAuth(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            delegate.forClient(forClient);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            delegate.keyMananagerFactory(kmf);
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            delegate.trustManagerFactory(tmf);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
            delegate.enabledCipherSuites(cipherSuites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> protocols) {
            delegate.applicationProtocols(protocols);
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            delegate.serverName(serverName);
            return this;
        }

        @Override
        public SslContext create() throws javax.net.ssl.SSLException {
            SslContext context = delegate.create();
            if (context.isClient()) {
                return context;
            }
            return new DelegatingSslContext(context) {
                @Override
                protected void initEngine(SSLEngine engine) {
                }

                @Override
                protected void initHandler(SslHandler handler) {
                    handler.handshakeFuture().addListener(done -> {
                        if (!done.isSuccess()) {
                            SSLEngine engine = handler.engine();
                            String peer = engine.getPeerHost() == null ? "" : engine.getPeerHost() + ":" + engine.getPeerPort();
                            refused.accept(new HandshakeRefusal(peer, reasonOf(done.cause())));
                        }
                    });
                }
            };
        }
    }

    /** The innermost message: "Empty client certificate chain", "PKIX path building failed: …", "not an SSL/TLS record: …". */
    static String reasonOf(Throwable failure) {
        Throwable cause = failure;
        String message = String.valueOf(failure);
        while (cause != null) {
            if (cause instanceof io.netty.handler.ssl.NotSslRecordException) {
                // its message dumps the bytes received, which say nothing more than this
                return "not an SSL/TLS record (plain HTTP to the TLS port?)";
            }
            if (cause.getMessage() != null) {
                message = cause.getMessage();
            }
            if (cause.getCause() == cause) {
                break;
            }
            cause = cause.getCause();
        }
        if (message.length() > 300) {
            message = message.substring(0, 300);
        }
        return message;
    }
}
