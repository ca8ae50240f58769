package dev.tallyman.audit.event;

/**
 * One --link of docker create: the linking container reaches {@code name} as {@code alias}.
 *
 * <p>On the default bridge the link is Docker's legacy kind: the linked container is looked up when the link is
 * made and followed by id from then on (a rename keeps the link), and the linking container gets a hosts entry
 * and environment variables for it at each start. On a user network the link is only a name the embedded DNS
 * answers for the linking container, resolved by name at the moment of the question, so {@code containerId} is
 * empty.
 *
 * @param name the linked container as the user named it, without a leading slash
 * @param alias the name the linking container knows it by (the name itself when none was given)
 * @param containerId the linked container's id on the default bridge; "" on a user network
 */
public record ContainerLink(String name, String alias, String containerId) {
    public ContainerLink {
        containerId = containerId == null ? "" : containerId;
    }

    /** A link followed by id: made on the default bridge. */
    public boolean legacy() {
        return !containerId.isEmpty();
    }
}
