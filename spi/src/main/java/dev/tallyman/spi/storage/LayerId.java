package dev.tallyman.spi.storage;

import java.util.regex.Pattern;

/**
 * The name of a layer inside a storage driver: 1 to 128 characters of [a-zA-Z0-9_.-], never starting
 * with a dot, so that it is always one safe path segment. Image layers use their chain id's hex,
 * container layers the container id.
 */
public record LayerId(String value) {
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,127}");

    public LayerId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid layer id: " + value);
        }
    }

    public static LayerId of(String value) {
        return new LayerId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
