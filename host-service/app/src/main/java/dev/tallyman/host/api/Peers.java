package dev.tallyman.host.api;

import dev.tallyman.audit.store.Actor;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who is on the other end of a unix-socket connection: the kernel's SO_PEERCRED answer (uid and pid as of
 * connect), read through Netty's epoll channel, plus the user name from /etc/passwd.
 */
final class Peers {
    private Peers() {
    }

    /**
     * The caller as the kernel names it. A unix-socket caller whose SO_PEERCRED cannot be read is refused
     * ({@link UnknownCaller}), never recorded under a made-up uid.
     */
    static Actor actorOf(HttpConnection connection) {
        if (connection.isSsl()) {
            return dev.tallyman.host.access.TlsClients.actorOf(connection);
        }
        if (connection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            if (channel instanceof EpollDomainSocketChannel domain) {
                PeerCredentials credentials;
                try {
                    credentials = domain.peerCredentials();
                } catch (IOException e) {
                    throw new UnknownCaller("read SO_PEERCRED: " + e.getMessage());
                }
                return Actor.socket(credentials.uid(), credentials.pid(), userName(credentials.uid()),
                        loginUid(credentials.pid()));
            }
            throw new UnknownCaller("connection of an unexpected kind: " + channel.getClass().getSimpleName());
        }
        throw new UnknownCaller("connection of an unexpected kind: " + connection.getClass().getSimpleName());
    }

    /** A caller whose identity could not be read: the request is refused and the attempt recorded. */
    static final class UnknownCaller extends RuntimeException {
        UnknownCaller(String message) {
            super(message);
        }
    }

    /**
     * The login uid of the calling process: the user who logged in, unchanged by {@code sudo} or {@code su}.
     * 4294967295 (the kernel's "never set", e.g. a service started at boot) reads as -1, as does a process that
     * has already gone.
     */
    static int loginUid(int pid) {
        try {
            long value = Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/loginuid")).trim());
            return value == 4294967295L ? Actor.UNSET : (int) value;
        } catch (IOException | NumberFormatException e) {
            return Actor.UNSET;
        }
    }

    static String userName(int uid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/etc/passwd"));
            for (String line : lines) {
                String[] fields = line.split(":", -1);
                if (fields.length > 2 && fields[2].equals(Integer.toString(uid))) {
                    return fields[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // A user without a passwd entry is still recorded by uid.
        }
        return "";
    }
}
