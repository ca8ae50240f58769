package dev.tallyman.host.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Tallyman's settings, under {@code tallyman.*}; each can come from the environment (TALLYMAN_DATA_ROOT, …). */
@ConfigMapping(prefix = "tallyman")
public interface EngineConfig {

    /** The unix socket the Docker API listens on. */
    Path socket();

    /** Persistent state: layers, image blobs, container logs. */
    Path dataRoot();

    /** State that dies with the machine: bundles, runc's state, mount points, conmon's files. */
    Path execRoot();

    /** overlay2 or vfs, or any driver found in the plugin folder. */
    String storageDriver();

    /** Storage driver options, {@code key=value} each, as Docker's {@code storage-opts} (issue 14). */
    Optional<List<String>> storageOpts();

    /**
     * Folders of driver plugin jars besides {@code <data root>/plugins}, which is always read (issue 14).
     * Each jar gets a class loader of its own; see docs/plugins.md.
     */
    Optional<List<Path>> pluginDirs();

    /** The runc binary: a path, or a name looked up on PATH. */
    String runc();

    /** The conmon binary: a path, or a name looked up on PATH. */
    String conmon();

    /**
     * Registries spoken to over plain HTTP, as in Docker's daemon.json: {@code host[:port]} or CIDR ranges.
     * Loopback registries are always insecure, listed here or not.
     */
    Optional<List<String>> insecureRegistries();

    /** Base URLs of registries that serve docker.io names, tried in order (Docker's registry-mirrors). */
    Optional<List<String>> registryMirrors();

    Db db();

    /**
     * A snapshot of the projections is taken after this many events (and at a clean shutdown), so a boot folds
     * at most about this many events after the newest snapshot (issue 10).
     */
    @io.smallrye.config.WithDefault("50000")
    long snapshotEveryEvents();

    /** How often the periodic reconciler looks for intents left open and runc containers nobody owns. */
    @io.smallrye.config.WithDefault("60s")
    java.time.Duration reconcileEvery();

    /**
     * How old an open intent must be, with no command running it, before the periodic reconciler closes it:
     * longer than any background step between an intent and its outcome.
     */
    @io.smallrye.config.WithDefault("120s")
    java.time.Duration reconcileGrace();

    /** Networks: the default bridge and where subnets come from. */
    Network network();

    interface Network {
        /** The default bridge's interface name (at most 15 characters). */
        String bridgeName();

        /** The default bridge's address and subnet, e.g. 172.30.0.1/16; empty: a subnet from the pools. */
        Optional<String> bip();

        /** base/len:size,… as Docker's default-address-pools; empty: Docker's defaults. */
        Optional<String> defaultAddressPools();

        /** The nftables table the bridge driver keeps its rules in. */
        String nftTable();
    }

    /** The log driver of containers created without one (daemon.json's log-driver): json-file or none. */
    @io.smallrye.config.WithDefault("json-file")
    String logDriver();

    /** Options given to that driver when a container names none of its own: {@code max-size=10m,max-file=3}. */
    Optional<String> logOpts();

    /**
     * A first image for a fresh machine: {@code <name>=<rootfs tar>}. At start, when the store has no image of that
     * name, the tar is imported under it by Tallyman itself (actor system/seed); {@code ops/tallyman up} sets it to
     * a busybox rootfs built from the host's busybox-static, so {@code docker run busybox} works with no registry.
     */
    Optional<String> seedImage();

    /**
     * Remote access like {@code dockerd --tlsverify} (issue 12): a TCP listener that serves the same API only to
     * clients with a certificate signed by {@code ca}. Unset {@code listen}: no TCP listener at all.
     */
    Tls tls();

    interface Tls {
        /** {@code host:port} (TALLYMAN_TLS_LISTEN); empty: no TCP listener. */
        Optional<String> listen();

        /** The CA that signs client certificates, PEM (TALLYMAN_TLS_CA, Docker's ca.pem). */
        Optional<Path> ca();

        /** The server's certificate, PEM (TALLYMAN_TLS_CERT, Docker's server-cert.pem). */
        Optional<Path> cert();

        /** The server's private key, PEM (TALLYMAN_TLS_KEY, Docker's server-key.pem). */
        Optional<Path> key();
    }

    /**
     * The group that owns the API socket, like Docker's {@code docker} group (TALLYMAN_SOCKET_GROUP): its members may
     * use the socket (mode 0660). It must exist; unset, the socket's group is root's.
     */
    Optional<String> socketGroup();

    interface Db {
        String url();

        String user();

        String password();

        /** A file holding the service role's password (0600), read instead of {@link #password()} when set. */
        Optional<java.nio.file.Path> passwordFile();

        /** The owner role that runs the migrations; unset, the service's own role runs them (tests, old setups). */
        Optional<String> ownerUser();

        Optional<String> ownerPassword();

        /** A file holding the owner role's password (0600), read instead of {@link #ownerPassword()} when set. */
        Optional<java.nio.file.Path> ownerPasswordFile();
    }
}
