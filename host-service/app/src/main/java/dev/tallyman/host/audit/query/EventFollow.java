package dev.tallyman.host.audit.query;

import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.store.RecordedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;

/**
 * {@code /tallyman/v1/events?follow=true}: the matching events after a position, then each one as it is
 * committed, read a page at a time through the read side (Hibernate Reactive). The store gives out positions
 * in commit order, so "every event after the last one delivered" is all a follower needs to miss none and
 * repeat none. Between pages it sleeps on the store's commit signal, and polls as well for writers in other
 * processes.
 */
@ApplicationScoped
public class EventFollow {
    private static final int PAGE = 500;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final EventCodec CODEC = new EventCodec();

    @Inject
    EventQuery query;

    @Inject
    AuditRecord record;

    /** JSON lines of the events matching {@code filter}, from its {@code after} (without one: from now on). */
    public Multi<String> lines(EventFilter filter) {
        return Multi.createFrom().emitter(emitter -> {
            Uni<Long> from = filter.afterGiven() ? Uni.createFrom().item(filter.after()) : query.lastPosition();
            from.subscribe().with(after -> next(emitter, filter, after), emitter::fail);
        });
    }

    private void next(MultiEmitter<? super String> emitter, EventFilter filter, long after) {
        if (emitter.isCancelled()) {
            return;
        }
        query.range(after, Long.MAX_VALUE, PAGE).emitOn(Infrastructure.getDefaultWorkerPool()).subscribe().with(page -> {
            long last = after;
            for (StoredEvent stored : page) {
                RecordedEvent event = stored.toRecorded(CODEC);
                if (filter.matches(event)) {
                    emitter.emit(EventJson.line(event));
                }
                last = stored.position;
            }
            if (page.size() == PAGE) {
                next(emitter, filter, last);
            } else {
                awaitCommitBeyond(last);
                next(emitter, filter, last);
            }
        }, emitter::fail);
    }

    /** On a worker thread: until a commit beyond {@code position} in this process, or the poll interval passes. */
    private void awaitCommitBeyond(long position) {
        try {
            record.commits().awaitBeyond(position, POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
