package dev.tallyman.images.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * What a client sent to log in to one registry ({@code X-Registry-Auth}, {@code POST /auth}): a user name and
 * password, or an identity token (an OAuth refresh token a token service handed out earlier). The secret parts
 * never leave this record except as the Authorization header or token-request body they are meant for:
 * {@link #toString()} names only the user.
 *
 * @param username      the user; empty with an identity token alone
 * @param password      the password; empty with an identity token
 * @param identityToken the refresh token; empty for user name and password
 */
public record RegistryCredentials(String username, String password, Optional<String> identityToken) {

    public RegistryCredentials {
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        identityToken = Objects.requireNonNull(identityToken, "identityToken").filter(t -> !t.isEmpty());
        if (identityToken.isEmpty() && username.isEmpty()) {
            throw new IllegalArgumentException("registry credentials need a username or an identity token");
        }
    }

    public static RegistryCredentials basic(String username, String password) {
        return new RegistryCredentials(username, password, Optional.empty());
    }

    public static RegistryCredentials identityToken(String username, String token) {
        return new RegistryCredentials(username, "", Optional.of(token));
    }

    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", secret=<hidden>]";
    }
}
