package dev.tallyman.audit.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an {@link Event} into its stored type name and JSON text and back.
 *
 * <p>The set of event types is read from {@code Event}'s {@code permits} clauses, walked recursively, because
 * Jackson 2 does not read them. Every concrete event must be a record carrying a unique {@link EventType};
 * constructing a codec fails otherwise, so a nameless event stops the build (the unit test) and the boot.
 *
 * <p>Output is deterministic for a given event: record components in declaration order, map entries sorted by
 * key, times as ISO-8601 text. The store hashes the exact text it writes, so determinism is a convenience,
 * not what the hash chain relies on.
 */
public final class EventCodec {

    private final ObjectMapper mapper;
    private final Map<Class<? extends Event>, String> nameByClass;
    private final Map<String, Class<? extends Event>> classByName;

    public EventCodec() {
        this.mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                // an event written before a field was removed must still read
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        Map<Class<? extends Event>, String> names = new LinkedHashMap<>();
        Map<String, Class<? extends Event>> classes = new HashMap<>();
        for (Class<? extends Event> type : concreteEventTypes()) {
            EventType annotation = type.getAnnotation(EventType.class);
            if (annotation == null || annotation.value().isBlank()) {
                throw new IllegalStateException("register event " + type.getName() + ": no @EventType name");
            }
            Class<? extends Event> previous = classes.putIfAbsent(annotation.value(), type);
            if (previous != null) {
                throw new IllegalStateException("register event " + type.getName() + ": type name \""
                        + annotation.value() + "\" already used by " + previous.getName());
            }
            names.put(type, annotation.value());
        }
        this.nameByClass = Collections.unmodifiableMap(names);
        this.classByName = Map.copyOf(classes);
    }

    /**
     * Every concrete event class, found by walking {@code permits} from {@link Event} down. Each must be a
     * record; a permitted class that is neither sealed nor a record is an error.
     */
    public static List<Class<? extends Event>> concreteEventTypes() {
        List<Class<? extends Event>> found = new ArrayList<>();
        collect(Event.class, found);
        return List.copyOf(found);
    }

    @SuppressWarnings("unchecked")
    private static void collect(Class<?> type, List<Class<? extends Event>> found) {
        if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) {
                collect(sub, found);
            }
        } else if (type.isRecord()) {
            found.add((Class<? extends Event>) type);
        } else {
            throw new IllegalStateException("register event " + type.getName() + ": neither sealed nor a record");
        }
    }

    /** The stored names of every event type, keyed by class, in {@code permits} order. */
    public Map<Class<? extends Event>, String> typeNames() {
        return nameByClass;
    }

    /** The stored type name of this event. */
    public String typeName(Event event) {
        String name = nameByClass.get(event.getClass());
        if (name == null) {
            // cannot happen for a sealed Event, but a clear message beats a NullPointerException
            throw new IllegalArgumentException("encode event " + event.getClass().getName() + ": not a registered type");
        }
        return name;
    }

    /** The event as JSON text, compact, one line. */
    public String encode(Event event) {
        try {
            return mapper.writerFor(event.getClass()).writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("encode event " + typeName(event) + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads an event stored under {@code typeName}.
     *
     * @throws UnknownEventTypeException if no event class has that name
     * @throws IllegalArgumentException if the JSON does not fit the class
     */
    public Event decode(String typeName, String json) {
        Class<? extends Event> type = classByName.get(typeName);
        if (type == null) {
            throw new UnknownEventTypeException(typeName, Set.copyOf(classByName.keySet()));
        }
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("decode event " + typeName + ": " + e.getOriginalMessage(), e);
        }
    }
}
