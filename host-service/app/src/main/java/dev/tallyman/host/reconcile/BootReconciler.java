package dev.tallyman.host.reconcile;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerPauseRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerPaused;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoveRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerUnpauseRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerUnpaused;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoved;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStarted;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent;
import dev.tallyman.audit.event.ImageEvent.ImageDeleteFailed;
import dev.tallyman.audit.event.ImageEvent.ImageDeleteRequested;
import dev.tallyman.audit.event.ImageEvent.ImageDeleted;
import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.event.ReconcileEvent.LeftoverLayerRemoved;
import dev.tallyman.audit.event.ReconcileEvent.OrphanContainerRemoved;
import dev.tallyman.audit.event.ReconcileEvent.OrphanMountRemoved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerExitRecorder;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.OpenIntentLedger;
import dev.tallyman.host.projections.OpenSideIntents;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.ExitStatus;
import dev.tallyman.runtime.RuncState;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * At boot, makes the record and the machine agree. Every intent without an outcome gets one, decided by
 * looking at runc, conmon's exit files and the mounts; containers that died while Tallyman was away get their
 * death recorded with the exit code and time conmon wrote; what the machine holds that the record does not
 * know (a runc container, a mount) is removed. Everything appended here has the actor "reconcile".
 */
public final class BootReconciler {
    private static final Logger LOG = Logger.getLogger(BootReconciler.class);
    private static final String INTERRUPTED = "interrupted: tallyman stopped before the outcome was recorded";

    private final Journal journal;
    private final ContainerRuntime runtime;
    private final ContainerLauncher launcher;
    private final StorageDriver storage;
    private final ImageStore images;
    private final ContainerExitRecorder exits;
    private final Clock clock;

    public BootReconciler(Journal journal, ContainerRuntime runtime, ContainerLauncher launcher, StorageDriver storage,
                          ImageStore images, ContainerExitRecorder exits, Clock clock) {
        this.journal = journal;
        this.runtime = runtime;
        this.launcher = launcher;
        this.storage = storage;
        this.images = images;
        this.exits = exits;
        this.clock = clock;
    }

    public void run() {
        CommandContext context = CommandContext.system("reconcile");
        List<ContainerView> containers = journal.projections().read(p -> List.copyOf(p.containers().all()));
        for (ContainerView c : containers) {
            try {
                reconcile(c, context);
            } catch (RuntimeException e) {
                LOG.errorf(e, "reconcile container %s: %s", c.id(), e.getMessage());
            }
        }
        reconcileSideIntents(context);
        reconcileImages(context);
        reconcileRegistries(context);
        removeOrphans();
    }

    /**
     * Copies, exports and resizes a crash cut short: what reached the caller or the container cannot be told
     * any more, so each is closed as interrupted under its request's correlation id.
     */
    private void reconcileSideIntents(CommandContext context) {
        for (String containerId : journal.projections().read(p -> p.sideIntents().containers())) {
            StreamId stream = StreamId.container(containerId);
            for (OpenIntents.Open open : OpenIntents.in(journal.store().readStream(stream))) {
                if (open.intent() instanceof ContainerEvent side && OpenSideIntents.isSide(side)) {
                    journal.append(stream, ExpectedVersion.any(), open.intent().interrupted(INTERRUPTED),
                            new CommandContext(context.actor(), open.correlationId()));
                }
            }
        }
    }

    /** Login attempts the service stopped in the middle of: the registry's answer is lost with it. */
    private void reconcileRegistries(CommandContext context) {
        for (String registry : journal.projections().read(p -> p.logins().registries())) {
            StreamId stream = StreamId.registry(registry);
            for (OpenIntents.Open open : OpenIntents.in(journal.store().readStream(stream))) {
                journal.append(stream, ExpectedVersion.any(), open.intent().interrupted(INTERRUPTED),
                        new CommandContext(context.actor(), open.correlationId()));
            }
        }
    }

