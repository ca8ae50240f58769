package dev.tallyman.audit.event;

/**
 * Driver plugins, on the stream {@code plugins}: each driver a plugin jar offered at boot, loaded or refused,
 * and each use of a loaded one. A jar is named by its path and the sha256 of its bytes, so the record says
 * exactly which code ran; {@code configuredBy} says which setting brought the jar in (the data root's
 * {@code plugins} folder, or {@code tallyman.plugin-dirs}). Boot events carry the SYSTEM actor {@code plugins}; a
 * use carries the actor and correlation id of the command that used the driver.
 */
public sealed interface PluginEvent extends Event {
    String jar();

    String sha256();

    /**
     * @param kind        {@code storage}, {@code network} or {@code volume}
     * @param driver      the driver's name as users write it
     * @param spiVersion  the SPI version the provider was built against
     */
    @EventType("plugin.driver-loaded")
    record PluginDriverLoaded(String jar, String sha256, String kind, String driver, String spiVersion,
                              String configuredBy) implements PluginEvent {
    }

    /**
     * @param driver     the driver's name, or "" when the jar failed before naming one
     * @param spiVersion the version the provider reported, or "" when it reported none
     * @param reason     why, in the words the log and {@code docker info} show
     */
    @EventType("plugin.driver-refused")
    record PluginDriverRefused(String jar, String sha256, String kind, String driver, String spiVersion,
                               String configuredBy, String reason) implements PluginEvent {
    }

    /**
     * @param operation what the host asked of the driver: {@code createNetwork}, {@code join}, {@code create}…
     * @param object    the network, container or volume it was asked about
     */
    @EventType("plugin.driver-used")
    record PluginDriverUsed(String jar, String sha256, String kind, String driver, String operation, String object)
            implements PluginEvent {
    }
}
