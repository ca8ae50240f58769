package dev.tallyman.host.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.SpiVersion;
import dev.tallyman.spi.network.NetworkDriverProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars built with javac against the SPI, loaded as the service loads them. */
class DriverCatalogTest {
    private static final String SERVICE = NetworkDriverProvider.class.getName();

    private static DriverCatalog load(Path folder) throws Exception {
        return DriverCatalog.load(DriverCatalogTest.class.getClassLoader(),
                List.of(new DriverCatalog.Folder(folder, "<data root>/plugins")));
    }

    private static DriverEntry entry(DriverCatalog catalog, String name) {
        return catalog.entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aPluginCannotLoadTheServicesClassesButSharesTheSpi(@TempDir Path dir) throws Exception {
        Path jar = PluginJars.build(dir.resolve("plugins/snoop.jar"), SERVICE, "plg.Snoop",
                PluginJars.networkProvider("plg.Snoop", "snoop", "dev.tallyman.spi.SpiVersion.CURRENT",
                        PluginJars.PROBE_REACHING_FOR_THE_SERVICE, ""));

        try (PluginClassLoader loader = new PluginClassLoader(jar, NetworkDriverProvider.class.getClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("dev.tallyman.host.plugins.DriverCatalog"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> loader.loadClass("dev.tallyman.spi.testkit.NetworkDriverContract"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> loader.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThat(loader.loadClass(SERVICE)).isSameAs(NetworkDriverProvider.class);
            assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
        }
        DriverCatalog catalog = load(dir.resolve("plugins"));
        NetworkDriverProvider snoop = catalog.providers(DriverKind.NETWORK, NetworkDriverProvider.class).get("snoop");
        // The probe tries Class.forName and the context class loader for the service's classes; both fail.
        assertThat(PluginCalls.within(snoop, snoop::probe)).isEmpty();
        assertThat(entry(catalog, "snoop").jar().orElseThrow().sha256()).startsWith("sha256:").hasSize(71);
    }

    @Test
    void anIncompatibleSpiVersionIsRefusedNamingJarDriverAndBothVersions(@TempDir Path dir) throws Exception {
        Path jar = PluginJars.build(dir.resolve("plugins/old.jar"), SERVICE, "plg.Old",
                PluginJars.networkProvider("plg.Old", "oldnet", "\"1.0\"", "return Optional.empty();", ""));
        PluginJars.build(dir.resolve("plugins/newer.jar"), SERVICE, "plg.Newer",
                PluginJars.networkProvider("plg.Newer", "newnet", "\"" + SpiVersion.host().major() + ".99\"",
                        "return Optional.empty();", ""));

        DriverCatalog catalog = load(dir.resolve("plugins"));

        assertThat(catalog.names(DriverKind.NETWORK)).doesNotContain("oldnet", "newnet");
        assertThat(catalog.warnings()).anySatisfy(w -> assertThat(w).contains(jar.toString()).contains("\"oldnet\"")
                .contains("built against SPI 1.0, this host runs SPI " + SpiVersion.CURRENT));
        assertThat(entry(catalog, "newnet").refusal().orElseThrow())
                .contains("built against SPI " + SpiVersion.host().major() + ".99");
    }

    @Test
    void aPluginThatThrowsAtLoadIsRefusedAndTheOthersStay(@TempDir Path dir) throws Exception {
        Path jar = PluginJars.build(dir.resolve("plugins/boom.jar"), SERVICE, "plg.Boom",
                PluginJars.networkProvider("plg.Boom", "boom", "dev.tallyman.spi.SpiVersion.CURRENT",
                        "return Optional.empty();", "if (true) throw new IllegalStateException(\"boom at load\");"));
        PluginJars.build(dir.resolve("plugins/fine.jar"), SERVICE, "plg.Fine",
                PluginJars.networkProvider("plg.Fine", "fine", "dev.tallyman.spi.SpiVersion.CURRENT",
                        "return Optional.empty();", ""));

        DriverCatalog catalog = load(dir.resolve("plugins"));

        assertThat(catalog.names(DriverKind.NETWORK)).contains("bridge", "host", "null", "fine").doesNotContain("boom");
        assertThat(catalog.warnings()).anySatisfy(w -> assertThat(w).contains(jar.toString()).contains("boom at load"));
    }

    @Test
    void aPluginSeesTheLibrariesItsManifestNamesAndAnotherPluginDoesNot(@TempDir Path dir) throws Exception {
        Path lib = PluginJars.library(dir.resolve("plugins/lib/naming.jar"), "plgdep.Naming",
                "package plgdep; public final class Naming { public static String name() { return \"libnet\"; } }");
        String provider = PluginJars.networkProvider("plg.WithLib", "X", "dev.tallyman.spi.SpiVersion.CURRENT",
                "return Optional.empty();", "").replace("return \"X\";", "return plgdep.Naming.name();");
        PluginJars.build(dir.resolve("plugins/with-lib.jar"), SERVICE, "plg.WithLib", provider, List.of(lib),
                "lib/naming.jar");
        PluginJars.build(dir.resolve("plugins/without-lib.jar"), SERVICE, "plg.WithoutLib",
                provider.replace("WithLib", "WithoutLib"), List.of(lib), "");

        DriverCatalog catalog = load(dir.resolve("plugins"));

        assertThat(catalog.names(DriverKind.NETWORK)).contains("libnet");
        assertThat(catalog.warnings()).anySatisfy(w -> assertThat(w).contains("without-lib.jar")
                .contains("NoClassDefFoundError").contains("plgdep/Naming"));
    }

    @Test
    void aPluginCannotTakeTheNameOfABuiltInDriver(@TempDir Path dir) throws Exception {
        PluginJars.build(dir.resolve("plugins/bridge.jar"), SERVICE, "plg.Bridge",
                PluginJars.networkProvider("plg.Bridge", "bridge", "dev.tallyman.spi.SpiVersion.CURRENT",
                        "return Optional.empty();", ""));

        DriverCatalog catalog = load(dir.resolve("plugins"));

        assertThat(catalog.jarOf(DriverKind.NETWORK, "bridge")).isEqualTo(Optional.empty());
        assertThat(catalog.warnings()).anySatisfy(w -> assertThat(w).contains("name taken by the built-in driver"));
    }
}
