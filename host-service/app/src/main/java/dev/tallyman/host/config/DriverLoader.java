package dev.tallyman.host.config;

import dev.tallyman.spi.Drivers;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkDriverProvider;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.storage.StorageDriverProvider;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeDriverProvider;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Loads drivers with ServiceLoader from Tallyman's own class path and from the jars in the plugin folder,
 * which Quarkus never indexed: a driver is plain Java, found by its META-INF/services entry.
 */
final class DriverLoader {
    private final ClassLoader loader;

    DriverLoader(Path pluginDir) throws IOException {
        List<URL> jars = new ArrayList<>();
        if (Files.isDirectory(pluginDir)) {
            try (Stream<Path> files = Files.list(pluginDir)) {
                for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(toUrl(jar));
                }
            }
        }
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        this.loader = jars.isEmpty() ? parent : new URLClassLoader(jars.toArray(URL[]::new), parent);
    }

    StorageDriver storage(String name, Path root) throws IOException {
        StorageDriverProvider provider = Drivers.storage(loader, name).orElseThrow(() -> new IllegalStateException(
                "storage driver " + name + " not found; available: "
                        + Drivers.storage(loader).stream().map(StorageDriverProvider::name).toList()));
        Files.createDirectories(root);
        Optional<String> problem = provider.probe(root);
        if (problem.isPresent()) {
            throw new IllegalStateException("storage driver " + name + " cannot run here: " + problem.get());
        }
        return provider.create(root, Map.of());
    }

    /** Every network driver found that can run here, by name ("null" for none, "host", …). */
    Map<String, NetworkDriver> networks(Path root) throws IOException {
        return networks(root, Map.of());
    }

    /** As {@link #networks(Path)}, each provider created with the options configured for its name. */
    Map<String, NetworkDriver> networks(Path root, Map<String, Map<String, String>> options) throws IOException {
        Map<String, NetworkDriver> drivers = new LinkedHashMap<>();
        for (NetworkDriverProvider provider : Drivers.network(loader)) {
            Optional<String> problem = provider.probe();
            if (problem.isEmpty()) {
                Path dir = root.resolve(provider.name());
                Files.createDirectories(dir);
                drivers.put(provider.name(), provider.create(dir, options.getOrDefault(provider.name(), Map.of())));
            } else {
                org.jboss.logging.Logger.getLogger(DriverLoader.class).warnf("network driver %s cannot run here: %s",
                        provider.name(), problem.get());
            }
        }
        return drivers;
    }

    /**
     * Every volume driver found that can run here, by name. {@code local} keeps its volumes in {@code root} itself,
     * as Docker's do; another driver gets a folder of its own beside it.
     */
    Map<String, VolumeDriver> volumes(Path root) throws IOException {
        Map<String, VolumeDriver> drivers = new LinkedHashMap<>();
        for (VolumeDriverProvider provider : Drivers.volume(loader)) {
            Path dir = provider.name().equals("local") ? root : root.resolveSibling("volume-drivers").resolve(provider.name());
            Optional<String> problem = provider.probe(dir);
            if (problem.isEmpty()) {
                drivers.put(provider.name(), provider.create(dir, Map.of()));
            }
        }
        return drivers;
    }

    private static URL toUrl(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("plugin " + jar + ": " + e.getMessage(), e);
        }
    }
}
