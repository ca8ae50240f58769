package dev.tallyman.host.audit.query;

import dev.tallyman.audit.store.RecordedEvent;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The filters of {@code GET /tallyman/v1/events}, read from the query string. Every filter given must hold
 * (types: any of them). Times are RFC 3339 or Unix seconds; {@code since} and {@code until} are inclusive.
 *
 * @param after  only events with a greater position (0: from the first)
 * @param follow keep the answer open and stream later events as JSON lines
 */
public record EventFilter(String stream, List<String> types, Integer actorUid, String actor, UUID correlation,
                          Instant since, Instant until, long after, boolean afterGiven, int limit, boolean follow) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;
    static final Set<String> NAMES = Set.of("stream", "type", "actor_uid", "actor", "correlation", "since", "until",
            "after", "limit", "follow");

    /** Reads the query parameters; a name it does not know, or a value it cannot read, is a 400. */
    public static EventFilter parse(Map<String, List<String>> query) {
        for (String name : query.keySet()) {
            if (!NAMES.contains(name)) {
                throw new BadFilterException("unknown filter '" + name + "': known are " + String.join(", ",
                        NAMES.stream().sorted().toList()));
            }
        }
        String stream = single(query, "stream");
        List<String> types = query.getOrDefault("type", List.of()).stream().filter(t -> !t.isEmpty()).toList();
        Integer uid = null;
        String uidText = single(query, "actor_uid");
        if (uidText != null) {
            try {
                uid = Integer.parseInt(uidText);
            } catch (NumberFormatException e) {
                throw new BadFilterException("invalid actor_uid '" + uidText + "': not a number");
            }
        }
        String actor = single(query, "actor");
        UUID correlation = null;
        String correlationText = single(query, "correlation");
        if (correlationText != null) {
            try {
                correlation = UUID.fromString(correlationText);
            } catch (IllegalArgumentException e) {
                throw new BadFilterException("invalid correlation '" + correlationText + "': not a UUID");
            }
        }
        Instant since = time(query, "since");
        Instant until = time(query, "until");
        if (since != null && until != null && until.isBefore(since)) {
            throw new BadFilterException("until (" + until + ") is before since (" + since + ")");
        }
        String afterText = single(query, "after");
        long after = afterText == null ? 0 : number(afterText, "after", 0, Long.MAX_VALUE);
        String limitText = single(query, "limit");
        int limit = limitText == null ? DEFAULT_LIMIT : (int) number(limitText, "limit", 1, MAX_LIMIT);
        boolean follow = bool(single(query, "follow"), "follow");
        return new EventFilter(stream, types, uid, actor, correlation, since, until, after, afterText != null, limit,
                follow);
    }

    /** Whether an event read from the store passes these filters (all but after and limit), for follow. */
    public boolean matches(RecordedEvent e) {
        return (stream == null || stream.equals(e.stream().value()))
                && (types.isEmpty() || types.contains(e.type()))
                && (actorUid == null || actorUid == e.actor().uid())
                && (actor == null || actor.equals(e.actor().userName()) || actor.equals(e.actor().tlsSubject()))
                && (correlation == null || correlation.equals(e.correlationId()))
                && (since == null || !e.occurredAt().isBefore(since))
                && (until == null || !e.occurredAt().isAfter(until));
    }

    /** RFC 3339 (2026-12-06T02:40:00Z, with an offset or fractions) or Unix seconds (1796438400, 1796438400.5). */
    static Instant parseTime(String text, String name) {
        if (text.matches("-?[0-9]+(\\.[0-9]{1,9})?")) {
            String[] parts = text.split("\\.");
            long seconds;
            try {
                seconds = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                throw new BadFilterException("invalid " + name + " '" + text + "': out of range");
            }
            long nanos = parts.length == 1 ? 0 : Long.parseLong((parts[1] + "000000000").substring(0, 9));
            return Instant.ofEpochSecond(seconds, nanos);
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadFilterException("invalid " + name + " '" + text
                    + "': neither an RFC 3339 time (2006-01-02T15:04:05Z) nor Unix seconds");
        }
    }

    private static Instant time(Map<String, List<String>> query, String name) {
        String text = single(query, name);
        return text == null ? null : parseTime(text, name);
    }

    private static long number(String text, String name, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BadFilterException("invalid " + name + " '" + text + "': not a number");
        }
        if (value < min || value > max) {
            throw new BadFilterException("invalid " + name + " " + value + ": must be from " + min + " to " + max);
        }
        return value;
    }

    private static boolean bool(String text, String name) {
        if (text == null || text.equals("0") || text.equalsIgnoreCase("false")) {
            return false;
        }
        if (text.isEmpty() || text.equals("1") || text.equalsIgnoreCase("true")) {
            return true;
        }
        throw new BadFilterException("invalid " + name + " '" + text + "': true or false");
    }

    /** A filter given once; given twice (other than type) is a 400, as the caller could not mean both. */
    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new BadFilterException("filter '" + name + "' given " + values.size() + " times: give it once");
        }
        return values.get(0);
    }
}
