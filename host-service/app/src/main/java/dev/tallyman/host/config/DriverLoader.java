package dev.tallyman.host.config;

import dev.tallyman.host.plugins.DriverCatalog;
import dev.tallyman.host.plugins.DriverKind;
import dev.tallyman.host.plugins.PluginCalls;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkDriverProvider;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.storage.StorageDriverProvider;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeDriverProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the drivers the {@link DriverCatalog} offers: probes each and creates it with its options. A plugin
 * driver whose probe says no, or throws, or whose create throws, is refused in the catalog (logged, listed in
 * {@code docker info}) and the service goes on without it; only the configured storage driver is required.
 */
final class DriverLoader {
    private final DriverCatalog catalog;

    DriverLoader(DriverCatalog catalog) {
        this.catalog = catalog;
    }

    StorageDriver storage(String name, Path root, Map<String, String> options) throws IOException {
        StorageDriverProvider provider = catalog.providers(DriverKind.STORAGE, StorageDriverProvider.class).get(name);
        if (provider == null) {
            throw new IllegalStateException("storage driver " + name + " not found; available: "
                    + catalog.names(DriverKind.STORAGE) + refusedNote(name));
        }
        Files.createDirectories(root);
        Optional<String> problem = PluginCalls.within(provider, () -> provider.probe(root));
        if (problem.isPresent()) {
            throw new IllegalStateException("storage driver " + name + " cannot run here: " + problem.get());
        }
        return PluginCalls.within(provider, () -> provider.create(root, options));
    }

    private String refusedNote(String name) {
        return catalog.entries().stream().filter(e -> !e.loaded() && e.name().equals(name)).findFirst()
                .map(e -> "; " + e.describeRefusal()).orElse("");
    }

    /** Every network driver that can run here, by name ("null" for none, "host", …), each with its configured options. */
    Map<String, NetworkDriver> networks(Path root, Map<String, Map<String, String>> options) {
        Map<String, NetworkDriver> drivers = new LinkedHashMap<>();
        catalog.providers(DriverKind.NETWORK, NetworkDriverProvider.class).forEach((name, provider) -> {
            try {
                Optional<String> problem = PluginCalls.within(provider, provider::probe);
                if (problem.isPresent()) {
                    catalog.refuseLater(DriverKind.NETWORK, name, "probe: " + problem.get());
                    return;
                }
                Path dir = root.resolve(name);
                Files.createDirectories(dir);
                drivers.put(name, PluginCalls.within(provider, () -> provider.create(dir, options.getOrDefault(name, Map.of()))));
            } catch (IOException | RuntimeException | LinkageError e) {
                catalog.refuseLater(DriverKind.NETWORK, name, "probe or create: " + causeOf(e));
            }
        });
        return drivers;
    }

    /**
     * Every volume driver that can run here, by name. {@code local} keeps its volumes in {@code root} itself,
     * as Docker's do; another driver gets a folder of its own beside it.
     */
    Map<String, VolumeDriver> volumes(Path root) {
        Map<String, VolumeDriver> drivers = new LinkedHashMap<>();
        catalog.providers(DriverKind.VOLUME, VolumeDriverProvider.class).forEach((name, provider) -> {
            Path dir = name.equals("local") ? root : root.resolveSibling("volume-drivers").resolve(name);
            try {
                Optional<String> problem = PluginCalls.within(provider, () -> provider.probe(dir));
                if (problem.isPresent()) {
                    catalog.refuseLater(DriverKind.VOLUME, name, "probe: " + problem.get());
                    return;
                }
                drivers.put(name, PluginCalls.within(provider, () -> provider.create(dir, Map.of())));
            } catch (RuntimeException | LinkageError e) {
                catalog.refuseLater(DriverKind.VOLUME, name, "probe or create: " + causeOf(e));
            }
        });
        return drivers;
    }

    private static String causeOf(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + " " + e.getMessage();
    }
}
