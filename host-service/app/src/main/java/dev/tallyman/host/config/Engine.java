package dev.tallyman.host.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.host.api.ApiRouter;
import dev.tallyman.host.api.ContainerApi;
import dev.tallyman.host.api.ContainerTools;
import dev.tallyman.host.api.ExecApi;
import dev.tallyman.host.commands.containers.ExecHandler;
import dev.tallyman.host.commands.containers.ExecInstances;
import dev.tallyman.runtime.attach.ContainerAttach;
import dev.tallyman.runtime.exec.ExecRuntime;
import dev.tallyman.runtime.top.ContainerTop;
import dev.tallyman.host.api.EventsApi;
import dev.tallyman.host.api.ImageApi;
import dev.tallyman.host.api.SystemApi;
import dev.tallyman.host.api.TallymanApi;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerExitRecorder;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.CreateContainerHandler;
import dev.tallyman.host.commands.containers.KillContainerHandler;
import dev.tallyman.host.commands.containers.AttachRecorder;
import dev.tallyman.host.commands.containers.ContainerHandlers;
import dev.tallyman.host.commands.containers.PauseContainerHandler;
import dev.tallyman.host.commands.containers.PruneContainersHandler;
import dev.tallyman.host.commands.containers.RemoveContainerHandler;
import dev.tallyman.host.commands.containers.RenameContainerHandler;
import dev.tallyman.host.commands.containers.RestartPolicies;
import dev.tallyman.host.commands.containers.StartContainerHandler;
import dev.tallyman.host.commands.containers.StopContainerHandler;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.ImportImageHandler;
import dev.tallyman.host.commands.images.RemoveImageHandler;
import dev.tallyman.host.commands.images.TagImageHandler;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.reconcile.BootReconciler;
import dev.tallyman.host.reconcile.PeriodicReconciler;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.images.archive.ImageImporter;
import dev.tallyman.images.store.ContentStore;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.RuntimeConfig;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.host.api.DiskUsageApi;
import dev.tallyman.host.api.VolumeApi;
import dev.tallyman.host.commands.volumes.ContainerVolumes;
import dev.tallyman.host.commands.volumes.CreateVolumeHandler;
import dev.tallyman.host.commands.volumes.PruneVolumesHandler;
import dev.tallyman.host.commands.volumes.RemoveVolumeHandler;
import dev.tallyman.host.commands.volumes.VolumeDrivers;
import dev.tallyman.host.projections.VolumeView;
import dev.tallyman.host.reconcile.VolumeReconciler;
import dev.tallyman.host.runtime.VolumeMounter;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Builds Tallyman from its parts, by hand and in one place, so a reader sees every dependency: the event
 * store, the projections rebuilt from it, the drivers, the runtime, the command handlers and the API routes.
 * Then reconciles the record with the machine before the socket takes its first request.
 */
@ApplicationScoped
public class Engine {
    private static final Logger LOG = Logger.getLogger(Engine.class);

    @Inject
    EngineConfig config;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @Inject
    io.vertx.core.Vertx vertx;

    @Inject
    dev.tallyman.host.audit.relay.EventRelays relays;

    @Inject
    dev.tallyman.host.audit.query.AuditRecord auditRecord;

    private JdbcEventStore store;
    private Closeable exitWatch;
    private PeriodicReconciler periodicReconciler;
    private ContainerExitRecorder exitRecorder;
    private RestartPolicies restartPolicies;
    private dev.tallyman.host.projections.SnapshotTaker snapshotTaker;
    private io.vertx.core.http.HttpServer tlsListener;

    @Inject
    DatabaseCredentials credentials;

    /**
     * The owner role migrates and grants the service role its rights (README, "The database, locked"); without
     * an owner configured, the service's own role migrates, as before.
     */
    private void migrate() {
        javax.sql.DataSource owner = credentials.owner().orElse(null);
        if (owner == null) {
            JdbcEventStore.migrate(dataSource);
            return;
        }
        JdbcEventStore.migrate(owner);
        dev.tallyman.audit.store.ServiceRole.grant(owner, config.db().user());
    }
    private EvidenceWiring evidence;

