package dev.tallyman.host.config.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The daemon.json keys Tallyman knows: the Tallyman property each one sets and how its value is read. The
 * environment variables listed beside a property set it too and win over the file.
 */
enum DaemonKey {
    DATA_ROOT("data-root", "tallyman.data-root", DaemonJson::absolutePath),
    EXEC_ROOT("exec-root", "tallyman.exec-root", DaemonJson::absolutePath),
    STORAGE_DRIVER("storage-driver", "tallyman.storage-driver", DaemonJson::driverName),
    REGISTRY_MIRRORS("registry-mirrors", "tallyman.registry-mirrors", DaemonJson::mirrors),
    INSECURE_REGISTRIES("insecure-registries", "tallyman.insecure-registries", DaemonJson::insecureRegistries),
    DEFAULT_ADDRESS_POOLS("default-address-pools", "tallyman.network.default-address-pools", DaemonJson::addressPools,
            "TALLYMAN_DEFAULT_ADDRESS_POOLS"),
    BIP("bip", "tallyman.network.bip", DaemonJson::bip, "TALLYMAN_BIP"),
    BRIDGE("bridge", "tallyman.network.bridge-name", DaemonJson::bridgeName, "TALLYMAN_BRIDGE"),
    LOG_DRIVER("log-driver", "tallyman.log-driver", DaemonJson::logDriver),
    LOG_OPTS("log-opts", "tallyman.log-opts", DaemonJson::logOpts),
    HOSTS("hosts", "tallyman.socket", DaemonJson::hosts),
    LIVE_RESTORE("live-restore", DaemonJson::liveRestore),
    TLS("tls", DaemonJson::tlsSwitch),
    TLS_VERIFY("tlsverify", DaemonJson::tlsSwitch),
    TLS_CA_CERT("tlscacert", "tallyman.tls.ca", DaemonJson::absolutePath),
    TLS_CERT("tlscert", "tallyman.tls.cert", DaemonJson::absolutePath),
    TLS_KEY("tlskey", "tallyman.tls.key", DaemonJson::absolutePath);

    final String key;
    final String property;
    final List<String> shortEnv;
    private final Function<JsonNode, String> reader;

    DaemonKey(String key, String property, Function<JsonNode, String> reader, String... shortEnv) {
        this.key = key;
        this.property = property;
        this.reader = reader;
        this.shortEnv = List.of(shortEnv);
    }

    /** A key that is checked but sets nothing (it can only say what Tallyman always does). */
    DaemonKey(String key, Consumer<JsonNode> check) {
        this(key, null, value -> {
            check.accept(value);
            return null;
        });
    }

    static boolean known(String key) {
        return Arrays.stream(values()).anyMatch(k -> k.key.equals(key));
    }

    static DaemonKey of(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst().orElseThrow();
    }

    static DaemonKey ofProperty(String property) {
        return Arrays.stream(values()).filter(k -> property.equals(k.property)).findFirst().orElse(null);
    }

    void read(JsonNode value, Map<String, String> properties) {
        String text = reader.apply(value);
        if (property != null) {
            properties.put(property, text);
        }
        if (this == HOSTS) {
            // a tcp:// host is the mutual-TLS listener (issue 12), a second property from the same key
            DaemonJson.tcpHost(value).ifPresent(listen -> properties.put("tallyman.tls.listen", listen));
        }
    }
}
