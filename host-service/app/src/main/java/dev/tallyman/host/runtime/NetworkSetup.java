package dev.tallyman.host.runtime;

import dev.tallyman.spi.network.Attachment;
import java.util.List;
import java.util.Optional;

/**
 * How a container's network was set up for one start: the attachment runc gets, and the name resolution files
 * that differ from the defaults the spec writer derives from it.
 *
 * @param resolvConf /etc/resolv.conf for containers on a user network (the network's embedded DNS); empty: the
 *                   writer's default (the host's resolvers minus loopback ones)
 * @param hostname the hostname to use instead of the spec's (the host's, on the host network)
 * @param links the containers it links to on the default bridge: hosts lines and environment for each
 */
public record NetworkSetup(Attachment attachment, Optional<String> resolvConf, Optional<String> hostname,
                           List<LinkedContainer> links) {

    public NetworkSetup {
        links = links == null ? List.of() : List.copyOf(links);
    }

    /** Without links. */
    public NetworkSetup(Attachment attachment, Optional<String> resolvConf, Optional<String> hostname) {
        this(attachment, resolvConf, hostname, List.of());
    }

    public static NetworkSetup of(Attachment attachment) {
        return new NetworkSetup(attachment, Optional.empty(), Optional.empty());
    }

    /** This setup with the default bridge links of this start. */
    public NetworkSetup withLinks(List<LinkedContainer> newLinks) {
        return new NetworkSetup(attachment, resolvConf, hostname, newLinks);
    }
}
