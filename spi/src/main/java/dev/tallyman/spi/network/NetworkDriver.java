package dev.tallyman.spi.network;

/**
 * Gives containers their network: makes and removes networks, and joins a container to one.
 *
 * <p>Vocabulary. A <em>network</em> is known by a {@link NetworkSpec} the host made; the driver keeps
 * whatever kernel objects it needs for it (a bridge, NAT rules) and nothing else. An <em>endpoint</em> is
 * one container's place on one network. Joining returns an {@link Attachment}: how the runtime must set up
 * the container's network namespace. Failures are {@link dev.tallyman.spi.DriverException}s.
 */
public interface NetworkDriver {

    /** The driver's name: {@code bridge}, {@code host}, {@code none}. */
    String name();

    /** Makes the kernel objects for a network. Repeating it for an existing network is safe and changes nothing. */
    void createNetwork(NetworkSpec network);

    /** Removes what {@link #createNetwork} made. Absent network: nothing happens. Endpoints still joined: IN_USE. */
    void removeNetwork(NetworkSpec network);

    /**
     * Joins a container to a network. Before the container starts, the driver may prepare a namespace and
     * name it in the attachment; otherwise the runtime makes a new one or shares the host's, as the attachment says.
     */
    Attachment join(NetworkSpec network, Endpoint endpoint);

    /** Undoes {@link #join}: removes interfaces, addresses and published ports of the endpoint. Absent endpoint: nothing happens. */
    void leave(NetworkSpec network, Endpoint endpoint);
}
