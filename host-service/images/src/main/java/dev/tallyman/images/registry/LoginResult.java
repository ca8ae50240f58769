package dev.tallyman.images.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * A successful {@code docker login}, as {@code POST /auth} answers it: {@code {"Status","IdentityToken"}}.
 *
 * @param status        {@code Login Succeeded}
 * @param identityToken a token to store instead of the password; empty when the registry gives none
 */
public record LoginResult(String status, Optional<String> identityToken) {
    public LoginResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(identityToken, "identityToken");
    }

    @Override
    public String toString() {
        return "LoginResult[status=" + status + ", identityToken=" + (identityToken.isPresent() ? "<hidden>" : "none") + "]";
    }
}
