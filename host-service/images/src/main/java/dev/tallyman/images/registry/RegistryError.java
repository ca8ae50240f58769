package dev.tallyman.images.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An error answer of a registry, read as Docker's distribution client reads it so that the text is Docker's:
 * the body's first {@code {"errors":[{"code","message"}]}} entry reads {@code <code in lower case words>:
 * <message>} ({@code manifest unknown: manifest unknown}); a token service's {@code {"details":"..."}} reads
 * {@code unauthorized: <details>}; a 401 with neither is {@code unauthorized: authentication required}; other
 * statuses without a readable body are {@code received unexpected HTTP status: 500 Internal Server Error}.
 *
 * @param status HTTP status
 * @param code   the registry's error code ({@code MANIFEST_UNKNOWN}), when it sent one
 * @param text   the message Docker would show
 */
public record RegistryError(int status, Optional<String> code, String text) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> DEFAULT_MESSAGES = Map.of(
            "UNAUTHORIZED", "authentication required",
            "DENIED", "requested access to the resource is denied",
            "MANIFEST_UNKNOWN", "manifest unknown",
            "NAME_UNKNOWN", "repository name not known to registry",
            "BLOB_UNKNOWN", "blob unknown to registry",
            "TOOMANYREQUESTS", "too many requests");

    /** Reads an error response. {@code challenges} are the response's WWW-Authenticate challenges. */
    public static RegistryError of(int status, List<AuthChallenge> challenges, byte[] body) {
        // RFC 6750 error codes in a bearer challenge come first, as in distribution's HandleErrorResponse.
        for (AuthChallenge c : challenges) {
            if (c.isBearer()) {
                String code = switch (c.parameter("error").orElse("")) {
                    case "invalid_token" -> "UNAUTHORIZED";
                    case "insufficient_scope" -> "DENIED";
                    default -> null;
                };
                if (code != null) {
                    String message = c.parameter("error_description").filter(d -> !d.isEmpty())
                            .orElse(DEFAULT_MESSAGES.get(code));
                    return coded(status, code, message);
                }
            }
        }
        JsonNode json = readJson(body);
        if (json != null && json.path("details").isTextual() && !json.path("details").asText().isEmpty()) {
            String code = status == 401 ? "UNAUTHORIZED" : status == 429 ? "TOOMANYREQUESTS" : "UNKNOWN";
            return coded(status, code, json.path("details").asText());
        }
        JsonNode errors = json == null ? null : json.path("errors");
        if (errors != null && errors.isArray() && !errors.isEmpty()) {
            JsonNode first = errors.get(0);
            String code = first.path("code").asText("UNKNOWN").toUpperCase(Locale.ROOT);
            String message = first.path("message").asText("");
            if (message.isEmpty()) {
                message = DEFAULT_MESSAGES.getOrDefault(code, "unknown error");
            }
            return coded(status, code, message);
        }
        if (status == 401) {
            return coded(status, "UNAUTHORIZED", DEFAULT_MESSAGES.get("UNAUTHORIZED"));
        }
        if (status >= 400 && status < 500 && body.length > 0) {
            return new RegistryError(status, Optional.empty(), "error parsing HTTP " + status + " response body: "
                    + "invalid character looking for beginning of value: \"" + printable(body) + "\"");
        }
        return new RegistryError(status, Optional.empty(),
                "received unexpected HTTP status: " + status + " " + reasonPhrase(status));
    }

    private static RegistryError coded(int status, String code, String message) {
        return new RegistryError(status, Optional.of(code), code.toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + message);
    }

    /** Whether the registry said the thing asked for is not there. */
    public boolean notFound() {
        return code.map(c -> c.equals("MANIFEST_UNKNOWN") || c.equals("NAME_UNKNOWN") || c.equals("BLOB_UNKNOWN"))
                .orElse(status == 404);
    }

    /** What kind of failure this is for the API. */
    public RegistryException.Reason reason() {
        if (code.isPresent()) {
            switch (code.get()) {
                case "UNAUTHORIZED":
                    return RegistryException.Reason.UNAUTHORIZED;
                case "DENIED":
                    return RegistryException.Reason.DENIED;
                default:
                    break;
            }
        }
        if (notFound()) {
            return RegistryException.Reason.NOT_FOUND;
        }
        if (status == 401) {
            return RegistryException.Reason.UNAUTHORIZED;
        }
        if (status == 403) {
            return RegistryException.Reason.DENIED;
        }
        return status >= 500 ? RegistryException.Reason.UNREACHABLE : RegistryException.Reason.PROTOCOL;
    }

    public RegistryException exception() {
        return new RegistryException(reason(), code, text, null);
    }

    public RegistryException exception(String prefix) {
        return new RegistryException(reason(), code, prefix + text, null);
    }

    private static JsonNode readJson(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String printable(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 416 -> "Requested Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }
}
