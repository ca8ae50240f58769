package dev.tallyman.host.api;

import dev.tallyman.audit.store.Actor;
import dev.tallyman.host.policy.Caller;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The groups of a socket caller, for access rules that name groups: SO_PEERCRED's gid, plus the supplementary
 * groups the calling process holds (/proc/&lt;pid&gt;/status), so membership is what the kernel says, not what
 * /etc/group said at some earlier time.
 */
final class PeerGroups {
    private PeerGroups() {
    }

    static Caller callerOf(HttpConnection connection, Actor actor) {
        Set<Integer> gids = new HashSet<>();
        if (connection instanceof ConnectionBase base && base.channel() instanceof EpollDomainSocketChannel domain) {
            try {
                for (int gid : domain.peerCredentials().gids()) {
                    gids.add(gid);
                }
            } catch (IOException e) {
                // no gid: the caller matches no group rule
            }
        }
        if (actor.pid() > 0) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + actor.pid() + "/status"))) {
                    if (line.startsWith("Groups:")) {
                        for (String gid : line.substring(7).trim().split("\\s+")) {
                            if (!gid.isEmpty()) {
                                gids.add(Integer.valueOf(gid));
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the caller has exited already: its primary group is all that is known
            }
        }
        return new Caller(actor, gids);
    }

    /** The body of a route that reads its JSON whole before the handler (postJson), else null: a stream is left alone. */
    static byte[] jsonBodyOf(RoutingContext context) {
        try {
            Buffer body = context.body() == null ? null : context.body().buffer();
            return body == null ? null : body.getBytes();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
