package dev.tallyman.host.audit.query;

import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.snapshot.Snapshot;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.host.api.StateListing;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.projections.SnapshotFormat;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /tallyman/v1/state?at=}: time travel. The containers, images, networks and volumes as they were
 * at a position or an instant, folded from the record (from the newest snapshot at or before it, when one of
 * this build's format belongs to the chain) and shown in the Docker API's list shapes. The events are read
 * through the read side (Hibernate Reactive), like the pages of {@code /events}.
 */
@Path("/state")
public class StateResource {
    private static final int PAGE = 1000;
    private static final EventCodec CODEC = new EventCodec();

    @Inject
    EventQuery query;

    @Inject
    AuditRecord record;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The state at a past instant or position",
            description = "Answers {position, at, containers, images, networks, volumes}: containers as in"
                    + " /containers/json?all=1, images as in /images/json?all=1, networks as in /networks, volumes as"
                    + " the Volumes of /volumes.")
    @APIResponse(responseCode = "200", description = "the state")
    @APIResponse(responseCode = "400", description = "no or an unreadable at, or a position beyond the record")
    public Uni<String> state(@Parameter(description = "RFC 3339 time, Unix seconds with a fraction, or a position")
                             @QueryParam("at") String at) {
        if (at == null || at.isEmpty()) {
            throw new BadFilterException("at is required: an RFC 3339 time or a position");
        }
        Uni<Long> position;
        Instant instant;
        if (at.matches("[0-9]+")) {
            try {
                position = Uni.createFrom().item(Long.parseLong(at));
            } catch (NumberFormatException e) {
                throw new BadFilterException("invalid at '" + at + "': position out of range");
            }
            instant = null;
        } else {
            instant = EventFilter.parseTime(at, "at");
            position = query.positionAt(instant);
        }
        return position.flatMap(p -> query.lastPosition().flatMap(last -> {
            if (p > last) {
                throw new BadFilterException("position " + p + " is beyond the record: its last event is " + last);
            }
            return query.range(Math.max(0, p - 1), p, 1);
        }).flatMap(atEvent -> {
            Instant shown = instant != null ? instant
                    : atEvent.isEmpty() ? Instant.EPOCH : atEvent.get(0).occurredAt.toInstant();
            // The snapshot is read and the events are decoded and folded on a worker: not on the event loop.
            return Uni.createFrom().item(() -> startingPoint(p)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .flatMap(start -> fold(start, start.position(), p))
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(state -> render(p, shown, state));
        }));
    }

    private String render(long position, Instant at, Projections state) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("position", position);
        body.put("at", at.toString());
        body.put("containers", StateListing.containers(state, at));
        body.put("images", StateListing.images(state, record.imageLabels()));
        body.put("networks", StateListing.networks(state));
        body.put("volumes", StateListing.volumes(state));
        return EventJson.write(body);
    }

    /**
     * Where the fold to {@code position} starts: the newest usable snapshot at or before it (of this build's
     * format, and standing on the chain: its head hash is the recorded event's), else nothing.
     */
    private Projections startingPoint(long position) {
        EventStore store = record.store();
        for (Snapshot snapshot : record.snapshots().atOrBefore(position, 3)) {
            if (snapshot.format().equals(SnapshotFormat.FORMAT)
                    && store.hashAt(snapshot.position()).map(snapshot.headHash()::equals).orElse(false)) {
                try {
                    return SnapshotFormat.read(snapshot.state());
                } catch (IllegalArgumentException e) {
                    // unreadable: the boot refuses it on the record; here an older one or the first event will do
                }
            }
        }
        return new Projections();
    }

    /** Folds the events after {@code after} up to {@code position} into {@code state}, a page at a time. */
    private Uni<Projections> fold(Projections state, long after, long position) {
        if (after >= position) {
            return Uni.createFrom().item(state);
        }
        return query.range(after, position, PAGE).emitOn(Infrastructure.getDefaultWorkerPool()).flatMap(page -> {
            if (page.isEmpty()) {
                return Uni.createFrom().item(state);
            }
            for (StoredEvent event : page) {
                state.apply(event.toRecorded(CODEC));
            }
            return fold(state, page.get(page.size() - 1).position, position);
        });
    }
}
