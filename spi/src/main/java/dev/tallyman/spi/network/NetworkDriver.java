package dev.tallyman.spi.network;

/**
 * Gives containers their network: makes and removes networks, and joins containers to them.
 *
 * <p>Vocabulary. A <em>network</em> is known by a {@link NetworkSpec} the host made; the host owns the record
 * of networks and address allocations, the driver owns the kernel objects it makes for them (a bridge, NAT
 * and isolation rules) and nothing else. An <em>endpoint</em> is one container's place on one network,
 * named by the pair of network id and container id. The host makes each container's network namespace (a
 * bind-mounted file that outlives the service) and hands its path in the {@link Endpoint}; joining
 * configures an interface in it and returns an {@link Attachment}. Kernel objects a driver made keep
 * working while the service is away. Ports are published by drivers that also implement {@link PortPublishing}.
 * The driver is safe for concurrent use on different endpoints. Failures are
 * {@link dev.tallyman.spi.DriverException}s whose kind says what went wrong.
 */
public interface NetworkDriver {

    /** The driver's name as Docker spells it: {@code bridge}, {@code host}, {@code null} (for the none network). */
    String name();

    /**
     * Makes the kernel objects of a network. Repeating it for an existing network is safe and changes nothing;
     * it also repairs what is missing (after a reboot the bridge is gone, the record is not).
     */
    void createNetwork(NetworkSpec network);

    /** Removes what {@link #createNetwork} made. Absent network: nothing happens. */
    void removeNetwork(NetworkSpec network);

    /**
     * Joins a container to a network: for a driver that makes interfaces, an interface named
     * {@link Endpoint#interfaceName()} with the endpoint's address and MAC inside the endpoint's namespace, up,
     * with a default route through the gateway unless the network is internal or the namespace has one already.
     * Works before the container starts and while it runs. A failure leaves nothing of the endpoint behind.
     */
    Attachment join(NetworkSpec network, Endpoint endpoint);

    /**
     * Undoes {@link #join}: removes the endpoint's interfaces and whatever the driver made for it, including
     * published ports. Absent endpoint or namespace already gone: nothing happens, so a repeat is safe.
     * Published ports are gone when it returns; a driver may finish deleting interfaces in the background
     * (bridge: the kernel takes tens of milliseconds per veth), and a later join of the same endpoint waits
     * for that. Removing the namespace deletes the container's interfaces as well.
     */
    void leave(NetworkSpec network, Endpoint endpoint);
}
