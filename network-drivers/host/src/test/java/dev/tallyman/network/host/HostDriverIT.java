package dev.tallyman.network.host;

import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.testkit.NetworkDriverContract;
import java.nio.file.Path;

/** The host driver makes nothing in the kernel; it passes the checks every network driver must. */
class HostDriverIT implements NetworkDriverContract {
    @Override
    public NetworkDriver newDriver(Path root) {
        return new HostDriver();
    }
}