    private void reconcile(ContainerView c, CommandContext context) {
        StreamId stream = StreamId.container(c.id());
        Optional<RuncState> state = runtime.state(c.id());
        boolean alive = state.map(s -> s.status() == RuncState.Status.RUNNING || s.status() == RuncState.Status.PAUSED).orElse(false);
        CommandContext removal = context;
        if (!c.pendingIntent().isEmpty()) {
            // A container has one command in flight at a time: the newest open intent is the pending one.
            List<OpenIntents.Open> opens = OpenIntents.in(journal.store().readStream(stream));
            for (OpenIntents.Open open : opens.isEmpty() ? opens : opens.subList(opens.size() - 1, opens.size())) {
                // The outcome closes the request's own story: its correlation id, Tallyman's actor.
                CommandContext closing = new CommandContext(context.actor(), open.correlationId());
                if (open.intent() instanceof ContainerRemoveRequested) {
                    removal = closing;
                }
                Optional<Event> outcome = closeContainerIntent(c, open.intent(), alive, state, closing);
                if (outcome.isPresent()) {
                    journal.append(stream, ExpectedVersion.any(), outcome.get(), closing);
                }
            }
        }
        ContainerView now = journal.projections().read(p -> p.containers().byId(c.id())).orElse(c);
        if (alive) {
            // Output written while Tallyman was away is in the spool; the shipper resumes where it stopped.
            launcher.shipLogs(c.id(), c.spec());
        }
        if ((now.state() == ContainerState.RUNNING || now.state() == ContainerState.REMOVING) && now.pid() > 0 && !alive) {
            ExitStatus exit = runtime.exitStatus(c.id())
                    // No exit file: the machine restarted, taking conmon with it. Docker reports such deaths as 255.
                    .orElse(new ExitStatus(c.id(), 255, clock.instant(), false));
            exits.recordNow(exit, context);
        }
        if (now.state() == ContainerState.REMOVING) {
            removeNow(c, removal);
            return;
        }
        ContainerView settled = journal.projections().read(p -> p.containers().byId(c.id())).orElse(null);
        boolean ended = settled != null && (settled.state() == ContainerState.EXITED || settled.state() == ContainerState.CREATED
                || settled.state() == ContainerState.DEAD);
        if (ended && settled.spec().autoRemove() && settled.pendingIntent().isEmpty()) {
            // A --rm container whose run ended or never began while Tallyman was away (the service died between
            // the run's intent and its outcome, or before removing it): removed now, as Docker's daemon does at start.
            journal.append(stream, ExpectedVersion.any(), new ContainerRemoveRequested(c.id(), false), context);
            removeNow(c, context);
        }
    }

    /**
     * What an open intent of this container came to, as the machine shows it; the interrupted failure when
     * nothing shows it happened. Empty for a removal, which {@link #removeNow} completes below.
     */
    private Optional<Event> closeContainerIntent(ContainerView c, Intent intent, boolean alive, Optional<RuncState> state,
                                                 CommandContext context) {
        if (intent instanceof ContainerCreateRequested) {
            if (storage.inspect(LayerId.of(c.id())).isPresent()) {
                storage.remove(LayerId.of(c.id()));
                journal.append(StreamId.RECONCILE, ExpectedVersion.any(), new LeftoverLayerRemoved(c.id(),
                        "its create was interrupted before the container was made"), context);
            }
        } else if (intent instanceof ContainerStartRequested) {
            if (alive) {
                exits.started(c.id(), context.correlationId());
                return Optional.of(new ContainerStarted(c.id(), state.get().pid(), clock.instant()));
            }
            launcher.teardown(c.id(), c.spec());
            // Go on: an interrupted run of a --rm container is removed below.
        } else if (intent instanceof ContainerRemoveRequested) {
            return Optional.empty();
        } else if (intent instanceof ContainerPauseRequested && state.map(s -> s.status() == RuncState.Status.PAUSED).orElse(false)) {
            return Optional.of(new ContainerPaused(c.id()));
        } else if (intent instanceof ContainerUnpauseRequested && state.map(s -> s.status() == RuncState.Status.RUNNING).orElse(false)) {
            return Optional.of(new ContainerUnpaused(c.id()));
        }
        return Optional.of(intent.interrupted(INTERRUPTED));
    }

    private void removeNow(ContainerView c, CommandContext context) {
        launcher.teardown(c.id(), c.spec());
        storage.remove(LayerId.of(c.id()));
        launcher.removeFiles(c.id());
        journal.append(StreamId.container(c.id()), ExpectedVersion.any(), new ContainerRemoved(c.id()), context);
    }

    /**
     * Every image intent left open (several may be: pulls run side by side, each in its request's stream) gets
     * its outcome. A delete whose image is still in the store is finished, since its names are already gone with
     * its intent.
     */
    private void reconcileImages(CommandContext context) {
        Set<StreamId> streams = new java.util.LinkedHashSet<>();
        for (OpenIntentLedger.Entry entry : journal.projections().read(p -> p.openIntents().all())) {
            // only the streams an image intent is open in: reading every stream with any open intent (a
            // container's, at every boot after a crash) cost a query each
            if (entry.intentType().startsWith("image.")) {
                streams.add(new StreamId(entry.stream()));
            }
        }
        for (StreamId stream : streams) {
            closeOpen(stream, open -> open.intent() instanceof ImageEvent, INTERRUPTED, context);
        }
    }

