package dev.tallyman.audit.event;

import java.util.Set;

/**
 * A stored type name that no event class carries: the store was written by a newer Tallyman, or a type was
 * renamed (which must never happen, see {@link EventType}).
 */
public class UnknownEventTypeException extends IllegalArgumentException {
    private final String typeName;

    public UnknownEventTypeException(String typeName, Set<String> known) {
        super("decode event: unknown event type \"" + typeName + "\" (" + known.size() + " types known)");
        this.typeName = typeName;
    }

    public String typeName() {
        return typeName;
    }
}
