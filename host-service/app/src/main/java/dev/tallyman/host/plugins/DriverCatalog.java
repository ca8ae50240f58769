package dev.tallyman.host.plugins;

import dev.tallyman.spi.SpiVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Every driver the service was offered at boot: those built into it (found on its own class path) and those in
 * plugin jars, each jar in a {@link PluginClassLoader} of its own. A plugin provider is refused, named in the log
 * and kept in the list with its reason, when it cannot be instantiated, throws, was built against an SPI version
 * this host does not run ({@link SpiVersion#runs}), or takes a name another driver of its kind already has; the
 * service starts without it. Providers come back by kind and name; which jar each came from stays known, for
 * {@code docker info}, {@code /tallyman/v1/drivers} and the record.
 */
public final class DriverCatalog {
    private static final Logger LOG = Logger.getLogger(DriverCatalog.class);

    /** A folder of plugin jars and the setting that named it. */
    public record Folder(Path path, String configuredBy) {
    }

    private record Offered(DriverEntry entry, Object provider) {
    }

    private final List<Offered> offered = new ArrayList<>();
    private final List<PluginClassLoader> loaders = new ArrayList<>();

    private DriverCatalog() {
    }

    /**
     * Built-in drivers from {@code host}'s class path, then each folder's {@code *.jar} in name order. Plugin jars
     * share only the SPI, from the loader the host's own SPI classes came from.
     */
    public static DriverCatalog load(ClassLoader host, List<Folder> folders) throws IOException {
        DriverCatalog catalog = new DriverCatalog();
        for (DriverKind kind : DriverKind.values()) {
            for (Object provider : ServiceLoader.load(kind.service(), host)) {
                catalog.offered.add(new Offered(new DriverEntry(Optional.of(kind), kind.nameOf(provider),
                        kind.spiVersionOf(provider), Optional.empty(), Optional.empty()), provider));
            }
        }
        for (Folder folder : folders) {
            if (!Files.isDirectory(folder.path())) {
                continue;
            }
            List<Path> jars;
            try (Stream<Path> files = Files.list(folder.path())) {
                jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            }
            for (Path jar : jars) {
                catalog.loadJar(PluginJar.read(jar, folder.configuredBy()), DriverKind.STORAGE.service().getClassLoader());
            }
        }
        return catalog;
    }

    private void loadJar(PluginJar jar, ClassLoader spi) {
        PluginClassLoader loader;
        try {
            loader = new PluginClassLoader(jar.path(), spi);
        } catch (IOException | RuntimeException e) {
            refuse(new DriverEntry(Optional.empty(), "", "", Optional.of(jar), Optional.of("open: " + causeOf(e))));
            return;
        }
        loaders.add(loader);
        // Providers are instantiated with the jar's loader as the context loader, as every later call into them is.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            offerAll(jar, loader);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void offerAll(PluginJar jar, PluginClassLoader loader) {
        boolean any = false;
        for (DriverKind kind : DriverKind.values()) {
            Iterator<?> providers = ServiceLoader.load(kind.service(), loader).iterator();
            // A bad entry throws from hasNext or next and the iterator moves past it; the bound stops a loader
            // that keeps throwing from holding the boot.
            for (int step = 0; step < 1000; step++) {
                Object provider;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    provider = providers.next();
                } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                    any = true;
                    refuse(new DriverEntry(Optional.of(kind), "", "", Optional.of(jar),
                            Optional.of("load: " + causeOf(e))));
                    continue;
                }
                any = true;
                offer(kind, provider, jar);
            }
        }
        if (!any) {
            refuse(new DriverEntry(Optional.empty(), "", "", Optional.of(jar), Optional.of(
                    "no driver provider in META-INF/services (dev.tallyman.spi.storage.StorageDriverProvider, "
                            + "dev.tallyman.spi.network.NetworkDriverProvider or dev.tallyman.spi.volume.VolumeDriverProvider)")));
        }
    }

    private void offer(DriverKind kind, Object provider, PluginJar jar) {
        String name = "";
        String version = "";
        try {
            name = PluginCalls.within(provider, () -> kind.nameOf(provider));
            version = PluginCalls.within(provider, () -> kind.spiVersionOf(provider));
        } catch (LinkageError | RuntimeException e) {
            refuse(new DriverEntry(Optional.of(kind), name == null ? "" : name, "", Optional.of(jar), Optional.of(
                    version.isEmpty() && e instanceof AbstractMethodError
                            ? "built against SPI 1 (spiVersion() returns no text), this host runs SPI " + SpiVersion.CURRENT
                            : "load: " + causeOf(e))));
            return;
        }
        String finalName = name;
        String refusal = null;
        try {
            SpiVersion built = SpiVersion.parse(version);
            if (!SpiVersion.host().runs(built)) {
                refusal = "built against SPI " + built + ", this host runs SPI " + SpiVersion.CURRENT
                        + " (same major and a minor no newer than the host's)";
            }
        } catch (IllegalArgumentException e) {
            refusal = e.getMessage();
        }
        if (refusal == null && (name == null || name.isBlank())) {
            refusal = "the provider gives no name";
        }
        if (refusal == null) {
            Optional<DriverEntry> taken = offered.stream().map(Offered::entry)
                    .filter(e -> e.loaded() && e.kind().equals(Optional.of(kind)) && e.name().equals(finalName)).findFirst();
            if (taken.isPresent()) {
                refusal = "name taken by " + taken.get().jar().map(j -> "plugin " + j.path()).orElse("the built-in driver");
            }
        }
        DriverEntry entry = new DriverEntry(Optional.of(kind), name == null ? "" : name, version == null ? "" : version,
                Optional.of(jar), Optional.ofNullable(refusal));
        if (refusal != null) {
            refuse(entry);
        } else {
            LOG.infof("plugin %s (%s, %s): %s driver %s, SPI %s", jar.path(), jar.sha256(), jar.configuredBy(),
                    kind.label(), name, version);
            offered.add(new Offered(entry, provider));
        }
    }

    private void refuse(DriverEntry entry) {
        LOG.warn(entry.describeRefusal());
        offered.add(new Offered(entry, null));
    }

    /**
     * Refuses a loaded plugin driver that failed later (its probe said no, or threw, or its create threw), so
     * it is listed with the reason and no longer offered. A built-in driver's failure is only logged.
     */
    public void refuseLater(DriverKind kind, String name, String reason) {
        for (int i = 0; i < offered.size(); i++) {
            DriverEntry e = offered.get(i).entry();
            if (e.loaded() && e.kind().equals(Optional.of(kind)) && e.name().equals(name)) {
                if (e.jar().isEmpty()) {
                    LOG.warnf("%s driver %s cannot run here: %s", kind.label(), name, reason);
                    offered.set(i, new Offered(new DriverEntry(e.kind(), e.name(), e.spiVersion(), e.jar(),
                            Optional.of(reason)), null));
                } else {
                    DriverEntry refused = new DriverEntry(e.kind(), e.name(), e.spiVersion(), e.jar(), Optional.of(reason));
                    LOG.warn(refused.describeRefusal());
                    offered.set(i, new Offered(refused, null));
                }
                return;
            }
        }
    }

    /** The loaded providers of one kind, by name, built-ins first. */
    public <T> Map<String, T> providers(DriverKind kind, Class<T> type) {
        Map<String, T> found = new LinkedHashMap<>();
        for (Offered o : offered) {
            if (o.entry().loaded() && o.entry().kind().equals(Optional.of(kind))) {
                found.put(o.entry().name(), type.cast(o.provider()));
            }
        }
        return found;
    }

    /** The jar a loaded driver came from; empty for a built-in or unknown driver. */
    public Optional<PluginJar> jarOf(DriverKind kind, String name) {
        return offered.stream().map(Offered::entry)
                .filter(e -> e.loaded() && e.kind().equals(Optional.of(kind)) && e.name().equals(name))
                .findFirst().flatMap(DriverEntry::jar);
    }

    /** Everything offered, loaded and refused, in the order it was found. */
    public List<DriverEntry> entries() {
        return offered.stream().map(Offered::entry).toList();
    }

    /** Plugin drivers a user should hear about: refused ones, as warning lines. Built-ins that cannot run are not. */
    public List<String> warnings() {
        return offered.stream().map(Offered::entry).filter(e -> !e.loaded() && e.jar().isPresent())
                .map(DriverEntry::describeRefusal).toList();
    }

    /** Names of loaded drivers of one kind, as Docker's Plugins section lists them. */
    public List<String> names(DriverKind kind) {
        return List.copyOf(providers(kind, Object.class).keySet());
    }

    static String causeOf(Throwable e) {
        Throwable t = e;
        StringBuilder text = new StringBuilder();
        while (t != null) {
            String message = t.getMessage();
            if (text.length() > 0) {
                text.append(": ");
            }
            text.append(message == null || message.isBlank() ? t.getClass().getName() : t.getClass().getSimpleName() + " " + message);
            if (t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        return text.toString();
    }
}