    private Event finishDelete(ImageDeleteRequested delete) {
        List<ImageView> all = journal.projections().read(p -> List.copyOf(p.images().all()));
        boolean used = journal.projections().read(p -> p.containers().all().stream()
                .anyMatch(c -> c.spec().imageId().equals(delete.imageId())));
        if (used) {
            return new ImageDeleteFailed(delete.imageId(), INTERRUPTED + "; a container uses the image");
        }
        try {
            Set<LayerId> stillUsed = new HashSet<>();
            all.stream().filter(o -> !o.id().equals(delete.imageId()))
                    .forEach(o -> stillUsed.addAll(images.layers(Digest.parse(o.id()))));
            images.delete(Digest.parse(delete.imageId()), stillUsed);
            return new ImageDeleted(delete.imageId());
        } catch (RuntimeException e) {
            return new ImageDeleteFailed(delete.imageId(), INTERRUPTED + "; " + e.getMessage());
        }
    }

    /** runc containers and rootfs mounts that no container on the record owns. */
    private void removeOrphans() {
        Set<String> known = new HashSet<>(journal.projections().read(p -> p.containers().all().stream().map(ContainerView::id).toList()));
        for (String id : runtime.list()) {
            if (!known.contains(id)) {
                removeOrphanContainer(id, "no container on the record owns it");
            }
        }
        Path bundles = launcher.bundle("x").getParent();
        if (Files.isDirectory(bundles)) {
            try (Stream<Path> dirs = Files.list(bundles)) {
                for (Path dir : dirs.toList()) {
                    String id = dir.getFileName().toString();
                    boolean running = journal.projections().read(p -> p.containers().byId(id).map(ContainerView::isRunning).orElse(false));
                    if (!running && Files.isDirectory(dir.resolve("rootfs")) && Mounts.isMountPoint(dir.resolve("rootfs"))) {
                        LOG.warnf("reconcile: unmounting rootfs of container %s, which is not running", id);
                        Mounts.unmount(dir.resolve("rootfs"));
                        journal.append(StreamId.RECONCILE, ExpectedVersion.any(), new OrphanMountRemoved(id,
                                dir.resolve("rootfs").toString(), "the container is not running"), CommandContext.system("reconcile"));
                    }
                }
            } catch (java.io.IOException e) {
                LOG.warnf("reconcile: list bundles: %s", e.getMessage());
            }
        }
    }

    /** Kills and deletes a runc container the record does not own, and says so on the record. */
    void removeOrphanContainer(String id, String reason) {
        LOG.warnf("reconcile: removing runc container %s: %s", id, reason);
        try {
            runtime.kill(id, 9, true);
        } catch (RuntimeException e) {
            // Already stopped.
        }
        runtime.delete(id, true);
        journal.append(StreamId.RECONCILE, ExpectedVersion.any(), new OrphanContainerRemoved(id, reason),
                CommandContext.system("reconcile"));
    }

    /**
     * For the periodic pass: settles one container whose newest intent stayed open with no command running it,
     * as a boot would (the machine decides the outcome), together with its side intents.
     */
    void reconcileContainer(String containerId, String reason) {
        CommandContext context = CommandContext.system("reconcile");
        Optional<ContainerView> c = journal.projections().read(p -> p.containers().byId(containerId));
        if (c.isPresent()) {
            reconcile(c.get(), context);
        }
        closeEveryOpen(StreamId.container(containerId), reason);
    }

    /**
     * For the periodic pass: closes every open intent of a stream that is not a container's. An image delete is
     * finished as at boot; anything else is closed with its failure, naming why.
     */
    void closeEveryOpen(StreamId stream, String reason) {
        closeOpen(stream, open -> true, reason, CommandContext.system("reconcile"));
    }

    /**
     * Gives each open intent of {@code stream} that {@code which} selects its outcome, under the intent's own
     * correlation id: an image delete is finished (its names went with its intent); anything else is closed with
     * its failure, naming {@code reason}.
     */
    private void closeOpen(StreamId stream, java.util.function.Predicate<OpenIntents.Open> which, String reason,
                           CommandContext context) {
        for (OpenIntents.Open open : OpenIntents.in(journal.store().readStream(stream))) {
            if (!which.test(open)) {
                continue;
            }
            CommandContext closing = new CommandContext(context.actor(), open.correlationId());
            Event outcome = open.intent() instanceof ImageDeleteRequested delete
                    ? finishDelete(delete) : open.intent().interrupted(reason);
            journal.append(stream, ExpectedVersion.any(), outcome, closing);
        }
    }
}
