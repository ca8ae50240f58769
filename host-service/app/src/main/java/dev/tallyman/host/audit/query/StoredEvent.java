package dev.tallyman.host.audit.query;

import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Immutable;

/**
 * One row of the events table as the query API reads it, through Hibernate Reactive. Read-only: the record is
 * written by the JDBC store alone, and Hibernate neither creates nor alters the table.
 */
@Entity
@Immutable
@Table(name = "events")
public class StoredEvent {
    @Id
    public long position;

    @Column(name = "stream_id")
    public String streamId;

    public long version;

    public String type;

    // The column is json (kept byte for byte as hashed); read as text so no driver reformats it.
    @Formula("cast(payload as text)")
    public String payload;

    @Column(name = "actor_kind")
    public String actorKind;

    @Column(name = "actor_uid")
    public int actorUid;

    @Column(name = "actor_pid")
    public int actorPid;

    @Column(name = "actor_user_name")
    public String actorUserName;

    @Column(name = "actor_tls_subject")
    public String actorTlsSubject;

    @Column(name = "correlation_id")
    public UUID correlationId;

    @Column(name = "occurred_at")
    public OffsetDateTime occurredAt;

    public String hash;

    @Column(name = "previous_hash")
    public String previousHash;

    @Column(name = "actor_login_uid")
    public int actorLoginUid;

    /** The event as the projections fold it: its payload decoded into its type. */
    public RecordedEvent toRecorded(EventCodec codec) {
        return new RecordedEvent(position, new StreamId(streamId), version, type, codec.decode(type, payload),
                new Actor(Actor.Kind.valueOf(actorKind), actorUid, actorPid, actorUserName, actorTlsSubject,
                        actorLoginUid),
                correlationId, occurredAt.toInstant(), previousHash, hash);
    }
}
