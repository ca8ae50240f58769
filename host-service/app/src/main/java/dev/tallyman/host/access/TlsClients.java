package dev.tallyman.host.access;

import dev.tallyman.audit.store.Actor;
import io.vertx.core.http.HttpConnection;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Who is on the other end of a TLS connection: the subject of the client certificate the handshake verified. */
public final class TlsClients {
    private TlsClients() {
    }

    /**
     * The actor of a mutual-TLS connection, its subject in RFC 2253 form ({@code CN=client,O=Tallyman}). Only
     * connections whose handshake verified a client certificate reach the router, so an absent one is a bug.
     */
    public static Actor actorOf(HttpConnection connection) {
        try {
            List<Certificate> chain = connection.peerCertificates();
            if (chain != null && !chain.isEmpty() && chain.get(0) instanceof X509Certificate client) {
                return Actor.tls(client.getSubjectX500Principal().getName());
            }
        } catch (SSLPeerUnverifiedException e) {
            throw new IllegalStateException("tls connection without a verified client certificate: " + e.getMessage(), e);
        }
        throw new IllegalStateException("tls connection without a verified client certificate");
    }
}
