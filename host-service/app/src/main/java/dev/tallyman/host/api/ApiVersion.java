package dev.tallyman.host.api;

import dev.tallyman.host.commands.EngineException;

/**
 * API versions as Docker numbers them ("1.50"). Tallyman serves every version from {@link #MINIMUM} to
 * {@link #CURRENT}; clients that ask for a newer one are refused the way Docker refuses them, so they fall back.
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    public static final ApiVersion MINIMUM = new ApiVersion(1, 24);
    /** What docker CLI 28.2 speaks; the CLI negotiates down to this from its own. */
    public static final ApiVersion CURRENT = new ApiVersion(1, 50);

    public static ApiVersion parse(String text) {
        int dot = text.indexOf('.');
        try {
            if (dot < 0) {
                throw new NumberFormatException(text);
            }
            return new ApiVersion(Integer.parseInt(text.substring(0, dot)), Integer.parseInt(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid API version: " + text);
        }
    }

    /** Refuses versions outside the served range with Docker's messages. */
    public ApiVersion checkServed() {
        if (compareTo(CURRENT) > 0) {
            throw EngineException.invalid("client version " + this + " is too new. Maximum supported API version is " + CURRENT);
        }
        if (compareTo(MINIMUM) < 0) {
            throw EngineException.invalid("client version " + this + " is too old. Minimum supported API version is "
                    + MINIMUM + ", please upgrade your client to a newer version");
        }
        return this;
    }

    public boolean atLeast(int major, int minor) {
        return compareTo(new ApiVersion(major, minor)) >= 0;
    }

    @Override
    public int compareTo(ApiVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
