package dev.tallyman.images.registry;

import dev.tallyman.images.ImageException;
import java.util.Optional;

/**
 * A registry operation that failed, with Docker's words as the message ({@code unauthorized: authentication
 * required}, {@code manifest for localhost:5000/app:v1 not found: manifest unknown: manifest unknown}).
 * The {@link Reason} tells the API which status to answer with; no message ever holds a credential.
 */
public final class RegistryException extends ImageException {

    /** Why the operation failed. */
    public enum Reason {
        /** The registry wants credentials we lack or refused the ones given (API: 401). */
        UNAUTHORIZED(Kind.SYSTEM),
        /** The registry knows the credentials but refuses the action (API: 403 in Docker's errdefs.Forbidden; shown as 500 by pull). */
        DENIED(Kind.SYSTEM),
        /** The repository, manifest or blob is not there (API: 404). */
        NOT_FOUND(Kind.NOT_FOUND),
        /** The registry could not be reached or answered with a server error. */
        UNREACHABLE(Kind.SYSTEM),
        /** What the registry sent is not what it promised: a digest or size mismatch, a malformed document. */
        INVALID_CONTENT(Kind.SYSTEM),
        /** The image cannot be pulled here: an unsupported media type or no entry for this platform. */
        UNSUPPORTED(Kind.INVALID_PARAMETER),
        /** Any other answer the registry gave. */
        PROTOCOL(Kind.SYSTEM);

        private final Kind kind;

        Reason(Kind kind) {
            this.kind = kind;
        }
    }

    private final Reason reason;
    private final Optional<String> registryCode;

    public RegistryException(Reason reason, String message) {
        this(reason, Optional.empty(), message, null);
    }

    public RegistryException(Reason reason, String message, Throwable cause) {
        this(reason, Optional.empty(), message, cause);
    }

    /** @param registryCode the registry's error code ({@code MANIFEST_UNKNOWN}) when the registry sent one */
    public RegistryException(Reason reason, Optional<String> registryCode, String message, Throwable cause) {
        super(reason.kind, message, cause);
        this.reason = reason;
        this.registryCode = registryCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The registry's error code, e.g. {@code MANIFEST_UNKNOWN}, {@code UNAUTHORIZED}; empty when it sent none. */
    public Optional<String> registryCode() {
        return registryCode;
    }

    /** The same failure with a prefix naming what was being done, as Docker wraps errors. */
    RegistryException prefixed(String prefix) {
        return new RegistryException(reason, registryCode, prefix + getMessage(), this);
    }
}
