package dev.tallyman.host.plugins;

import java.util.Objects;
import java.util.Optional;

/**
 * One driver the service offered at boot: built in (no jar) or from a plugin jar, loaded or refused.
 *
 * @param kind       storage, network or volume; empty when a jar failed before a provider could say
 * @param name       the driver's name, "" when the jar failed before naming one
 * @param spiVersion the SPI version the provider reported, "" when it reported none
 * @param jar        the plugin jar, empty for a driver built into the service
 * @param refusal    why the service does not run it; empty for a loaded driver
 */
public record DriverEntry(Optional<DriverKind> kind, String name, String spiVersion, Optional<PluginJar> jar,
                          Optional<String> refusal) {
    public DriverEntry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spiVersion, "spiVersion");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(refusal, "refusal");
    }

    public boolean loaded() {
        return refusal.isEmpty();
    }

    /** The line the log and {@code docker info}'s warnings show for a refused driver. */
    public String describeRefusal() {
        String what = kind.map(k -> k.label() + " driver ").orElse("driver ") + (name.isEmpty() ? "" : "\"" + name + "\" ");
        return "plugin " + jar.map(j -> j.path().toString()).orElse("(built in)") + ": " + what + "refused: "
                + refusal.orElse("");
    }
}
