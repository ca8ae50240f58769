package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.host.plugins.PluginJars;
import dev.tallyman.spi.SpiVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Driver plugins end to end (issue 14). The sample macvlan driver is built out of tree — its own Maven build,
 * offline, against this build's SPI and testkit, running the network contract suite as its tests — and dropped
 * into the plugins folder beside three jars built here with javac: one against an old SPI, one whose provider
 * throws at load, and one (in a folder named by tallyman.plugin-dirs) whose probe reaches for the service's
 * classes. The service starts, refuses the first two with their reasons in docker info and the log, loads the
 * others, and the macvlan driver carries containers through the docker CLI; all of it is on the record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginIT {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "dev.tallyman.spi.network.NetworkDriverProvider";
    private static final Path EXTRA = Path.of("/var/lib/tallyman-it/plg-load-extra");
    private static final Path SAMPLE_BUILD = Path.of("/var/lib/tallyman-it/plg-load-sample");

    private TestDatabase database;
    private TallymanProcess tallyman;
    private Path macvlanJar;
    private Path oldJar;
    private Path boomJar;
    private Path snoopJar;
    private Path probeJar;
    private Path volumeJar;
    private final String suffix = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(2)
            .putShort((short) new java.security.SecureRandom().nextInt()).array());
    private final String parent = "tmtplg" + suffix + "p";
    private final String gatewayEnd = "tmtplg" + suffix + "g";
    private final List<String> containers = new ArrayList<>();
    private final List<String> networks = new ArrayList<>();

    @BeforeAll
    void buildPluginsAndStart() throws Exception {
        database = new TestDatabase();
        tallyman = new TallymanProcess("plg-load", database, "overlay2");
        Shell.run("rm", "-rf", tallyman.dataRoot.toString(), EXTRA.toString(), SAMPLE_BUILD.toString());
        Path plugins = Files.createDirectories(tallyman.dataRoot.resolve("plugins"));

        macvlanJar = Files.copy(buildSampleOutOfTree(), plugins.resolve("macvlan-driver.jar"));
        oldJar = PluginJars.build(plugins.resolve("old-spi.jar"), SERVICE, "plg.Old",
                PluginJars.networkProvider("plg.Old", "oldnet", "\"1.0\"", "return Optional.empty();", ""));
        boomJar = PluginJars.build(plugins.resolve("boom.jar"), SERVICE, "plg.Boom",
                PluginJars.networkProvider("plg.Boom", "boom", "dev.tallyman.spi.SpiVersion.CURRENT",
                        "return Optional.empty();", "if (true) throw new IllegalStateException(\"boom at load\");"));
        probeJar = PluginJars.build(plugins.resolve("probe-throws.jar"), SERVICE, "plg.Probe",
                PluginJars.networkProvider("plg.Probe", "probenet", "dev.tallyman.spi.SpiVersion.CURRENT",
                        "throw new IllegalStateException(\"no such kernel feature\");", ""));
        volumeJar = PluginJars.build(plugins.resolve("folders.jar"), "dev.tallyman.spi.volume.VolumeDriverProvider",
                "plg.Folders", FOLDERS_VOLUME_DRIVER);
        snoopJar = PluginJars.build(EXTRA.resolve("snoop.jar"), SERVICE, "plg.Snoop",
                PluginJars.networkProvider("plg.Snoop", "snoop", "dev.tallyman.spi.SpiVersion.CURRENT",
                        PluginJars.PROBE_REACHING_FOR_THE_SERVICE, ""));

        tallyman.withEnv("TALLYMAN_PLUGIN_DIRS", EXTRA.toString());
        tallyman.start();
        assertThat(tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest").exitCode()).isZero();
    }

    /**
     * Puts this build's parent pom, SPI and testkit into the local Maven repository, copies the sample to a
     * folder outside the tree and runs its own build there, offline: compile, the contract suite, the jar.
     */
    private static Path buildSampleOutOfTree() throws Exception {
        String version = "0.1.0-SNAPSHOT";
        install("tallyman-parent", version, REPO.resolve("pom.xml"), null);
        install("tallyman-spi", version, REPO.resolve("spi/pom.xml"),
                REPO.resolve("spi/target/tallyman-spi-" + version + ".jar"));
        install("tallyman-spi-testkit", version, REPO.resolve("spi/testkit/pom.xml"),
                REPO.resolve("spi/testkit/target/tallyman-spi-testkit-" + version + ".jar"));
        Path sample = REPO.resolve("samples/macvlan-driver");
        try (Stream<Path> files = Files.walk(sample)) {
            for (Path file : files.filter(p -> !sample.relativize(p).startsWith("target")).toList()) {
                Path copy = SAMPLE_BUILD.resolve(sample.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        long began = System.nanoTime();
        CommandResult build = Shell.run(List.of("mvn", "-B", "-ntp", "-o", "-q", "-f", SAMPLE_BUILD.resolve("pom.xml").toString(),
                "package"), Map.of(), null, 600);
        assertThat(build.exitCode()).as("out-of-tree build of the sample\n" + build).isZero();
        System.out.printf("PluginIT: sample macvlan driver built out of tree in %d ms%n",
                (System.nanoTime() - began) / 1_000_000);
        Path report = SAMPLE_BUILD.resolve("target/surefire-reports/TEST-org.example.macvlan.MacvlanDriverTest.xml");
        String suite = Files.readString(report);
        assertThat(suite).as("the network contract suite ran against the sample").contains("failures=\"0\"")
                .contains("errors=\"0\"").doesNotContain("tests=\"0\"");
        return SAMPLE_BUILD.resolve("target/tallyman-macvlan-driver-1.0.0.jar");
    }

    /**
     * Copies an artifact of this build where `mvn install` would put it (the layout of ~/.m2/repository, marked
     * as installed locally), without needing the install plugin offline: ops/test runs `mvn verify`, not install.
     */
    private static void install(String artifactId, String version, Path pom, Path jar) throws Exception {
        Path dir = Path.of(System.getProperty("user.home"), ".m2/repository/dev/tallyman", artifactId, version);
        Files.createDirectories(dir);
        String base = artifactId + "-" + version;
        Files.copy(pom, dir.resolve(base + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        StringBuilder installed = new StringBuilder(base + ".pom>=\n");
        if (jar != null) {
            assertThat(jar).as("built by this reactor before the integration tests").exists();
            Files.copy(jar, dir.resolve(base + ".jar"), StandardCopyOption.REPLACE_EXISTING);
            installed.append(base).append(".jar>=\n");
        }
        Files.writeString(dir.resolve("_remote.repositories"), installed.toString());
    }

    @AfterAll
    void stop() {
        try {
            if (tallyman != null) {
                for (String container : containers) {
                    tallyman.docker("rm", "-f", container);
                }
                for (String network : networks) {
                    tallyman.docker("network", "rm", network);
                }
                tallyman.close();
            }
        } finally {
            Shell.run("ip", "link", "del", parent);
            Shell.run("rm", "-rf", EXTRA.toString(), SAMPLE_BUILD.toString());
            if (database != null) {
                database.close();
            }
        }
    }

    private String ok(String... args) {
        CommandResult result = tallyman.docker(args);
        assertThat(result.exitCode()).as("docker " + String.join(" ", args) + "\n" + result).isZero();
        return result.stdout();
    }

    private static String sha256(Path file) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void dockerInfoListsLoadedDriversAndNamesEachRefusedPluginWithItsReason() throws Exception {
        CommandResult info = tallyman.docker("info");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        String networkLine = info.stdout().lines().filter(l -> l.trim().startsWith("Network:")).findFirst().orElseThrow();
        assertThat(networkLine).contains("bridge", "host", "null", "macvlan", "snoop").doesNotContain("oldnet", "boom");
        assertThat(info.stdout().lines().filter(l -> l.trim().startsWith("Volume:")).findFirst().orElseThrow()).contains("local");

        String warnings = info.stdout() + info.stderr();
        String refusedOld = "plugin " + oldJar + ": network driver \"oldnet\" refused: built against SPI 1.0, this host runs SPI "
                + SpiVersion.CURRENT;
        assertThat(warnings).contains(refusedOld);
        assertThat(warnings).contains("plugin " + boomJar + ": network driver refused: load:").contains("boom at load");
        assertThat(warnings).contains("plugin " + probeJar + ": network driver \"probenet\" refused: probe or create:")
                .contains("no such kernel feature");
        assertThat(networkLine).doesNotContain("probenet");
        String log = Files.readString(tallyman.log);
        assertThat(log).contains(refusedOld).contains("boom at load").contains("no such kernel feature");
    }

    @Test
    void aPluginCannotReachTheServicesClasses() {
        // snoop's probe returns a reason naming any service class it could load; it is loaded, so it found none.
        String drivers = tallyman.api("GET", "/tallyman/v1/drivers", null).stdout();
        assertThat(drivers).doesNotContain("reached the service");
        assertThat(ok("info", "--format", "{{json .Plugins.Network}}")).contains("\"snoop\"");
    }

    @Test
    void driversRouteListsJarsDigestsVersionsAndWhoConfiguredThem() throws Exception {
        CommandResult response = tallyman.api("GET", "/tallyman/v1/drivers", null);
        String[] parts = response.stdout().split("\n(?=[0-9]{3}$)");
        assertThat(parts[1].trim()).isEqualTo("200");
        JsonNode body = JSON.readTree(parts[0]);
        assertThat(body.path("spiVersion").asText()).isEqualTo(SpiVersion.CURRENT);
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        body.path("drivers").forEach(d -> byName.put(d.path("name").asText(), d));

        JsonNode macvlan = byName.get("macvlan");
        assertThat(macvlan.path("status").asText()).isEqualTo("loaded");
        assertThat(macvlan.path("kind").asText()).isEqualTo("network");
        assertThat(macvlan.path("jar").asText()).isEqualTo(macvlanJar.toString());
        assertThat(macvlan.path("sha256").asText()).isEqualTo(sha256(macvlanJar));
        assertThat(macvlan.path("spiVersion").asText()).isEqualTo(SpiVersion.CURRENT);
        assertThat(macvlan.path("configuredBy").asText()).isEqualTo("<data root>/plugins");
        assertThat(byName.get("snoop").path("configuredBy").asText()).isEqualTo("tallyman.plugin-dirs");
        assertThat(byName.get("oldnet").path("status").asText()).isEqualTo("refused");
        assertThat(byName.get("oldnet").path("spiVersion").asText()).isEqualTo("1.0");
        assertThat(byName.get("overlay2").path("builtIn").asBoolean()).isTrue();
    }

    @Test
    void loadingAndRefusingAreOnTheRecordWithJarDigestAndWhoConfiguredIt() throws Exception {
        List<String> rows = pluginEvents();
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("plugin.driver-loaded SYSTEM plugins ")
                .contains("\"jar\":\"" + macvlanJar + "\"").contains("\"sha256\":\"" + sha256(macvlanJar) + "\"")
                .contains("\"configuredBy\":\"<data root>/plugins\"").contains("\"driver\":\"macvlan\""));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("plugin.driver-loaded SYSTEM plugins ")
                .contains("\"jar\":\"" + snoopJar + "\"").contains("\"configuredBy\":\"tallyman.plugin-dirs\""));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("plugin.driver-refused SYSTEM plugins ")
                .contains("\"jar\":\"" + oldJar + "\"").contains("\"sha256\":\"" + sha256(oldJar) + "\"")
                .contains("built against SPI 1.0"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("plugin.driver-refused SYSTEM plugins ")
                .contains("\"jar\":\"" + boomJar + "\"").contains("boom at load"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("plugin.driver-refused SYSTEM plugins ")
                .contains("\"jar\":\"" + probeJar + "\"").contains("no such kernel feature"));
    }

    @Test
    void theSampleMacvlanDriverCarriesContainersThroughTheDockerCli() throws Exception {
        String subnet = freeSubnet();
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        String gateway = prefix + "1";
        // The LAN the macvlan network hangs off: a veth pair, one end the parent, the other the LAN's router.
        assertThat(Shell.run("ip", "link", "add", parent, "type", "veth", "peer", "name", gatewayEnd).exitCode()).isZero();
        assertThat(Shell.run("ip", "addr", "add", gateway + "/24", "dev", gatewayEnd).exitCode()).isZero();
        assertThat(Shell.run("ip", "link", "set", gatewayEnd, "up").exitCode()).isZero();
        assertThat(Shell.run("ip", "link", "set", parent, "up").exitCode()).isZero();

        networks.add("plgmac");
        ok("network", "create", "-d", "macvlan", "--subnet", subnet, "--gateway", gateway, "-o", "parent=" + parent, "plgmac");
        assertThat(ok("network", "inspect", "--format", "{{.Driver}} {{index .Options \"parent\"}}", "plgmac").trim())
                .isEqualTo("macvlan " + parent);

        containers.add("plgweb");
        ok("run", "-d", "--name", "plgweb", "--network", "plgmac", "busybox", "sleep", "300");
        String webIp = ok("inspect", "--format", "{{.NetworkSettings.Networks.plgmac.IPAddress}}", "plgweb").trim();
        assertThat(webIp).startsWith(prefix);

        // The container's eth0 hangs off the parent (its iflink is the parent's index), reaches the LAN's router
        // and the other container.
        String parentIndex = Files.readString(Path.of("/sys/class/net", parent, "ifindex")).trim();
        CommandResult probe = tallyman.docker("run", "--rm", "--network", "plgmac", "busybox", "sh", "-c",
                "echo iflink=$(cat /sys/class/net/eth0/iflink) && ping -c1 -W3 " + gateway + " && ping -c1 -W3 " + webIp);
        assertThat(probe.exitCode()).as(probe.toString()).isZero();
        assertThat(probe.stdout()).contains("iflink=" + parentIndex + "\n").contains("1 packets received");

        ok("rm", "-f", "plgweb");
        containers.remove("plgweb");
        ok("network", "rm", "plgmac");
        networks.remove("plgmac");

        String jar = "\"jar\":\"" + macvlanJar + "\"";
        List<String> uses = eventually(() -> pluginEvents().stream().filter(r -> r.startsWith("plugin.driver-used")).toList(),
                u -> u.stream().anyMatch(r -> r.contains("\"operation\":\"leave\"")));
        assertThat(uses).anySatisfy(r -> assertThat(r).contains(jar).contains("\"operation\":\"createNetwork\"")
                .contains("\"sha256\":\"" + sha256(macvlanJar) + "\""));
        assertThat(uses).anySatisfy(r -> assertThat(r).contains(jar).contains("\"operation\":\"join\""));
    }

    @Test
    void networkOptionsReachThePluginDriver() throws Exception {
        // Both spellings of the CLI's flag; the driver itself judges the value, and its words reach the user.
        String subnet = freeSubnet();
        networks.add("plgbad");
        CommandResult bad = tallyman.docker("network", "create", "-d", "macvlan", "--subnet", subnet,
                "--opt", "parent=lo", "--opt", "macvlan_mode=sideways", "plgbad");
        assertThat(bad.exitCode()).as(bad.toString()).isNotZero();
        assertThat(bad.stderr()).contains("requested macvlan mode 'sideways' is not valid");
        networks.add("plgnoparent");
        CommandResult missing = tallyman.docker("network", "create", "-d", "macvlan", "--subnet", freeSubnet(),
                "-o", "parent=tmtplgnothere", "plgnoparent");
        assertThat(missing.exitCode()).as(missing.toString()).isNotZero();
        assertThat(missing.stderr()).contains("-o parent interface was not found on the host: tmtplgnothere");
    }

    @Test
    void storageOptsReachTheStorageDriverWhichJudgesThem() throws Exception {
        // overlay2 here is not on xfs with project quotas: Docker's overlay2 refuses size with these words.
        CommandResult size = tallyman.docker("run", "--rm", "--storage-opt", "size=1G", "busybox", "true");
        assertThat(size.exitCode()).as(size.toString()).isEqualTo(125);
        assertThat(size.stderr()).contains("--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
        CommandResult unknown = tallyman.docker("create", "--storage-opt", "colour=blue", "busybox", "true");
        assertThat(unknown.exitCode()).as(unknown.toString()).isNotZero();
        assertThat(unknown.stderr()).contains("Unknown option colour");
        assertThat(ok("ps", "-aq").trim()).as("nothing was created").isEmpty();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from events where type = 'command.refused' "
                     + "and payload::text like '%Unknown option colour%'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void theStorageDriversConfiguredOptionsReachIt() throws Exception {
        // tallyman.storage-opts goes to the storage provider's create; overlay2 takes none and says which it got.
        TestDatabase otherDatabase = new TestDatabase();
        TallymanProcess other = new TallymanProcess("plg-opts", otherDatabase, "overlay2")
                .withEnv("TALLYMAN_STORAGE_OPTS", "colour=blue");
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(other::start).hasMessageContaining("exited");
            assertThat(Files.readString(other.log)).contains("overlay2: create driver").contains("unknown options [colour]");
        } finally {
            other.close();
            otherDatabase.close();
        }
    }

    /** A volume driver plugin keeping folders under its root; option fail=… makes create refuse. */
    private static final String FOLDERS_VOLUME_DRIVER = String.join("\n", List.of(
            "package plg;",
            "import dev.tallyman.spi.DriverException;",
            "import dev.tallyman.spi.volume.*;",
            "import java.nio.file.*;",
            "import java.util.*;",
            "public final class Folders implements VolumeDriverProvider {",
            "  public String spiVersion() { return dev.tallyman.spi.SpiVersion.CURRENT; }",
            "  public String name() { return \"plgvol\"; }",
            "  public Optional<String> probe(Path root) { return Optional.empty(); }",
            "  public VolumeDriver create(Path root, Map<String, String> ignored) {",
            "    Map<String, VolumeInfo> volumes = new java.util.concurrent.ConcurrentHashMap<>();",
            "    return new VolumeDriver() {",
            "      public String name() { return \"plgvol\"; }",
            "      public VolumeInfo create(VolumeSpec s) {",
            "        if (s.options().containsKey(\"fail\")) {",
            "          throw new DriverException(DriverException.Kind.INVALID_ARGUMENT, \"plgvol\", \"create\", s.name(),",
            "              \"option fail asks me to refuse\");",
            "        }",
            "        return volumes.computeIfAbsent(s.name(), n -> {",
            "          Path dir = root.resolve(n);",
            "          try { Files.createDirectories(dir); } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }",
            "          return new VolumeInfo(n, dir, s.options(), java.time.Instant.now());",
            "        });",
            "      }",
            "      public Optional<VolumeInfo> inspect(String n) { return Optional.ofNullable(volumes.get(n)); }",
            "      public List<VolumeInfo> list() { return List.copyOf(volumes.values()); }",
            "      public VolumeMount mount(String n) {",
            "        VolumeInfo v = volumes.get(n);",
            "        if (v == null) throw new DriverException(DriverException.Kind.NOT_FOUND, \"plgvol\", \"mount\", n, \"no such volume\");",
            "        return new VolumeMount(v.mountpoint(), List.of());",
            "      }",
            "      public void remove(String n) { volumes.remove(n); }",
            "      public long usage(String n) { return -1; }",
            "    };",
            "  }",
            "}"));

    @Test
    void aVolumeDriverPluginGetsItsOptionsAndCarriesData() throws Exception {
        assertThat(ok("info", "--format", "{{json .Plugins.Volume}}")).contains("\"local\"").contains("\"plgvol\"");
        ok("volume", "create", "-d", "plgvol", "-o", "colour=blue", "plgv1");
        assertThat(ok("volume", "inspect", "--format", "{{.Driver}} {{.Options.colour}}", "plgv1").trim())
                .isEqualTo("plgvol blue");
        ok("run", "--rm", "-v", "plgv1:/data", "busybox", "sh", "-c", "echo kept > /data/f");
        Path mountpoint = Path.of(ok("volume", "inspect", "--format", "{{.Mountpoint}}", "plgv1").trim());
        assertThat(Files.readString(mountpoint.resolve("f"))).isEqualTo("kept\n");

        CommandResult refused = tallyman.docker("volume", "create", "-d", "plgvol", "-o", "fail=yes", "plgv2");
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).contains("option fail asks me to refuse");
        ok("volume", "rm", "plgv1");

        List<String> uses = eventually(() -> pluginEvents().stream()
                .filter(r -> r.startsWith("plugin.driver-used") && r.contains("\"kind\":\"volume\"")).toList(),
                u -> u.stream().anyMatch(r -> r.contains("\"operation\":\"remove\"")));
        assertThat(uses).anySatisfy(r -> assertThat(r).contains("\"jar\":\"" + volumeJar + "\"")
                .contains("\"operation\":\"create\"").contains("\"object\":\"plgv1\""));
        assertThat(uses).anySatisfy(r -> assertThat(r).contains("\"operation\":\"mount\""));
    }

    private List<String> pluginEvents() {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type, actor_kind, actor_user_name, payload from events "
                     + "where stream_id = 'plugins' order by position")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    private static <T> T eventually(java.util.function.Supplier<T> value, java.util.function.Predicate<T> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        T last = value.get();
        while (!wanted.test(last) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            last = value.get();
        }
        return last;
    }

    /** A 10.214.x.0/24 no route of this host overlaps. */
    private static String freeSubnet() {
        String routes = Shell.run("ip", "-4", "route", "show").stdout();
        for (int i = 0; i < 200; i++) {
            int octet = new java.security.SecureRandom().nextInt(250) + 1;
            if (!routes.contains("10.214." + octet + ".")) {
                return "10.214." + octet + ".0/24";
            }
        }
        throw new IllegalStateException("no free 10.214.x.0/24");
    }
}
