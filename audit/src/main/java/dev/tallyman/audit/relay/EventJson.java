package dev.tallyman.audit.relay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tallyman.audit.event.EventCodec;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.RecordedEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * One recorded event as the JSON a relay publishes, in the shape of the audit query's events: position, stream,
 * version, type, occurredAt, actor (kind, uid, pid, user, tlsSubject), correlationId, payload and hash. The
 * payload is the stored JSON of the event, written as it is.
 */
public final class EventJson {
    private final JsonFactory factory = new JsonFactory();
    private final EventCodec codec = new EventCodec();

    public String write(RecordedEvent event) {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator json = factory.createGenerator(text)) {
            json.writeStartObject();
            json.writeNumberField("position", event.position());
            json.writeStringField("stream", event.stream().value());
            json.writeNumberField("version", event.version());
            json.writeStringField("type", event.type());
            json.writeStringField("occurredAt", event.occurredAt().toString());
            Actor actor = event.actor();
            json.writeObjectFieldStart("actor");
            json.writeStringField("kind", actor.kind().name().toLowerCase(Locale.ROOT));
            json.writeNumberField("uid", actor.uid());
            json.writeNumberField("pid", actor.pid());
            json.writeStringField("user", actor.userName());
            json.writeStringField("tlsSubject", actor.tlsSubject());
            json.writeEndObject();
            json.writeStringField("correlationId", event.correlationId().toString());
            json.writeFieldName("payload");
            // the stored text when the event came from the store: encoding the decoded event again was the larger
            // part of the relay's work per event (ops/bench/relay)
            json.writeRawValue(event.payloadJson() != null ? event.payloadJson() : codec.encode(event.event()));
            json.writeStringField("hash", event.hash());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("write event " + event.position() + " as JSON: " + e.getMessage(), e);
        }
        return text.toString();
    }
}
