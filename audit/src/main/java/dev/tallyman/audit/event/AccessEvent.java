package dev.tallyman.audit.event;

/**
 * Callers turned away before any API request was read, on the stream {@code access} (issue 12). Nothing changed;
 * these are on the record so an auditor sees who tried to get in and why they could not.
 */
public sealed interface AccessEvent extends Event {

    /**
     * A TLS client that did not complete the mutual-TLS handshake: no client certificate, one not signed by the
     * configured CA, an expired one, or no TLS at all (plain HTTP sent to the TLS port). The actor is kind TLS with
     * an empty subject, since no certificate was accepted.
     *
     * @param peer   the client's address as {@code host:port}
     * @param reason why the handshake failed, in the TLS library's words
     */
    @EventType("access.tls-handshake-refused")
    record TlsHandshakeRefused(String peer, String reason) implements AccessEvent {
    }

    /**
     * A unix-socket caller whose credentials (SO_PEERCRED) could not be read: its connection was closed unanswered
     * instead of being recorded under a made-up uid. The actor is the SYSTEM component {@code socket}.
     *
     * @param reason why the credentials could not be read
     */
    @EventType("access.socket-caller-refused")
    record SocketCallerRefused(String reason) implements AccessEvent {
    }
}
