package dev.tallyman.host.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tallyman.host.commands.EngineException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's complaint about a request body told in the words Go's encoding/json uses, which is what Docker's
 * clients see from dockerd: "invalid character 'x' looking for beginning of value", "unexpected EOF",
 * "json: cannot unmarshal string into Go struct field .Env of type []string".
 */
final class JsonErrors {
    private static final Pattern CHARACTER = Pattern.compile("(?:Unexpected character|Unrecognized token) \\('?(.)");
    private static final Pattern TOKEN = Pattern.compile("Unrecognized token '(.)");

    private JsonErrors() {
    }

    /**
     * Refuses a body that is JSON null (or nothing), or holds null as an element of an array: Go would read
     * those as empty values no handler here is written for.
     */
    static void checkNoNulls(JsonNode tree) {
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            throw EngineException.invalid("invalid JSON: the body is null, a JSON object was expected");
        }
        checkNoNulls(tree, "");
    }

    private static void checkNoNulls(JsonNode node, String path) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isNull()) {
                    throw EngineException.invalid("invalid JSON: json: cannot unmarshal null into Go struct field "
                            + (path.isEmpty() ? "." : path) + " of type string");
                }
                checkNoNulls(node.get(i), path);
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> checkNoNulls(e.getValue(), path + "." + e.getKey()));
        }
    }

    static String describe(JsonProcessingException e) {
        String original = String.valueOf(e.getOriginalMessage());
        if (e instanceof JsonParseException) {
            if (original.contains("end-of-input")) {
                return "unexpected EOF";
            }
            Matcher m = TOKEN.matcher(original);
            if (!m.find()) {
                m = CHARACTER.matcher(original);
                if (!m.find()) {
                    return "invalid character in JSON";
                }
            }
            return "invalid character '" + m.group(1) + "' looking for beginning of value";
        }
        if (original.startsWith("Trailing token")) {
            return "unexpected content after JSON";
        }
        if (e instanceof MismatchedInputException mismatch) {
            if (original.contains("end-of-input")) {
                return "unexpected EOF";
            }
            return "json: cannot unmarshal " + jsonKind(original) + " into Go struct field " + field(mismatch)
                    + " of type " + goType(mismatch.getTargetType());
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "json: cannot unmarshal value into Go struct field " + field(mapping);
        }
        return original;
    }

    private static String field(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            path.append('.').append(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return path.toString();
    }

    private static String jsonKind(String message) {
        if (message.contains("START_ARRAY") || message.contains("from Array value")) {
            return "array";
        }
        if (message.contains("START_OBJECT") || message.contains("from Object value")) {
            return "object";
        }
        if (message.contains("String value") || message.contains("VALUE_STRING")) {
            return "string";
        }
        if (message.contains("Boolean") || message.contains("VALUE_TRUE") || message.contains("VALUE_FALSE")) {
            return "bool";
        }
        return "number";
    }

    private static String goType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "[]string";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "map[string]string";
        }
        if (type == String.class) {
            return "string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "bool";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "int64";
        }
        return type.getSimpleName();
    }
}
