package dev.tallyman.audit.store;

import java.util.regex.Pattern;

/** A stream's name: a kind and an id, {@code container-3f2a…}, or a single word for a one-stream kind ({@code images}). */
public record StreamId(String value) {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9]*(-[a-zA-Z0-9_.:-]+)?");

    public StreamId {
        if (value == null || value.length() > 200 || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid stream id: " + value);
        }
    }

    public static StreamId of(String kind, String id) {
        return new StreamId(kind + "-" + id);
    }

    public static StreamId container(String containerId) {
        return of("container", containerId);
    }

    public static StreamId network(String networkId) {
        return of("network", networkId);
    }

    public static StreamId volume(String name) {
        return of("volume", name);
    }

    /**
     * One registry's login attempts; the host may carry a port ({@code localhost:5000}). Characters a stream id
     * cannot hold (the brackets of {@code [::1]:5000}) become {@code _}; the events name the host as given.
     */
    public static StreamId registry(String host) {
        return of("registry", host.isEmpty() ? "_" : host.replaceAll("[^a-zA-Z0-9_.:-]", "_"));
    }

    public static final StreamId IMAGES = new StreamId("images");
    public static final StreamId REFUSALS = new StreamId("refusals");

    @Override
    public String toString() {
        return value;
    }
}
