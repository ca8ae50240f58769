package dev.tallyman.host.config;

import dev.tallyman.host.plugins.DriverCatalog;
import dev.tallyman.host.plugins.DriverKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** Where plugin jars come from, the storage driver's configured options, and what docker info lists (issue 14). */
final class PluginWiring {
    private PluginWiring() {
    }

    static DriverCatalog catalog(EngineConfig config) throws IOException {
        List<DriverCatalog.Folder> folders = new ArrayList<>();
        folders.add(new DriverCatalog.Folder(config.dataRoot().resolve("plugins"), "<data root>/plugins"));
        config.pluginDirs().orElse(List.of())
                .forEach(dir -> folders.add(new DriverCatalog.Folder(dir, "tallyman.plugin-dirs")));
        return DriverCatalog.load(Thread.currentThread().getContextClassLoader(), folders);
    }

    /** {@code tallyman.storage-opts}: {@code key=value} entries; an entry without {@code =} stops the boot, naming it. */
    static Map<String, String> storageOptions(EngineConfig config) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String entry : config.storageOpts().orElse(List.of())) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("tallyman.storage-opts: \"" + entry + "\" is not key=value");
            }
            options.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return options;
    }

    static <T> Map<String, T> recorded(Map<String, T> drivers, Function<T, T> wrap) {
        Map<String, T> wrapped = new LinkedHashMap<>();
        drivers.forEach((name, driver) -> wrapped.put(name, wrap.apply(driver)));
        return wrapped;
    }

    /** Docker's Plugins section: the loaded volume and network drivers' names, and the one log driver. */
    static Supplier<Map<String, List<String>>> infoPlugins(DriverCatalog catalog) {
        return () -> {
            Map<String, List<String>> plugins = new LinkedHashMap<>();
            plugins.put("Volume", catalog.names(DriverKind.VOLUME));
            plugins.put("Network", catalog.names(DriverKind.NETWORK));
            plugins.put("Log", List.of("json-file"));
            return plugins;
        };
    }
}
