package dev.tallyman.host.audit.query;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.ZoneOffset;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The read side of the audit API: the events table through Hibernate Reactive. Each filter becomes a clause
 * only when given, so PostgreSQL can use the index that fits it (stream, correlation, actor, type, time).
 */
@ApplicationScoped
public class EventQuery {
    @Inject
    AuditSessions sessions;

    /** Up to {@code limit + 1} events after {@code filter.after()}, in position order: one more tells if a next page exists. */
    public Uni<List<StoredEvent>> page(EventFilter filter) {
        StringBuilder hql = new StringBuilder("from StoredEvent e where e.position > :after");
        if (filter.stream() != null) {
            hql.append(" and e.streamId = :stream");
        }
        if (!filter.types().isEmpty()) {
            hql.append(" and e.type in (:types)");
        }
        if (filter.actorUid() != null) {
            hql.append(" and e.actorUid = :uid");
        }
        if (filter.actor() != null) {
            hql.append(" and (e.actorUserName = :actor or e.actorTlsSubject = :actor)");
        }
        if (filter.correlation() != null) {
            hql.append(" and e.correlationId = :correlation");
        }
        if (filter.since() != null) {
            hql.append(" and e.occurredAt >= :since");
        }
        if (filter.until() != null) {
            hql.append(" and e.occurredAt <= :until");
        }
        hql.append(" order by e.position");
        // a plain session, read-only: the stateless one fails on this entity ("session is not an EventSource")
        return sessions.withSession(s -> {
            s.setDefaultReadOnly(true);
            Mutiny.SelectionQuery<StoredEvent> q = s.createSelectionQuery(hql.toString(), StoredEvent.class)
                    .setParameter("after", filter.after());
            if (filter.stream() != null) {
                q.setParameter("stream", filter.stream());
            }
            if (!filter.types().isEmpty()) {
                q.setParameter("types", filter.types());
            }
            if (filter.actorUid() != null) {
                q.setParameter("uid", filter.actorUid());
            }
            if (filter.actor() != null) {
                q.setParameter("actor", filter.actor());
            }
            if (filter.correlation() != null) {
                q.setParameter("correlation", filter.correlation());
            }
            if (filter.since() != null) {
                q.setParameter("since", filter.since().atOffset(ZoneOffset.UTC));
            }
            if (filter.until() != null) {
                q.setParameter("until", filter.until().atOffset(ZoneOffset.UTC));
            }
            return q.setMaxResults(filter.limit() + 1).getResultList();
        });
    }

    /** Up to {@code limit} events after {@code after} and at most {@code upTo}, in position order: a fold's page. */
    public Uni<List<StoredEvent>> range(long after, long upTo, int limit) {
        return sessions.withStatelessSession(s -> s.createSelectionQuery(
                        "from StoredEvent e where e.position > :after and e.position <= :upTo order by e.position",
                        StoredEvent.class)
                .setParameter("after", after).setParameter("upTo", upTo).setMaxResults(limit).getResultList());
    }

    /** The position of the last event that occurred at or before {@code at}; 0 when none did. */
    public Uni<Long> positionAt(java.time.Instant at) {
        // newest first on the occurred_at index: one index step, where max(position) would read half the table
        return sessions.withStatelessSession(s -> s.createSelectionQuery(
                        "select e.position from StoredEvent e where e.occurredAt <= :at"
                                + " order by e.occurredAt desc, e.position desc", Long.class)
                .setParameter("at", at.atOffset(ZoneOffset.UTC)).setMaxResults(1).getSingleResultOrNull())
                .map(p -> p == null ? 0L : p);
    }

    /** The position of the newest event, 0 for an empty store. */
    public Uni<Long> lastPosition() {
        return sessions.withStatelessSession(s -> s.createSelectionQuery(
                "select max(e.position) from StoredEvent e", Long.class).getSingleResultOrNull())
                .map(p -> p == null ? 0L : p);
    }
}
