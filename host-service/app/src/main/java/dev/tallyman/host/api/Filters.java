package dev.tallyman.host.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.host.commands.EngineException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's filters query parameter: JSON mapping each key to its values, either as a list
 * ({"status":["exited"]}) or, from older clients, as a map of value to true ({"status":{"exited":true}}).
 * Values of one key are alternatives; different keys must all match.
 */
public record Filters(Map<String, List<String>> values) {
    public Filters {
        values = Map.copyOf(values);
    }

    public static Filters parse(String text, ObjectMapper json, Set<String> accepted) {
        if (text == null || text.isBlank()) {
            return new Filters(Map.of());
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (Exception e) {
            throw EngineException.invalid("invalid filter: " + text);
        }
        if (!root.isObject()) {
            throw EngineException.invalid("invalid filter: " + text);
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!accepted.contains(key)) {
                throw EngineException.invalid("invalid filter '" + key + "'");
            }
            JsonNode node = root.get(key);
            List<String> list = new ArrayList<>();
            if (node.isArray()) {
                node.forEach(v -> list.add(v.asText()));
            } else if (node.isObject()) {
                node.fieldNames().forEachRemaining(list::add);
            } else {
                list.add(node.asText());
            }
            values.put(key, list);
        }
        return new Filters(values);
    }

    public boolean has(String key) {
        return values.containsKey(key) && !values.get(key).isEmpty();
    }

    public List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** True when the key is absent, or when one of its values passes the test. */
    public boolean matchesAny(String key, java.util.function.Predicate<String> test) {
        return !has(key) || get(key).stream().anyMatch(test);
    }

    /** A label filter, {@code key} or {@code key=value}, against an object's labels. */
    static boolean labelMatches(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        if (eq < 0) {
            return labels.containsKey(filter);
        }
        return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }
}
