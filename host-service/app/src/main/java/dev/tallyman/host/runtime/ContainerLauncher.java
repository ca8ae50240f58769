package dev.tallyman.host.runtime;

import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.RunningProcess;
import dev.tallyman.runtime.attach.ContainerAttach;
import dev.tallyman.runtime.logs.JsonFileLogShipper;
import dev.tallyman.runtime.oci.ContainerProcess;
import dev.tallyman.runtime.oci.ContainerSpecification;
import dev.tallyman.runtime.oci.OciSpecWriter;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Puts a container's pieces together and takes them apart: the rootfs mount from the storage driver, the
 * network from the network driver, the OCI bundle, and runc under conmon. Knows nothing of events; the
 * command handlers record what it did.
 *
 * <p>Where things live: bundles and mount points under the exec root (gone with a reboot, like the processes),
 * logs under the data root (kept until the container is removed).
 */
public final class ContainerLauncher {
    private static final Logger LOG = Logger.getLogger(ContainerLauncher.class);

    private final StorageDriver storage;
    private final Map<String, NetworkDriver> networks;
    private final ContainerRuntime runtime;
    private final Path execRoot;
    private final Path dataRoot;
    private final OciSpecWriter specWriter = OciSpecWriter.forHost();
    private final PendingAttaches attaches = new PendingAttaches();
    private final java.util.Map<String, int[]> consoleSizes = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, JsonFileLogShipper> shippers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Object> teardownLocks = new java.util.concurrent.ConcurrentHashMap<>();
    // Issue 11: puts back the secret environment values the record holds as <redacted> (identity without a policy).
    private volatile java.util.function.BiFunction<String, List<String>, List<String>> secretEnv = (id, env) -> env;
    private VolumeMounter volumes;

    private volatile java.util.function.Consumer<String> networkTeardown;

    /**
     * Who takes a container's network apart at teardown (and records it): the networking of the command side.
     * Set once at wiring; without it the launcher leaves the network mode's driver itself.
     */
    public void onNetworkTeardown(java.util.function.Consumer<String> teardown) {
        this.networkTeardown = teardown;
    }

    public ContainerLauncher(StorageDriver storage, Map<String, NetworkDriver> networks, ContainerRuntime runtime,
                             Path execRoot, Path dataRoot) {
        this.storage = storage;
        this.networks = Map.copyOf(networks);
        this.runtime = runtime;
        this.execRoot = execRoot;
        this.dataRoot = dataRoot;
    }

    /** Binds, volumes and tmpfs mounts of -v/--mount/--volumes-from go through this mounter; without it they are ignored. */
    public void mountVolumesWith(VolumeMounter mounter) {
        this.volumes = mounter;
    }

    public Path bundle(String id) {
        return execRoot.resolve("containers").resolve(id);
    }

    public Path rootfs(String id) {
        return bundle(id).resolve("rootfs");
    }

    /**
     * conmon's k8s-file log: the spool that the json-file shipper reads, and the fast source for attach. It keeps
     * the output while Tallyman is away; the shipper catches up when it returns.
     */
    public Path logPath(String id) {
        return dataRoot.resolve("containers").resolve(id).resolve("container.log");
    }

    /** Where the process's real environment comes from when the record holds secrets redacted. */
    public void restoreEnvWith(java.util.function.BiFunction<String, List<String>, List<String>> secretEnv) {
        this.secretEnv = secretEnv;
    }

    /** Docker's json-file log, what docker logs reads and inspect's LogPath names. */
    public Path jsonLogPath(String id) {
        return dataRoot.resolve("containers").resolve(id).resolve(id + "-json.log");
    }

    /** Starts copying the spool into the json-file log (again, after a restart: it resumes where it stopped). */
    public void shipLogs(String id, ContainerSpec spec) {
        if (!spec.options().keepsLogs()) {
            return; // --log-driver none: nothing is kept, so docker logs has nothing to serve
        }
        shippers.computeIfAbsent(id, k -> new JsonFileLogShipper(logPath(id), jsonLogPath(id), RunOptions.logOptions(spec)).start());
    }

