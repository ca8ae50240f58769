package dev.tallyman.host.config.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** daemon.json as an operator writes it: each key read into Tallyman's settings, each bad one refused by name. */
class DaemonJsonTest {
    private static final Path FILE = Path.of("/etc/tallyman/daemon.json");

    record Good(String description, String json, Map<String, String> properties) {
        @Override
        public String toString() {
            return description;
        }
    }

    record Bad(String description, String json, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Good> good() {
        return Stream.of(
                new Good("an empty object sets nothing", "{}", Map.of()),
                new Good("an empty file sets nothing", "  \n", Map.of()),
                new Good("roots, normalised", "{\"data-root\": \"/srv/tallyman/\", \"exec-root\": \"/run/tm\"}",
                        Map.of("tallyman.data-root", "/srv/tallyman", "tallyman.exec-root", "/run/tm")),
                new Good("storage driver", "{\"storage-driver\": \"vfs\"}", Map.of("tallyman.storage-driver", "vfs")),
                new Good("registries as comma lists",
                        "{\"registry-mirrors\": [\"http://127.0.0.1:5000\", \"https://mirror.lan\"],"
                                + " \"insecure-registries\": [\"registry.lan:5000\", \"10.0.0.0/8\"]}",
                        Map.of("tallyman.registry-mirrors", "http://127.0.0.1:5000,https://mirror.lan",
                                "tallyman.insecure-registries", "registry.lan:5000,10.0.0.0/8")),
                new Good("Docker's address pools as base/len:size",
                        "{\"default-address-pools\": [{\"base\": \"10.201.0.0/16\", \"size\": 24},"
                                + " {\"base\": \"10.202.0.0/16\", \"size\": 26}]}",
                        Map.of("tallyman.network.default-address-pools", "10.201.0.0/16:24,10.202.0.0/16:26")),
                new Good("bip and bridge", "{\"bip\": \"172.30.0.1/16\", \"bridge\": \"br-tm\"}",
                        Map.of("tallyman.network.bip", "172.30.0.1/16", "tallyman.network.bridge-name", "br-tm")),
                new Good("log driver and options", "{\"log-driver\": \"json-file\", \"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"}}",
                        Map.of("tallyman.log-driver", "json-file", "tallyman.log-opts", "max-size=10m,max-file=3")),
                new Good("log driver none", "{\"log-driver\": \"none\"}", Map.of("tallyman.log-driver", "none")),
                new Good("one unix host is the socket", "{\"hosts\": [\"unix:///run/tm.sock\"]}",
                        Map.of("tallyman.socket", "/run/tm.sock")),
                new Good("live-restore true and tls false say what Tallyman always does",
                        "{\"live-restore\": true, \"tls\": false, \"tlsverify\": false}", Map.of()),
                new Good("a unix and a tcp host with TLS files: the socket and the mutual-TLS listener (issue 12)",
                        "{\"hosts\": [\"unix:///run/tm.sock\", \"tcp://127.0.0.1:2376\"], \"tlsverify\": true,"
                                + " \"tlscacert\": \"/etc/tm/ca.pem\", \"tlscert\": \"/etc/tm/server-cert.pem\","
                                + " \"tlskey\": \"/etc/tm/server-key.pem\"}",
                        Map.of("tallyman.socket", "/run/tm.sock", "tallyman.tls.listen", "127.0.0.1:2376",
                                "tallyman.tls.ca", "/etc/tm/ca.pem", "tallyman.tls.cert", "/etc/tm/server-cert.pem",
                                "tallyman.tls.key", "/etc/tm/server-key.pem")));
    }

    static Stream<Bad> bad() {
        return Stream.of(
                new Bad("not JSON", "{\"data-root\": ", "invalid JSON"),
                new Bad("not an object", "[1]", "must be a JSON object"),
                new Bad("unknown keys, all named, in dockerd's words", "{\"zeta\": 1, \"max-concurrent-downloads\": 3}",
                        "the following directives don't match any configuration option: max-concurrent-downloads, zeta"),
                new Bad("a relative data root", "{\"data-root\": \"var/lib\"}", "data-root: must be an absolute path"),
                new Bad("a data root that is not a string", "{\"data-root\": 5}", "data-root: expected a string"),
                new Bad("a bad driver name", "{\"storage-driver\": \"Overlay 2\"}", "storage-driver: invalid driver name"),
                new Bad("a mirror without a scheme", "{\"registry-mirrors\": [\"mirror.lan\"]}", "registry-mirrors: invalid mirror"),
                new Bad("mirrors as a string", "{\"registry-mirrors\": \"http://a\"}", "registry-mirrors: expected a list of strings"),
                new Bad("an insecure registry with a scheme", "{\"insecure-registries\": [\"http://r:5000\"]}",
                        "insecure-registries: insecure registry http://r:5000 should not contain '://'"),
                new Bad("a pool without size", "{\"default-address-pools\": [{\"base\": \"10.1.0.0/16\"}]}",
                        "default-address-pools: invalid pool"),
                new Bad("a pool size smaller than its base", "{\"default-address-pools\": [{\"base\": \"10.1.0.0/16\", \"size\": 8}]}",
                        "default-address-pools: invalid pool size 8"),
                new Bad("a bad bip", "{\"bip\": \"172.30.0.1\"}", "bip: expected an address and prefix"),
                new Bad("a bridge name too long", "{\"bridge\": \"a-very-long-bridge-name\"}", "bridge: invalid bridge interface name"),
                new Bad("an unknown log driver", "{\"log-driver\": \"syslog\"}",
                        "log-driver: logger: no log driver named 'syslog' is registered"),
                new Bad("an unknown log option", "{\"log-opts\": {\"max-age\": \"3\"}}",
                        "log-opts: unknown log opt 'max-age' for json-file log driver"),
                new Bad("a log option that is not a string", "{\"log-opts\": {\"max-file\": 3}}",
                        "log-opts: the value of max-file must be a string"),
                new Bad("a bad max-size", "{\"log-opts\": {\"max-size\": \"lots\"}}", "log-opts:"),
                new Bad("a TCP host without the socket", "{\"hosts\": [\"tcp://0.0.0.0:2376\"]}",
                        "hosts: exactly one unix:// socket with an absolute path is required"),
                new Bad("two TCP hosts", "{\"hosts\": [\"unix:///run/tm.sock\", \"tcp://a:1\", \"tcp://b:2\"]}",
                        "hosts: at most one tcp:// host is supported"),
                new Bad("a TLS certificate by a relative path", "{\"tlscert\": \"cert.pem\"}", "tlscert: must be an absolute path"),
                new Bad("live restore off", "{\"live-restore\": false}", "live-restore: false is not supported"),
                new Bad("a key given twice", "{\"bip\": \"172.30.0.1/16\", \"bip\": \"172.31.0.1/16\"}", "Duplicate field 'bip'"));
    }

    @ParameterizedTest
    @MethodSource("good")
    void readsEachKeyIntoTallymansSetting(Good c) {
        assertThat(DaemonJson.parse(c.json(), FILE).properties()).isEqualTo(c.properties());
    }

    @ParameterizedTest
    @MethodSource("bad")
    void refusesNamingTheFileAndTheKey(Bad c) {
        assertThatThrownBy(() -> DaemonJson.parse(c.json(), FILE))
                .isInstanceOf(DaemonJsonException.class)
                .hasMessageStartingWith("unable to configure the service with file /etc/tallyman/daemon.json: ")
                .hasMessageContaining(c.message());
    }

    @Test
    void aMissingDefaultFileIsAnEmptyConfigurationButAMissingNamedOneIsAnError(@TempDir Path dir) {
        Path missing = dir.resolve("daemon.json");
        assertThat(DaemonJson.read(missing, false).properties()).isEmpty();
        assertThatThrownBy(() -> DaemonJson.read(missing, true)).hasMessageContaining(missing + ": no such file");
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("daemon.json"), "{\"storage-driver\": \"vfs\"}");
        assertThat(DaemonJson.read(file, true).properties()).containsEntry("tallyman.storage-driver", "vfs");
    }

    @Test
    void theEnvironmentWinsOverTheFile() {
        Map<String, String> fromFile = Map.of("tallyman.network.bip", "172.30.0.1/16", "tallyman.storage-driver", "vfs",
                "tallyman.network.default-address-pools", "10.201.0.0/16:24");
        // The short variables are read by expressions in application.properties (ordinal 250), below the file's
        // source: the source leaves their properties out so the variable wins.
        DaemonJsonConfigSource source = new DaemonJsonConfigSource(fromFile, Map.of("TALLYMAN_BIP", "10.9.0.1/24"));
        assertThat(source.getPropertyNames()).containsExactlyInAnyOrder("tallyman.storage-driver",
                "tallyman.network.default-address-pools");
        // Every other variable is the environment source (300), above the file's (260).
        assertThat(source.getOrdinal()).isBetween(251, 299);
    }
}