    void routes(@Observes Router router) throws Exception {
        long began = System.nanoTime();
        Clock clock = Clock.systemUTC();
        Files.createDirectories(config.dataRoot());
        Files.createDirectories(config.execRoot());

        migrate();
        store = new JdbcEventStore(dataSource, clock);
        // checks the record beside the rebuild; a tampered one stops the boot before anything is served (issue 11)
        evidence = EvidenceWiring.begin(EvidenceWiring.Settings.read(org.eclipse.microprofile.config.ConfigProvider.getConfig(),
                config.dataRoot()), dataSource, store, clock);
        dev.tallyman.audit.snapshot.JdbcSnapshotStore snapshots = new dev.tallyman.audit.snapshot.JdbcSnapshotStore(dataSource);
        dev.tallyman.host.projections.ProjectionRebuild.Result rebuilt;
        try {
            rebuilt = dev.tallyman.host.projections.ProjectionRebuild.run(store, snapshots);
        } catch (RuntimeException e) {
            evidence.awaitVerified(); // a tampered event that does not even decode: say that, not the decode error
            throw e;
        }
        Projections projections = rebuilt.projections();
        evidence.awaitVerified();
        Journal journal = new Journal(store, projections);
        snapshotTaker = new dev.tallyman.host.projections.SnapshotTaker(projections, store, snapshots, clock,
                config.snapshotEveryEvents(), rebuilt.snapshotPosition());
        snapshotTaker.start(rebuilt.folded());
        ContainerWaits waits = new ContainerWaits(projections);
        // before the reconcilers run, so their actions are counted
        dev.tallyman.host.metrics.EngineMetrics metrics = new dev.tallyman.host.metrics.EngineMetrics(meters, projections, store);

        dev.tallyman.host.plugins.DriverCatalog catalog = PluginWiring.catalog(config);
        DriverLoader drivers = new DriverLoader(catalog);
        StorageDriver storage = drivers.storage(config.storageDriver(), config.dataRoot().resolve(config.storageDriver()),
                PluginWiring.storageOptions(config));
        dev.tallyman.host.plugins.PluginRecord pluginRecord = new dev.tallyman.host.plugins.PluginRecord(journal, catalog);
        Map<String, NetworkDriver> networks = PluginWiring.recorded(drivers.networks(config.dataRoot().resolve("network"),
                Map.of("bridge", Map.of("nft-table", config.network().nftTable()))), pluginRecord::network);

        ContainerRuntime runtime = new ContainerRuntime(new RuntimeConfig(
                Executables.find(config.runc()), Executables.find(config.conmon()),
                config.execRoot().resolve("runc"), config.execRoot().resolve("runtime")));
        ContainerLauncher launcher = new ContainerLauncher(storage, networks, runtime, config.execRoot(), config.dataRoot());
        dev.tallyman.host.policy.PolicySettings policies = dev.tallyman.host.policy.PolicySettings.load();
        policies.audit().ifPresent(audit -> {
            // secret Env values leave the record before any event is written; launches put them back
            var secrets = new dev.tallyman.host.policy.SecretEnv(audit.redact(), config.dataRoot());
            journal.redactWith(secrets);
            launcher.restoreEnvWith(secrets::restore);
        });
        Map<String, VolumeDriver> volumeDriverMap = PluginWiring.recorded(drivers.volumes(config.dataRoot().resolve("volumes")),
                pluginRecord::volume);
        pluginRecord.recordBoot();
        pluginRecord.used(dev.tallyman.host.plugins.DriverKind.STORAGE, storage.name(), "create",
                config.dataRoot().resolve(config.storageDriver()).toString());
        VolumeDrivers volumeDrivers = new VolumeDrivers(volumeDriverMap);
        VolumeMounter volumeMounter = new VolumeMounter(volumeDriverMap,
                name -> projections.read(p -> p.volumes().byName(name).map(VolumeView::driver)));
        launcher.mountVolumesWith(volumeMounter);

        ImageStore imageStore = new ImageStore(new ContentStore(config.dataRoot().resolve("images")), storage);
        ImageLookup lookup = new ImageLookup(projections);

        ContainerFinder finder = new ContainerFinder(projections);
        NetworkWiring net = NetworkWiring.build(config, journal, projections, networks, launcher, finder);
        RemoveContainerHandler remove = new RemoveContainerHandler(journal, finder, launcher, storage, waits);
        restartPolicies = new RestartPolicies(journal, finder);
        exitRecorder = new ContainerExitRecorder(journal, finder, launcher, remove, restartPolicies);
        StartContainerHandler start = new StartContainerHandler(journal, finder, launcher, clock, remove, exitRecorder,
                net.networking());
        restartPolicies.startWith(start);
        CreateContainerHandler create = new CreateContainerHandler(journal, lookup, imageStore, storage, net.chooser());
        KillContainerHandler kill = new KillContainerHandler(journal, finder, runtime);
        kill.awaitDeathsWith(waits);
        StopContainerHandler stop = new StopContainerHandler(journal, finder, runtime, waits);

        CreateVolumeHandler createVolume = new CreateVolumeHandler(journal, volumeDrivers);
        RemoveVolumeHandler removeVolume = new RemoveVolumeHandler(journal, volumeDrivers);
        ContainerVolumes containerVolumes = new ContainerVolumes(journal, finder, createVolume, removeVolume);
        create.mountVolumesWith(containerVolumes);
        start.recordVolumesWith(containerVolumes);
        exitRecorder.recordVolumesWith(containerVolumes);
        remove.removeVolumesWith(containerVolumes);
        // Runs the record has alive hold their volumes' mounts, so reconciling a dead one leaves a shared mount alone.
        projections.read(p -> java.util.List.copyOf(p.containers().all())).stream().filter(c -> c.isRunning())
                .forEach(c -> volumeMounter.adopt(c.id(), c.spec()));

        exitWatch = runtime.watchExits(exitRecorder::exited);
        BootReconciler reconciler = new BootReconciler(journal, runtime, launcher, storage, imageStore, exitRecorder, clock);
        reconciler.run();
        net.reconcile();
        new VolumeReconciler(journal, volumeDrivers, volumeMounter).run();
        projections.read(p -> java.util.List.copyOf(p.containers().all())).forEach(restartPolicies::atBoot);
        new dev.tallyman.host.commands.containers.HealthMonitor(journal, finder, runtime).resumeAtBoot();
        periodicReconciler = new PeriodicReconciler(journal, reconciler, runtime, clock, config.reconcileGrace());
        periodicReconciler.start(config.reconcileEvery());

        ObjectMapper json = new ObjectMapper()
                .registerModule(new Jdk8Module())
                .registerModule(new JavaTimeModule())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        ApiRouter api = new ApiRouter(router, json, "Tallyman/" + SystemApi.ENGINE_VERSION + " (linux)", journal);
        api.observeWith(metrics);
        if (policies.any()) {
            api.guardWith(new dev.tallyman.host.policy.PolicyGate(policies.audit(), policies.access(), journal, json));
        }
        Path runcPath = Executables.find(config.runc());
        new SystemApi(projections, storage.name(), config.dataRoot()).withSettings(new dev.tallyman.host.api.InfoSettings(
                config.logDriver(), runcPath,
                config.insecureRegistries().orElse(java.util.List.of()), ImageWiring.registryHosts(config).registryMirrors(),
                config.network().defaultAddressPools().orElse(""), dev.tallyman.host.api.InfoSettings.hostCgroupVersion(),
                dev.tallyman.host.config.daemon.DaemonJsonFile.active().filter(d -> java.nio.file.Files.exists(d.file()))
                        .map(dev.tallyman.host.config.daemon.DaemonJson::file).orElse(null)))
                .listPluginsFrom(PluginWiring.infoPlugins(catalog), catalog::warnings).register(api);
        new dev.tallyman.host.api.DriverApi(catalog, storage.name()).register(api);
        ContainerTools tools = new ContainerTools(runtime, new ContainerAttach(runtime.config()), new ContainerTop(runtime));
        new ExecApi(new ExecHandler(journal, finder, new ExecRuntime(runtime), new ExecInstances())).register(api);
        new dev.tallyman.host.api.ContainerUpdateApi(
                new dev.tallyman.host.commands.containers.UpdateContainerHandler(journal, finder, runtime)).register(api);
        ContainerHandlers containerHandlers = new ContainerHandlers(create, start, kill, stop, remove,
                new RenameContainerHandler(journal, finder), new PauseContainerHandler(journal, finder, runtime),
                new PruneContainersHandler(projections, remove, storage), new AttachRecorder(journal, tools.attach()),
                new dev.tallyman.host.commands.containers.RemoveLinkHandler(journal, finder, launcher));
        new ContainerApi(projections, finder, containerHandlers, waits, launcher, storage, lookup, clock)
                .withLogDefaults(logDefaults()).register(api);
        new dev.tallyman.host.api.ContainerAttachApi(projections, finder, containerHandlers, tools, waits, launcher).register(api);
        new dev.tallyman.host.api.ContainerLogsApi(projections, finder, waits, launcher).register(api);
        new dev.tallyman.host.api.ContainerStatsApi(finder, tools).register(api);
        ImageWiring.register(api, new ImageWiring.Shared(config, journal, projections, lookup, imageStore, storage, finder,
                launcher, clock));
        net.api().register(api);
        new VolumeApi(projections, createVolume, removeVolume,
                new PruneVolumesHandler(projections, removeVolume, volumeDrivers), volumeDrivers).register(api);
        new DiskUsageApi(projections, imageStore, storage, volumeDrivers, clock).register(api);
        BuildWiring.register(api, new BuildWiring.Parts(config, journal, projections, lookup, imageStore, storage, create,
                start, remove, waits, launcher, clock));
        new TallymanApi(projections, store).register(api);
        new dev.tallyman.host.api.HealthApi(store, runtime).register(api);
        new dev.tallyman.host.api.VerifyApi(evidence.verifier(), evidence.table(), clock).register(api);
        new EventsApi(store, store.commits(), projections, clock).register(api);
        relays.start(store, dataSource, meters, clock, evidence.checkpointer(), evidence.table());
        auditRecord.wire(store, store.commits(), snapshots,
                id -> imageStore.config(dev.tallyman.images.reference.Digest.parse(id)).config().labels());
        api.finish();
        restrictSocketWhenBound();
        startTlsListener(router, journal);
        LOG.infof("tallyman ready in %d ms: %d events, storage %s, socket %s",
                (System.nanoTime() - began) / 1_000_000, projections.position(), storage.name(), config.socket());
    }