    /** After the process ended: copies what is left of the spool, so docker logs is complete, and stops copying. */
    public void drainLogs(String id, ContainerSpec spec) {
        if (!spec.options().keepsLogs()) {
            return;
        }
        JsonFileLogShipper shipper = shippers.remove(id);
        if (shipper == null && Files.exists(logPath(id))) {
            shipper = new JsonFileLogShipper(logPath(id), jsonLogPath(id), RunOptions.logOptions(spec)).start();
        }
        if (shipper != null) {
            try (JsonFileLogShipper closing = shipper) {
                closing.drain();
            } catch (RuntimeException e) {
                LOG.warnf("ship logs of container %s: %s", id, e.getMessage());
            }
        }
    }

    /**
     * Mounts, joins the network, writes the bundle and starts the process. On any failure everything done so
     * far is undone before the exception leaves.
     */
    public RunningProcess launch(String id, ContainerSpec spec) {
        return launch(id, spec, null);
    }

    /**
     * As {@link #launch(String, ContainerSpec)}, with the network already set up by the caller (null: join the
     * network mode's driver here, without a record). A failure tears down the network too, through
     * {@link #onNetworkTeardown}.
     */
    public RunningProcess launch(String id, ContainerSpec spec, NetworkSetup network) {
        try {
            Files.createDirectories(rootfs(id));
            Files.createDirectories(logPath(id).getParent());
            Mounts.mount(storage.mounts(LayerId.of(id)), rootfs(id));
            Attachment attachment = network != null ? network.attachment()
                    : network(spec.networkMode()).join(networkSpec(spec.networkMode()), endpoint(id, spec));
            List<String> args = new ArrayList<>(spec.entrypoint());
            args.addAll(spec.cmd());
            List<LinkedContainer> links = network == null ? List.of() : network.links();
            ContainerProcess process = new ContainerProcess(args, LinkedContainer.environment(links, secretEnv.apply(id, spec.env())),
                    spec.workingDir(), spec.user(), spec.tty(),
                    spec.security().noNewPrivileges(), spec.options().groupAdd());
            ContainerSpecification.Builder builder = ContainerSpecification.builder(id, rootfs(id), process)
                    .hostname(network != null && network.hostname().isPresent() ? network.hostname().get() : spec.hostname())
                    .network(attachment);
            RunOptions.apply(builder, spec);
            if (volumes != null) {
                volumes.prepare(id, spec, rootfs(id)).forEach(builder::mount);
            }
            specWriter.write(builder.build(), bundle(id));
            if (!links.isEmpty()) {
                Path hosts = bundle(id).resolve(OciSpecWriter.HOSTS);
                Files.writeString(hosts, LinkedContainer.intoHosts(Files.readString(hosts), links));
            }
            if (network != null && network.resolvConf().isPresent()) {
                Files.writeString(bundle(id).resolve("resolv.conf"), network.resolvConf().get());
            }
            ContainerRuntime.StdinMode stdin = !spec.openStdin() ? ContainerRuntime.StdinMode.CLOSED
                    : spec.stdinOnce() ? ContainerRuntime.StdinMode.ONCE : ContainerRuntime.StdinMode.OPEN;
            RunningProcess running = runtime.create(id, bundle(id), logPath(id), ContainerRuntime.DEFAULT_LOG_SIZE_MAX, stdin);
            shipLogs(id, spec);
            attaches.created(id);
            int[] size = consoleSizes.remove(id);
            if (spec.tty() && size != null && size[0] > 0 && size[1] > 0) {
                // The client's terminal size, set before the process runs so its first look at the size is right.
                new ContainerAttach(runtime.config()).resize(id, size[0], size[1]);
            }
            runtime.start(id);
            return running;
        } catch (IOException e) {
            teardown(id, spec);
            throw new UncheckedIOException("launch container " + id + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            teardown(id, spec);
            throw e;
        }
    }

    /**
     * Undoes {@link #launch} after the process has ended (or never started): runc's record, the network
     * endpoint, the rootfs mount and the bundle. Each step is safe to repeat and runs even if an earlier one fails.
     */
    public void teardown(String id, ContainerSpec spec) {
        // The exit recorder and a forced removal can both tear the same container down at once; one at a time.
        synchronized (teardownLocks.computeIfAbsent(id, k -> new Object())) {
            teardownNow(id, spec);
        }
        teardownLocks.remove(id);
    }

    private void teardownNow(String id, ContainerSpec spec) {
        step("delete runc container " + id, () -> runtime.delete(id, true));
        if (volumes != null) {
            step("release volumes of " + id, () -> volumes.release(id, spec));
        }
        if (networkTeardown != null) {
            step("leave networks " + id, () -> networkTeardown.accept(id));
        } else {
            step("leave network " + spec.networkMode() + " " + id,
                    () -> network(spec.networkMode()).leave(networkSpec(spec.networkMode()), endpoint(id, spec)));
        }
        step("unmount rootfs " + id, () -> Mounts.unmount(rootfs(id)));
        step("remove bundle " + id, () -> {
            // Never walk into a rootfs that is still mounted: that would delete the container's files.
            if (Mounts.isMountPoint(rootfs(id))) {
                throw new IllegalStateException("rootfs still mounted at " + rootfs(id));
            }
            deleteTree(bundle(id));
        });
    }

    /** Removes what the container kept after teardown: its log folder. */
    public void removeFiles(String id) {
        JsonFileLogShipper shipper = shippers.remove(id);
        if (shipper != null) {
            step("stop log shipping " + id, shipper::close);
        }
        step("remove files " + id, () -> deleteTree(logPath(id).getParent()));
    }

    private NetworkDriver network(String mode) {
        NetworkDriver driver = networks.get(mode.equals("none") ? "null" : mode);
        if (driver == null) {
            throw new IllegalStateException("no network driver for mode " + mode);
        }
        return driver;
    }

    private static NetworkSpec networkSpec(String mode) {
        return NetworkSpec.plain(mode, mode);
    }

    private static Endpoint endpoint(String id, ContainerSpec spec) {
        return Endpoint.bare(id);
    }

    /** One teardown step that may fail with a checked exception; a failure is logged and the next step runs. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void step(String what, Step action) {
        try {
            action.run();
        } catch (Exception e) {
            LOG.warnf("%s: %s", what, e.getMessage());
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * docker rm --link on a running container: its /etc/hosts loses the link's line, as Docker's sandbox refresh
     * does; the environment of its processes stays as it was. A container without a bundle has nothing to change.
     */
    public void forgetLinkInHosts(String id, String alias) {
        Path hosts = bundle(id).resolve(OciSpecWriter.HOSTS);
        if (!Files.isRegularFile(hosts)) {
            return;
        }
        try {
            // Written in place: the container sees the file through a bind mount of this very inode.
            Files.writeString(hosts, LinkedContainer.withoutAlias(Files.readString(hosts), alias));
        } catch (IOException e) {
            throw new UncheckedIOException("rewrite hosts of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** A linked container started at {@code ip}: the running linking container's line for it follows. */
    public void moveLinkInHosts(String id, String alias, String ip) {
        Path hosts = bundle(id).resolve(OciSpecWriter.HOSTS);
        if (!Files.isRegularFile(hosts)) {
            return;
        }
        try {
            Files.writeString(hosts, LinkedContainer.withAddress(Files.readString(hosts), alias, ip));
        } catch (IOException e) {
            throw new UncheckedIOException("rewrite hosts of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** HostConfig.ConsoleSize from create: a terminal property of the client, kept until the next start. */
    public void consoleSize(String id, int rows, int columns) {
        consoleSizes.put(id, new int[] {rows, columns});
    }

    public PendingAttaches attaches() {
        return attaches;
    }

    public ContainerRuntime runtime() {
        return runtime;
    }
}
