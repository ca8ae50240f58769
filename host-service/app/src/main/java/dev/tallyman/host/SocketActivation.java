package dev.tallyman.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Start by systemd's tallyman.socket. systemd holds the listening socket and passes it as fd 3; Vert.x cannot
 * serve an inherited socket, so the service takes the path over: it unlinks the socket file and binds its own at
 * the same path (new connections reach the service from then on, with their SO_PEERCRED intact). Connections that
 * reached systemd's socket before that, the one that triggered the start among them, are accepted and closed at
 * once, so their clients see the connection end instead of waiting forever. Docker adopts the fd (fd://); doing the
 * same needs a server that accepts an inherited channel.
 */
final class SocketActivation {
    private static final int SD_LISTEN_FDS_START = 3;

    private SocketActivation() {
    }

    interface C extends Library {
        int accept4(int fd, Pointer addr, Pointer len, int flags);

        int close(int fd);
    }

    /** True when systemd passed this process its socket (LISTEN_PID is ours, LISTEN_FDS at least 1). */
    static boolean activated(Map<String, String> env) {
        return String.valueOf(ProcessHandle.current().pid()).equals(env.get("LISTEN_PID"))
                && env.getOrDefault("LISTEN_FDS", "0").matches("[1-9][0-9]*");
    }

    /** Frees the path for the service's own socket and drains systemd's on a daemon thread. */
    static void takeOver(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        C c = Native.load("c", C.class);
        Thread drain = new Thread(() -> {
            while (true) {
                int conn = c.accept4(SD_LISTEN_FDS_START, null, null, 0);
                if (conn < 0) {
                    return;
                }
                c.close(conn);
            }
        }, "systemd-socket-drain");
        drain.setDaemon(true);
        drain.start();
    }
}
