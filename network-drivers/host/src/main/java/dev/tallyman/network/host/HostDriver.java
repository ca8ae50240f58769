package dev.tallyman.network.host;

import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;

/**
 * Containers on the host network share the host's network namespace: no interfaces, addresses or ports
 * are made for them, so joining and leaving change nothing in the kernel.
 */
public final class HostDriver implements NetworkDriver {

    @Override
    public String name() {
        return "host";
    }

    @Override
    public void createNetwork(NetworkSpec network) {
        // The host's namespace already exists.
    }

    @Override
    public void removeNetwork(NetworkSpec network) {
        // Nothing was made.
    }

    @Override
    public Attachment join(NetworkSpec network, Endpoint endpoint) {
        return Attachment.host();
    }

    @Override
    public void leave(NetworkSpec network, Endpoint endpoint) {
        // Nothing was made.
    }
}
