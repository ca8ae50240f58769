package dev.tallyman.host.audit.query;

import dev.tallyman.audit.snapshot.Snapshot;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.RecordedEvent;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code GET /tallyman/v1/state?at=}: time travel. The containers, images, networks and volumes as they were
 * at a position or an instant, folded from the record (from the newest snapshot at or before it, when one of
 * this build's format belongs to the chain) and shown in the Docker API's list shapes.
 */
@Path("/state")
public class StateResource {
    private static final int PAGE = 1000;

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
        // The fold reads the store over JDBC and takes CPU: not on the event loop.
        return position.emitOn(Infrastructure.getDefaultWorkerPool()).map(p -> render(p, instant));
    }

    private String render(long position, Instant asked) {
        EventStore store = record.store();
        long last = store.lastPosition();
        if (position > last) {
            throw new BadFilterException("position " + position + " is beyond the record: its last event is " + last);
        }
        Projections state = foldTo(position);
        Instant at = asked != null ? asked : occurredAt(store, position).orElse(Instant.EPOCH);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("position", position);
        body.put("at", at.toString());
        body.put("containers", StateListing.containers(state, at));
        body.put("images", StateListing.images(state, record.imageLabels()));
        body.put("networks", StateListing.networks(state));
        body.put("volumes", StateListing.volumes(state));
        return EventJson.write(body);
    }

    /** The projections at {@code position}: from the newest usable snapshot at or before it, then the events up to it. */
    Projections foldTo(long position) {
        EventStore store = record.store();
        Projections state = null;
        for (Snapshot snapshot : record.snapshots().newestFirst()) {
            if (snapshot.position() <= position && snapshot.format().equals(SnapshotFormat.FORMAT)
                    && store.hashAt(snapshot.position()).map(snapshot.headHash()::equals).orElse(false)) {
                try {
                    state = SnapshotFormat.read(snapshot.state());
                    break;
                } catch (IllegalArgumentException e) {
                    // unreadable: the boot refuses it on the record; here an older one or the first event will do
                }
            }
        }
        if (state == null) {
            state = new Projections();
        }
        long after = state.position();
        while (after < position) {
            List<RecordedEvent> page = store.readAll(after, (int) Math.min(PAGE, position - after));
            if (page.isEmpty()) {
                break;
            }
            for (RecordedEvent event : page) {
                if (event.position() <= position) {
                    state.apply(event);
                }
            }
            after = page.get(page.size() - 1).position();
        }
        return state;
    }

    private static Optional<Instant> occurredAt(EventStore store, long position) {
        if (position == 0) {
            return Optional.empty();
        }
        return store.readAll(position - 1, 1).stream().filter(e -> e.position() == position).findFirst()
                .map(RecordedEvent::occurredAt);
    }
}
