package dev.tallyman.network.none;

import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.testkit.NetworkDriverContract;
import java.nio.file.Path;

/** The none driver makes nothing in the kernel; it passes the checks every network driver must. */
class NoneDriverIT implements NetworkDriverContract {
    @Override
    public NetworkDriver newDriver(Path root) {
        return new NoneDriver();
    }
}
