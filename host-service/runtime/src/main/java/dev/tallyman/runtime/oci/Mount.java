package dev.tallyman.runtime.oci;

import java.util.List;

/**
 * A mount a user asked for ({@code -v}, {@code --mount}, {@code --tmpfs}), added after the default mounts.
 *
 * @param type BIND: {@code source} is a host path; TMPFS: {@code source} is ignored
 * @param source the host path of a bind mount
 * @param destination the absolute path inside the container
 * @param options mount options as in the OCI spec ({@code ro}, {@code size=64m}, ...)
 */
public record Mount(Type type, String source, String destination, List<String> options) {
    public enum Type { BIND, TMPFS }

    public Mount {
        options = List.copyOf(options);
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException("a mount destination must be absolute: " + destination);
        }
        if (type == Type.BIND && (source == null || !source.startsWith("/"))) {
            throw new IllegalArgumentException("a bind mount source must be an absolute host path: " + source);
        }
    }

    public static Mount bind(String source, String destination, boolean readOnly) {
        return new Mount(Type.BIND, source, destination, List.of(readOnly ? "ro" : "rw"));
    }

    public static Mount tmpfs(String destination, List<String> options) {
        return new Mount(Type.TMPFS, "tmpfs", destination, options);
    }
}
