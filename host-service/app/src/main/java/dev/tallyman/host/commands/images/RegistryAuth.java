package dev.tallyman.host.commands.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.images.registry.RegistryCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * What a client sends to authenticate to a registry: the {@code X-Registry-Auth} header (base64url of
 * {@code {"username","password","serveraddress","identitytoken"}}) or the body of {@code POST /auth}.
 * Nothing here is ever logged or recorded; only {@link RegistryCredentials} leaves, which hides its secrets.
 */
public final class RegistryAuth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryAuth() {
    }

    /**
     * The credentials in an {@code X-Registry-Auth} header; none for an absent, empty ({@code e30=}) or unreadable
     * header, which Docker also treats as anonymous.
     */
    public static Optional<RegistryCredentials> fromHeader(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(padded(header.trim()));
        } catch (IllegalArgumentException notUrl) {
            try {
                decoded = Base64.getDecoder().decode(padded(header.trim()));
            } catch (IllegalArgumentException unreadable) {
                return Optional.empty();
            }
        }
        try {
            return fromJson(JSON.readTree(new String(decoded, StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** The credentials of an auth config object; none when it holds neither a user name nor a token. */
    public static Optional<RegistryCredentials> fromJson(JsonNode auth) {
        if (auth == null || !auth.isObject()) {
            return Optional.empty();
        }
        String username = text(auth, "username");
        String password = text(auth, "password");
        String token = text(auth, "identitytoken");
        if (!token.isEmpty()) {
            return Optional.of(RegistryCredentials.identityToken(username, token));
        }
        if (username.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RegistryCredentials.basic(username, password));
    }

    /** The registry the auth config names, as the CLI sends it ({@code 127.0.0.1:5000}, {@code https://index.docker.io/v1/}). */
    public static String serverAddress(JsonNode auth) {
        return auth == null ? "" : text(auth, "serveraddress");
    }

    private static String text(JsonNode node, String field) {
        // The CLI writes lower-case keys; some clients send Go's field names.
        JsonNode value = node.get(field);
        if (value == null) {
            var names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (name.equalsIgnoreCase(field)) {
                    value = node.get(name);
                    break;
                }
            }
        }
        return value == null || value.isNull() ? "" : value.asText("");
    }

    private static String padded(String base64) {
        int rest = base64.length() % 4;
        return rest == 0 ? base64 : base64 + "=".repeat(4 - rest);
    }
}
