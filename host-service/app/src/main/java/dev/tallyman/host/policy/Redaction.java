package dev.tallyman.host.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which secrets are taken out before anything is written (issue 11): environment variables whose NAME matches
 * one of {@code envNames} keep their name and lose their value ({@code DB_PASSWORD=<redacted>}), and in a JSON
 * body every registry credential field (password, auth, identitytoken, registrytoken) is replaced whole.
 *
 * @param envNames regular expressions matched against the whole variable name
 */
public record Redaction(List<String> envNames) {
    public static final String MARK = "<redacted>";
    public static final Redaction DEFAULT = new Redaction(List.of("(?i).*(password|passwd|secret|token|key).*"));
    // docker login's body, an X-Registry-Auth/Config header decoded, a push's auth config: Docker's field names
    private static final Set<String> CREDENTIAL_FIELDS = Set.of("password", "auth", "identitytoken", "registrytoken");

    public Redaction {
        envNames = envNames == null ? DEFAULT.envNames() : List.copyOf(envNames);
        for (String pattern : envNames) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new PolicyException("redact.envNames: bad pattern '" + pattern + "': " + e.getDescription());
            }
        }
    }

    public boolean secretName(String name) {
        for (String pattern : envNames) {
            if (Pattern.matches(pattern, name)) {
                return true;
            }
        }
        return false;
    }

    /** "NAME=value" entries with secret names become "NAME=<redacted>"; others are kept as they are. */
    public List<String> env(List<String> env) {
        if (env == null) {
            return null;
        }
        List<String> out = new ArrayList<>(env.size());
        for (String entry : env) {
            int eq = entry == null ? -1 : entry.indexOf('=');
            out.add(eq > 0 && secretName(entry.substring(0, eq)) ? entry.substring(0, eq + 1) + MARK : entry);
        }
        return out;
    }

    /** The secret values of an environment, by name. */
    public java.util.Map<String, String> secrets(List<String> env) {
        java.util.Map<String, String> found = new java.util.LinkedHashMap<>();
        for (String entry : env == null ? List.<String>of() : env) {
            int eq = entry == null ? -1 : entry.indexOf('=');
            if (eq > 0 && secretName(entry.substring(0, eq))) {
                found.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return found;
    }

    /** A copy of a JSON body with credentials and secret Env values redacted, at any depth. */
    public JsonNode body(JsonNode body) {
        JsonNode copy = body.deepCopy();
        walk(copy);
        return copy;
    }

    private void walk(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<String> credentials = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = field.getKey();
                if (CREDENTIAL_FIELDS.contains(key.toLowerCase(java.util.Locale.ROOT)) && !field.getValue().isNull()) {
                    credentials.add(key);
                } else if (key.equals("Env") && field.getValue() instanceof ArrayNode array) {
                    for (int i = 0; i < array.size(); i++) {
                        if (array.get(i).isTextual()) {
                            array.set(i, TextNode.valueOf(env(List.of(array.get(i).asText())).get(0)));
                        }
                    }
                } else {
                    walk(field.getValue());
                }
            }
            credentials.forEach(key -> object.put(key, MARK));
        } else if (node instanceof ArrayNode array) {
            array.forEach(this::walk);
        }
    }
}
