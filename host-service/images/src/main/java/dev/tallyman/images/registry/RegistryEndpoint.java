package dev.tallyman.images.registry;

import java.net.URI;
import java.util.Objects;

/**
 * One place to talk to for a registry name: the registry itself or one of its mirrors.
 *
 * @param base   scheme, host and port, e.g. {@code http://127.0.0.1:5000}; paths go under {@code /v2/}
 * @param mirror whether this endpoint stands in for another registry (docker.io); a failure then moves on to the next
 */
public record RegistryEndpoint(URI base, boolean mirror) {

    public RegistryEndpoint {
        Objects.requireNonNull(base, "base");
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("registry endpoint " + base + ": scheme must be http or https");
        }
        String text = base.toString();
        base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    /** {@code host:port} as it appears in error messages and as the key of cached credentials. */
    public String authority() {
        return base.getRawAuthority();
    }

    /** {@code <base>/v2/<rest>}. */
    public URI v2(String rest) {
        return URI.create(base + "/v2/" + rest);
    }
}
