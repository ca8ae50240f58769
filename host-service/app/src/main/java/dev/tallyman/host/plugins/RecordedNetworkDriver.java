package dev.tallyman.host.plugins;

import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import dev.tallyman.spi.network.PortPublishing;

/**
 * A plugin's network driver whose every call that changes something is on the record as a plugin use, and runs
 * with the plugin's class loader as the context loader ({@link PluginCalls}).
 */
class RecordedNetworkDriver implements NetworkDriver {
    final NetworkDriver driver;
    final PluginRecord record;

    RecordedNetworkDriver(NetworkDriver driver, PluginRecord record) {
        this.driver = driver;
        this.record = record;
    }

    /** Keeps the optional ability: a driver that publishes ports still does behind the wrapper. */
    static NetworkDriver of(NetworkDriver driver, PluginRecord record) {
        return driver instanceof PortPublishing ? new Publishing(driver, record) : new RecordedNetworkDriver(driver, record);
    }

    void used(String operation, String object) {
        record.used(DriverKind.NETWORK, driver.name(), operation, object);
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public void createNetwork(NetworkSpec network) {
        used("createNetwork", network.id());
        PluginCalls.run(driver, () -> driver.createNetwork(network));
    }

    @Override
    public void removeNetwork(NetworkSpec network) {
        used("removeNetwork", network.id());
        PluginCalls.run(driver, () -> driver.removeNetwork(network));
    }

    @Override
    public Attachment join(NetworkSpec network, Endpoint endpoint) {
        used("join", network.id() + "/" + endpoint.containerId());
        return PluginCalls.within(driver, () -> driver.join(network, endpoint));
    }

    @Override
    public void leave(NetworkSpec network, Endpoint endpoint) {
        used("leave", network.id() + "/" + endpoint.containerId());
        PluginCalls.run(driver, () -> driver.leave(network, endpoint));
    }

    private static final class Publishing extends RecordedNetworkDriver implements PortPublishing {
        Publishing(NetworkDriver driver, PluginRecord record) {
            super(driver, record);
        }

        @Override
        public void publish(NetworkSpec network, Endpoint endpoint) {
            used("publish", network.id() + "/" + endpoint.containerId());
            PluginCalls.run(driver, () -> ((PortPublishing) driver).publish(network, endpoint));
        }

        @Override
        public void unpublish(NetworkSpec network, Endpoint endpoint) {
            used("unpublish", network.id() + "/" + endpoint.containerId());
            PluginCalls.run(driver, () -> ((PortPublishing) driver).unpublish(network, endpoint));
        }
    }
}
