package dev.tallyman.runtime;

import java.nio.file.Path;

/**
 * Where the runtime finds its tools and keeps its state.
 *
 * @param runc the runc binary
 * @param conmon the conmon binary
 * @param runcRoot runc's {@code --root}: kept apart from the host's /run/runc so we list only our containers
 * @param stateDir conmon's files: {@code exits/<id>} exit files, {@code sockets/} attach links,
 *                 {@code containers/<id>/} pid files, runc's create log and the OOM marker
 */
public record RuntimeConfig(Path runc, Path conmon, Path runcRoot, Path stateDir) {
    public RuntimeConfig {
        for (Path path : new Path[] {runc, conmon, runcRoot, stateDir}) {
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("runtime paths must be absolute: " + path);
            }
        }
    }

    /** /usr/sbin/runc and /usr/bin/conmon (Debian's), runc's root at {@code <stateDir>/runc}. */
    public static RuntimeConfig defaults(Path stateDir) {
        return new RuntimeConfig(Path.of("/usr/sbin/runc"), Path.of("/usr/bin/conmon"), stateDir.resolve("runc"),
                stateDir);
    }
}
