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

    static Actor actorOf(HttpConnection connection) {
        if (connection.isSsl()) {
            return dev.tallyman.host.access.TlsClients.actorOf(connection);
        }
        if (connection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            if (channel instanceof EpollDomainSocketChannel domain) {
                try {
                    PeerCredentials credentials = domain.peerCredentials();
                    return Actor.socket(credentials.uid(), credentials.pid(), userName(credentials.uid()));
                } catch (IOException e) {
                    return Actor.socket(-1, -1, "");
                }
            }
        }
        return Actor.socket(-1, -1, "");
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
