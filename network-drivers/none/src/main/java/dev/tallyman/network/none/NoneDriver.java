package dev.tallyman.network.none;

import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;

/**
 * The network of containers that want none: each gets a namespace of its own holding only loopback.
 * The runtime makes that namespace (runc brings loopback up itself), so there is no kernel state to keep here.
 */
public final class NoneDriver implements NetworkDriver {

    @Override
    public String name() {
        return "null";
    }

    @Override
    public void createNetwork(NetworkSpec network) {
        // Nothing to make: the namespace is per container and the runtime creates it.
    }

    @Override
    public void removeNetwork(NetworkSpec network) {
        // Nothing was made.
    }

    @Override
    public Attachment join(NetworkSpec network, Endpoint endpoint) {
        return Attachment.loopbackOnly();
    }

    @Override
    public void leave(NetworkSpec network, Endpoint endpoint) {
        // The namespace goes away with the container's last process.
    }
}
