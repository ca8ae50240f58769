package dev.tallyman.host.config.daemon;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * daemon.json as a MicroProfile config source, between application.properties (250) and the environment (300):
 * the file overrides Tallyman's defaults and every environment variable overrides the file. Properties whose
 * short variable (TALLYMAN_BRIDGE, …) is read by an expression in application.properties are left out when that
 * variable is set, so it wins too.
 *
 * <p>The source is empty unless {@link DaemonJsonFile#activate} ran: the service's main reads and checks the file
 * before Quarkus starts, and Quarkus's build, which also loads config sources, never sees an operator's file.
 */
public final class DaemonJsonConfigSource implements ConfigSource {
    static final int ORDINAL = 260;
    private final Map<String, String> properties;

    public DaemonJsonConfigSource() {
        this(DaemonJsonFile.active().map(DaemonJson::properties).orElse(Map.of()), System.getenv());
    }

    DaemonJsonConfigSource(Map<String, String> fromFile, Map<String, String> env) {
        Map<String, String> kept = new LinkedHashMap<>();
        fromFile.forEach((property, value) -> {
            DaemonKey key = DaemonKey.ofProperty(property);
            boolean overridden = key != null && key.shortEnv.stream().anyMatch(env::containsKey);
            if (!overridden) {
                kept.put(property, value);
            }
        });
        this.properties = Map.copyOf(kept);
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "daemon.json " + DaemonJsonFile.active().map(DaemonJson::file).map(Path::toString).orElse("(none)");
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
