package dev.tallyman.host.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The class loader of one plugin jar. It sees the JDK (its parent is the platform class loader), the SPI's
 * packages (asked of the host's loader, so a plugin's provider implements the very interfaces the host calls),
 * the jar itself and the jars its manifest's {@code Class-Path} names (a driver's own dependencies) — and
 * nothing else of the service: a {@code dev.tallyman.host…} class, Quarkus, Jackson or the JDBC driver is
 * "not found" from inside a plugin, so a plugin can neither call the service's internals nor clash with its
 * libraries. The SPI testkit is test code and is not shared either.
 */
public final class PluginClassLoader extends URLClassLoader {
    private static final String SPI = "dev.tallyman.spi.";
    private static final String TESTKIT = "dev.tallyman.spi.testkit.";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader spi;

    /** {@code spi}: the loader the host's SPI classes come from. */
    public PluginClassLoader(Path jar, ClassLoader spi) throws IOException {
        super("plugin " + jar.getFileName(), new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        this.spi = spi;
    }

    static boolean shared(String className) {
        return className.startsWith(SPI) && !className.startsWith(TESTKIT);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) {
            return spi.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    /** The jar's own resources only, so ServiceLoader finds this jar's providers and no others. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        Enumeration<URL> own = findResources(name);
        return own == null ? Collections.emptyEnumeration() : own;
    }
}
