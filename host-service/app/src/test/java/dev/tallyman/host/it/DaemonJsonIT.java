package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator's daemon.json (issue 13): a key or value the service cannot use stops it at start, naming the key;
 * the settings it can use take effect (log defaults at create, address pools for networks, registries in docker
 * info), and an environment variable wins over the file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaemonJsonIT {
    private static final Path DIR = Path.of("target/opr-daemon-json").toAbsolutePath();
    private TestDatabase database;

    @BeforeAll
    void setUp() throws IOException {
        database = new TestDatabase();
        Files.createDirectories(DIR);
    }

    @AfterAll
    void tearDown() {
        if (database != null) {
            database.close();
        }
    }

    private static Path write(String name, String json) throws IOException {
        return Files.writeString(DIR.resolve(name), json);
    }

    private String failedStart(String name, Path config) throws IOException {
        try (TallymanProcess tallyman = new TallymanProcess(name, database, "overlay2")) {
            Files.deleteIfExists(tallyman.log);
            tallyman.withEnv("TALLYMAN_CONFIG_FILE", config.toString());
            assertThatThrownBy(tallyman::start).hasMessageContaining("tallyman exited with 1");
            assertThat(Files.exists(tallyman.socket)).as("no socket was bound").isFalse();
            return Files.readString(tallyman.log);
        }
    }

    @Test
    void anUnknownKeyStopsTheServiceNamingIt() throws IOException {
        Path config = write("unknown.json", "{\"storage-driver\": \"overlay2\", \"max-concurrent-downloads\": 3}");
        assertThat(failedStart("opr-config-unknown", config)).contains("tallyman: unable to configure the service with file "
                + config + ": the following directives don't match any configuration option: max-concurrent-downloads");
    }

    @Test
    void aBadValueStopsTheServiceNamingTheKey() throws IOException {
        Path config = write("bad-value.json", "{\"log-opts\": {\"max-size\": \"lots\"}}");
        assertThat(failedStart("opr-config-value", config)).contains("unable to configure the service with file " + config
                + ": log-opts: ");
        Path tcp = write("tcp.json", "{\"hosts\": [\"tcp://0.0.0.0:2375\"]}");
        assertThat(failedStart("opr-config-tcp", tcp)).contains("hosts: exactly one unix:// socket with an absolute path is required");
    }

    @Test
    void aNamedFileThatIsMissingStopsTheService() throws IOException {
        assertThat(failedStart("opr-config-missing", DIR.resolve("nosuch.json"))).contains("nosuch.json: no such file");
    }

    @Test
    void settingsTakeEffectAndTheEnvironmentWins() throws IOException {
        Path config = write("good.json", """
                {
                  "log-opts": {"max-size": "1m", "max-file": "2"},
                  "default-address-pools": [{"base": "10.213.0.0/16", "size": 24}],
                  "registry-mirrors": ["http://127.0.0.1:5999"],
                  "insecure-registries": ["registry.opr.test:5000", "10.66.0.0/16"],
                  "storage-driver": "vfs",
                  "live-restore": true
                }
                """);
        try (TallymanProcess tallyman = new TallymanProcess("opr-config", database, "overlay2")) {
            // TallymanProcess sets TALLYMAN_STORAGE_DRIVER=overlay2: the environment wins over the file's vfs.
            tallyman.withEnv("TALLYMAN_CONFIG_FILE", config.toString())
                    .withEnv("TALLYMAN_REGISTRY_MIRRORS", "http://127.0.0.1:5888");
            tallyman.start();
            assertThat(tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest").exitCode()).isZero();

            // log-opts: the default options of every container that names none of its own, merged per key
            CommandResult plain = tallyman.docker("run", "-d", "--name", "plain", "busybox", "true");
            assertThat(plain.exitCode()).as(plain.toString()).isZero();
            assertThat(tallyman.docker("inspect", "--format", "{{.HostConfig.LogConfig.Type}} {{json .HostConfig.LogConfig.Config}}",
                    "plain").stdout().trim()).isEqualTo("json-file {\"max-file\":\"2\",\"max-size\":\"1m\"}");
            CommandResult own = tallyman.docker("run", "-d", "--name", "own", "--log-opt", "max-size=5m", "busybox", "true");
            assertThat(own.exitCode()).as(own.toString()).isZero();
            assertThat(tallyman.docker("inspect", "--format", "{{json .HostConfig.LogConfig.Config}}", "own").stdout().trim())
                    .isEqualTo("{\"max-file\":\"2\",\"max-size\":\"5m\"}");
            CommandResult none = tallyman.docker("run", "-d", "--name", "quiet", "--log-driver", "none", "busybox", "true");
            assertThat(none.exitCode()).as(none.toString()).isZero();
            assertThat(tallyman.docker("inspect", "--format", "{{.HostConfig.LogConfig.Type}} {{json .HostConfig.LogConfig.Config}}",
                    "quiet").stdout().trim()).isEqualTo("none {}");

            // default-address-pools: a new network's subnet comes from the file's pool
            CommandResult net = tallyman.docker("network", "create", "oprnet");
            assertThat(net.exitCode()).as(net.toString()).isZero();
            assertThat(tallyman.docker("network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "oprnet")
                    .stdout().trim()).matches("10\\.213\\.\\d+\\.0/24");

            // docker info shows what is in force
            String info = tallyman.docker("info").stdout();
            assertThat(info).contains("Storage Driver: overlay2", "Logging Driver: json-file", "Live Restore Enabled: true",
                    "Cgroup Driver: cgroupfs", "Default Runtime: runc");
            assertThat(info).contains("Registry Mirrors:\n  http://127.0.0.1:5888/");
            assertThat(info).doesNotContain("http://127.0.0.1:5999");
            assertThat(info).contains("registry.opr.test:5000", "10.66.0.0/16", "127.0.0.0/8");
            assertThat(info).contains("Default Address Pools:", "Base: 10.213.0.0/16, Size: 24");
            assertThat(tallyman.docker("info", "--format", "{{.ContainersStopped}} {{.Images}} {{.CgroupVersion}}")
                    .stdout().trim()).isEqualTo("3 1 1");
            assertThat(tallyman.docker("system", "info", "--format", "{{json .Labels}}").stdout())
                    .contains("dev.tallyman.config-file=" + config);

            tallyman.docker("rm", "-f", "plain", "own", "quiet");
            tallyman.docker("network", "rm", "oprnet");
        }
    }
}
