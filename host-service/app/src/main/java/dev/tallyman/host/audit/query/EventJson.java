package dev.tallyman.host.audit.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.store.RecordedEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One event as the audit API shows it, the same whether it was read by the query (a row) or by a follower
 * (a decoded event): position, stream, version, type, occurredAt, actor, correlationId, payload, hash.
 * An actor's absent uid or pid (-1) and absent text ("") are shown as null.
 */
public final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();

    private EventJson() {
    }

    public static Map<String, Object> of(StoredEvent e) {
        return shape(e.position, e.streamId, e.version, e.type, e.occurredAt.toInstant(), e.actorKind, e.actorUid,
                e.actorPid, e.actorUserName, e.actorTlsSubject, e.correlationId, e.payload, e.hash);
    }

    public static Map<String, Object> of(RecordedEvent e) {
        return shape(e.position(), e.stream().value(), e.version(), e.type(), e.occurredAt(), e.actor().kind().name(),
                e.actor().uid(), e.actor().pid(), e.actor().userName(), e.actor().tlsSubject(), e.correlationId(),
                CODEC.encode(e.event()), e.hash());
    }

    /** The page answer: {"events": [...], "next": position or null}. */
    public static String page(List<StoredEvent> events, Long next) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", events.stream().map(EventJson::of).toList());
        body.put("next", next);
        return write(body);
    }

    /** One line of a follow stream. */
    public static String line(RecordedEvent e) {
        return write(of(e)) + "\n";
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("render audit answer: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> shape(long position, String stream, long version, String type, Instant at,
                                             String kind, int uid, int pid, String user, String tlsSubject,
                                             UUID correlation, String payload, String hash) {
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("kind", kind.toLowerCase(java.util.Locale.ROOT));
        actor.put("uid", uid < 0 ? null : uid);
        actor.put("pid", pid < 0 ? null : pid);
        actor.put("user", user == null || user.isEmpty() ? null : user);
        actor.put("tlsSubject", tlsSubject == null || tlsSubject.isEmpty() ? null : tlsSubject);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("position", position);
        event.put("stream", stream);
        event.put("version", version);
        event.put("type", type);
        event.put("occurredAt", at.toString());
        event.put("actor", actor);
        event.put("correlationId", correlation.toString());
        event.put("payload", tree(payload));
        event.put("hash", hash);
        return event;
    }

    private static JsonNode tree(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored payload is not JSON: " + e.getMessage(), e);
        }
    }
}
