package dev.tallyman.host.runtime;

import dev.tallyman.spi.network.Attachment;
import java.util.Optional;

/**
 * How a container's network was set up for one start: the attachment runc gets, and the name resolution files
 * that differ from the defaults the spec writer derives from it.
 *
 * @param resolvConf /etc/resolv.conf for containers on a user network (the network's embedded DNS); empty: the
 *                   writer's default (the host's resolvers minus loopback ones)
 * @param hostname the hostname to use instead of the spec's (the host's, on the host network)
 */
public record NetworkSetup(Attachment attachment, Optional<String> resolvConf, Optional<String> hostname) {

    public static NetworkSetup of(Attachment attachment) {
        return new NetworkSetup(attachment, Optional.empty(), Optional.empty());
    }
}
