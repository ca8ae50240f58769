package dev.tallyman.spi.network;

/**
 * The optional ability to publish container ports on the host, checked with {@code instanceof}: {@code host}
 * and {@code none} have nothing to publish to (Docker discards published ports there), {@code bridge} forwards
 * them in the kernel so they keep working while the service is away.
 */
public interface PortPublishing {

    /**
     * Forwards each of the endpoint's {@link Endpoint#ports()} to the endpoint's address. Repeating it is safe.
     * A host port that a process on the host already listens on fails with IN_USE, naming the address and port,
     * and leaves none of the endpoint's mappings in place.
     */
    void publish(NetworkSpec network, Endpoint endpoint);

    /** Removes the forwarding {@link #publish} made for the endpoint. None there: nothing happens. */
    void unpublish(NetworkSpec network, Endpoint endpoint);
}