    /** daemon.json's log-driver and log-opts (or TALLYMAN_LOG_DRIVER, TALLYMAN_LOG_OPTS), checked before any route. */
    private dev.tallyman.host.commands.containers.LogDefaults logDefaults() {
        String driver = config.logDriver();
        if (!driver.equals("json-file") && !driver.equals("none")) {
            throw new IllegalArgumentException("tallyman.log-driver: logger: no log driver named '" + driver + "' is registered");
        }
        return dev.tallyman.host.commands.containers.LogDefaults.of(driver, config.logOpts());
    }

    /**
     * Root and its group only: the socket grants control of the host (mode 0660). It is bound in a private
     * folder and moved to its path with its group and mode already set (issue 12, SocketPublisher).
     */
    private void restrictSocketWhenBound() {
        dev.tallyman.host.access.SocketPublisher.publishWhenBound(config.socket(),
                dev.tallyman.host.access.SocketPublisher.group(config.socketGroup()));
    }

    /** Remote access (issue 12): the same router on a mutual-TLS TCP port, when TALLYMAN_TLS_LISTEN is set. */
    private void startTlsListener(Router router, Journal journal) throws Exception {
        java.util.Optional<dev.tallyman.host.access.TlsListener.Settings> tls =
                dev.tallyman.host.access.TlsListener.Settings.of(config.tls());
        if (tls.isPresent()) {
            dev.tallyman.host.access.AccessRecord access = new dev.tallyman.host.access.AccessRecord(journal);
            tlsListener = dev.tallyman.host.access.TlsListener.start(vertx, router, tls.get(), access::tlsHandshakeRefused);
            LOG.infof("tls listener on tcp://%s:%d, client certificates signed by %s", tls.get().host(),
                    tlsListener.actualPort(), tls.get().ca());
        }
    }

    /** Containers keep running; only Tallyman's own watchers and connections stop. */
    void stopping(@Observes ShutdownEvent event) {
        try {
            if (tlsListener != null) {
                tlsListener.close();
            }
            dev.tallyman.host.access.SocketPublisher.unpublish(config.socket());
            if (periodicReconciler != null) {
                periodicReconciler.close();
            }
            if (exitWatch != null) {
                exitWatch.close();
            }
            if (exitRecorder != null) {
                exitRecorder.close();
            }
            if (restartPolicies != null) {
                restartPolicies.close();
            }
            if (snapshotTaker != null) {
                // before the store closes: a snapshot is put on the record before it is stored
                snapshotTaker.close();
            }
            relays.close();
            if (evidence != null) {
                // after the snapshot's event, before the store closes: the last checkpoint covers everything
                evidence.close();
            }
            if (store != null) {
                store.close();
            }
        } catch (Exception e) {
            LOG.warnf("shut down: %s", e.getMessage());
        }
    }
}
