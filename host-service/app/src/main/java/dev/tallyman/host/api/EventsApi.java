package dev.tallyman.host.api;

import dev.tallyman.audit.store.CommitSignal;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.EventTail;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.host.projections.ContainerProjection.Identity;
import dev.tallyman.host.projections.Projections;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * GET /events from the event store: history from --since (as far back as the store goes, across restarts),
 * then, without --until, every new event as it commits.
 */
public final class EventsApi {
    private static final Set<String> FILTERS = Set.of("container", "event", "image", "label", "type", "daemon", "network",
            "volume", "scope", "plugin", "node", "service", "secret", "config");

    private final EventStore store;
    private final CommitSignal commits;
    private final Projections projections;
    private final Clock clock;

    public EventsApi(EventStore store, CommitSignal commits, Projections projections, Clock clock) {
        this.store = store;
        this.commits = commits;
        this.projections = projections;
        this.clock = clock;
    }

    public void register(ApiRouter router) {
        router.get("/events", this::events);
    }

    private void events(ApiRequest request) throws Exception {
        Filters filters = Filters.parse(request.query("filters", ""), request.mapper(), FILTERS);
        Optional<Instant> since = request.query("since").filter(s -> !s.isEmpty()).map(DockerTime::parseSinceUntil);
        Optional<Instant> until = request.query("until").filter(s -> !s.isEmpty()).map(DockerTime::parseSinceUntil);
        HttpServerResponse response = request.response();
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json");
        response.write("");
        AtomicBoolean gone = new AtomicBoolean();
        response.closeHandler(v -> gone.set(true));
        Function<String, Optional<Identity>> identities = new ContainerIdentities(projections, store)::of;
        Function<String, Optional<dev.tallyman.host.projections.NetworkProjection.Identity>> networkIdentities =
                id -> projections.read(p -> p.networks().identity(id));

        long position = store.lastPosition();
        if (since.isPresent()) {
            Instant end = until.filter(u -> u.isBefore(clock.instant())).orElse(clock.instant());
            List<RecordedEvent> first = store.readBetween(since.get(), end.plusNanos(1), 1);
            long after = first.isEmpty() ? position : first.get(0).position() - 1;
            while (after < position && !gone.get()) {
                List<RecordedEvent> batch = store.readAll(after, 500);
                if (batch.isEmpty()) {
                    break;
                }
                for (RecordedEvent e : batch) {
                    if (e.position() > position) {
                        break;
                    }
                    if (until.isEmpty() || e.occurredAt().isBefore(until.get())) {
                        send(request, response, e, filters, identities, networkIdentities);
                    }
                }
                after = batch.get(batch.size() - 1).position();
            }
        }
        if (until.isPresent() && !until.get().isAfter(clock.instant())) {
            response.end();
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        try (EventTail tail = EventTail.start("events-" + request.commandContext().correlationId(), store, commits, position,
                e -> {
                    if (until.isPresent() && !e.occurredAt().isBefore(until.get())) {
                        done.countDown();
                        return;
                    }
                    send(request, response, e, filters, identities, networkIdentities);
                }, java.time.Duration.ofMillis(250), 500)) {
            while (!gone.get() && done.getCount() > 0) {
                if (until.isPresent() && clock.instant().isAfter(until.get())) {
                    break;
                }
                done.await(200, TimeUnit.MILLISECONDS);
            }
        }
        if (!gone.get()) {
            response.end();
        }
    }

    private static void send(ApiRequest request, HttpServerResponse response, RecordedEvent recorded, Filters filters,
                             Function<String, Optional<Identity>> identities,
                             Function<String, Optional<dev.tallyman.host.projections.NetworkProjection.Identity>> networks) {
        DockerEvents.of(recorded, identities, networks).filter(m -> matches(m, filters)).ifPresent(message -> {
            try {
                response.write(request.mapper().writeValueAsString(message) + "\n");
            } catch (Exception e) {
                throw new IllegalStateException("encode event " + recorded.position() + ": " + e.getMessage(), e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(Map<String, Object> message, Filters filters) {
        String type = (String) message.get("Type");
        String action = (String) message.get("Action");
        Map<String, Object> actor = (Map<String, Object>) message.get("Actor");
        String id = (String) actor.get("ID");
        Map<String, String> attributes = (Map<String, String>) actor.get("Attributes");
        return filters.matchesAny("type", type::equals)
                && filters.matchesAny("event", f -> action.equals(f) || action.startsWith(f + ":"))
                && filters.matchesAny("container", f -> (type.equals("container")
                        && (id.startsWith(f) || f.equals(attributes.get("name"))))
                        || (type.equals("network") && attributes.containsKey("container") && attributes.get("container").startsWith(f)))
                && filters.matchesAny("network", f -> type.equals("network")
                        && (id.startsWith(f) || f.equals(attributes.get("name"))))
                && filters.matchesAny("image", f -> f.equals(attributes.get("image")) || id.equals(f)
                        || f.equals(attributes.get("name")) || (type.equals("image") && id.replace("sha256:", "").startsWith(f)))
                && filters.matchesAny("label", f -> {
                    int eq = f.indexOf('=');
                    return eq < 0 ? attributes.containsKey(f) : f.substring(eq + 1).equals(attributes.get(f.substring(0, eq)));
                })
                && filters.matchesAny("volume", f -> type.equals("volume") && id.equals(f))
                && filters.matchesAny("scope", "local"::equals);
    }
}
