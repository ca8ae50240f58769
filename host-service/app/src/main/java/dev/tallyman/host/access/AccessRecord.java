package dev.tallyman.host.access;

import dev.tallyman.audit.event.AccessEvent;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Puts callers turned away at the door on the record (stream {@code access}). Called on Netty threads, so the append
 * is queued, never awaited; a failed append is logged, since there is no caller left to answer.
 */
public final class AccessRecord {
    private static final Logger LOG = Logger.getLogger(AccessRecord.class);
    static final StreamId STREAM = new StreamId("access");

    private final Journal journal;

    public AccessRecord(Journal journal) {
        this.journal = journal;
    }

    public void tlsHandshakeRefused(TlsListener.HandshakeRefusal refusal) {
        LOG.warnf("tls handshake refused: peer %s: %s", refusal.peer(), refusal.reason());
        append(new AccessEvent.TlsHandshakeRefused(refusal.peer(), refusal.reason()), Actor.tls(""));
    }

    public void socketCallerRefused(String reason) {
        LOG.warnf("socket caller refused: %s", reason);
        append(new AccessEvent.SocketCallerRefused(reason), Actor.system("socket"));
    }

    private void append(AccessEvent event, Actor actor) {
        journal.appendQueued(STREAM, ExpectedVersion.any(), event, new CommandContext(actor, UUID.randomUUID()))
                .whenComplete((recorded, failure) -> {
                    if (failure != null) {
                        LOG.errorf("record %s: %s", event, failure.getMessage());
                    }
                });
    }
}
