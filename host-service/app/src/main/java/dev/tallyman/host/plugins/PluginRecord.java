package dev.tallyman.host.plugins;

import dev.tallyman.audit.event.PluginEvent.PluginDriverLoaded;
import dev.tallyman.audit.event.PluginEvent.PluginDriverRefused;
import dev.tallyman.audit.event.PluginEvent.PluginDriverUsed;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import java.util.List;
import org.jboss.logging.Logger;

/** Puts plugin drivers on the record: what each jar offered at boot, and each use of a plugin driver. */
public final class PluginRecord {
    private static final Logger LOG = Logger.getLogger(PluginRecord.class);
    private static final String COMPONENT = "plugins";

    private final Journal journal;
    private final DriverCatalog catalog;

    public PluginRecord(Journal journal, DriverCatalog catalog) {
        this.journal = journal;
        this.catalog = catalog;
    }

    /** One event per plugin driver offered at this boot, loaded or refused, in one append (actor SYSTEM plugins). */
    public void recordBoot() {
        List<dev.tallyman.audit.event.Event> events = new java.util.ArrayList<>();
        for (DriverEntry e : catalog.entries()) {
            if (e.jar().isEmpty()) {
                continue;
            }
            PluginJar jar = e.jar().get();
            String kind = e.kind().map(DriverKind::label).orElse("");
            if (e.loaded()) {
                events.add(new PluginDriverLoaded(jar.path().toString(), jar.sha256(), kind, e.name(), e.spiVersion(),
                        jar.configuredBy()));
            } else {
                events.add(new PluginDriverRefused(jar.path().toString(), jar.sha256(), kind, e.name(), e.spiVersion(),
                        jar.configuredBy(), e.refusal().orElse("")));
            }
        }
        if (!events.isEmpty()) {
            journal.append(StreamId.PLUGINS, ExpectedVersion.any(), events, CommandContext.system(COMPONENT));
        }
    }

    /**
     * Records that the host asked a plugin driver to do something. Queued, not awaited: a driver call may run
     * inside a command that holds a journal lock, and the use is a fact whether or not the caller waits for it.
     */
    public void used(DriverKind kind, String driver, String operation, String object) {
        catalog.jarOf(kind, driver).ifPresent(jar -> journal.appendQueued(StreamId.PLUGINS, ExpectedVersion.any(),
                new PluginDriverUsed(jar.path().toString(), jar.sha256(), kind.label(), driver, operation, object),
                CommandContext.system(COMPONENT)).exceptionally(failure -> {
                    LOG.errorf("record use of plugin %s driver %s (%s %s): %s", kind.label(), driver, operation, object,
                            failure.getMessage());
                    return null;
                }));
    }

    /** The driver itself when it is built in; a recording wrapper when it came from a plugin jar. */
    public dev.tallyman.spi.network.NetworkDriver network(dev.tallyman.spi.network.NetworkDriver driver) {
        return catalog.jarOf(DriverKind.NETWORK, driver.name()).isPresent() ? RecordedNetworkDriver.of(driver, this) : driver;
    }

    public dev.tallyman.spi.volume.VolumeDriver volume(dev.tallyman.spi.volume.VolumeDriver driver) {
        return catalog.jarOf(DriverKind.VOLUME, driver.name()).isPresent() ? new RecordedVolumeDriver(driver, this) : driver;
    }
}
