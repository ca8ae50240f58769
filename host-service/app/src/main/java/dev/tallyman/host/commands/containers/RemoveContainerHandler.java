package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerRemoveFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoveRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerRemoved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * docker rm: refuses a running container unless forced (then kills it first), records the intent, removes the
 * writable layer and files, records the outcome. Also removes --rm containers after their run.
 */
public final class RemoveContainerHandler implements AutoRemover {
    private static final Logger LOG = Logger.getLogger(RemoveContainerHandler.class);

    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerLauncher launcher;
    private final StorageDriver storage;
    private final ContainerWaits waits;
    private dev.tallyman.host.commands.volumes.ContainerVolumes volumes;

    public RemoveContainerHandler(Journal journal, ContainerFinder finder, ContainerLauncher launcher, StorageDriver storage,
                                  ContainerWaits waits) {
        this.journal = journal;
        this.finder = finder;
        this.launcher = launcher;
        this.storage = storage;
        this.waits = waits;
    }

    /** rm -v and --rm remove anonymous volumes through this. */
    public void removeVolumesWith(dev.tallyman.host.commands.volumes.ContainerVolumes containerVolumes) {
        this.volumes = containerVolumes;
    }

    public void handle(String reference, boolean force, CommandContext context) {
        handle(reference, force, false, context);
    }

    /** @param removeVolumes docker rm -v: the container's anonymous volumes go too, unless another container uses them */
    public void handle(String reference, boolean force, boolean removeVolumes, CommandContext context) {
        CompletableFuture<ContainerWaits.Exit>[] exit = new CompletableFuture[1];
        ContainerView view = journal.optimistically(() -> {
            ContainerView found = finder.require(reference);
            if (found.state() == ContainerState.REMOVING) {
                throw EngineException.conflict("removal of container " + reference + " is already in progress");
            }
            if (!force && RemovalRefusal.refuses(found)) {
                throw EngineException.conflict(RemovalRefusal.message(found));
            }
            exit[0] = waits.register(journal.projections(), found.id(), ContainerWaits.Condition.NOT_RUNNING);
            journal.append(StreamId.container(found.id()), ExpectedVersion.exactly(found.version()), new ContainerRemoveRequested(found.id(), force), context);
            return found;
        });
        // Outside the journal's lock: the exit recorder needs it to put the death on the record.
        if (view.isRunning()) {
            killAndWait(view, exit[0]);
        }
        try {
            launcher.teardown(view.id(), view.spec());
            storage.remove(LayerId.of(view.id()));
            launcher.removeFiles(view.id());
        } catch (RuntimeException e) {
            journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerRemoveFailed(view.id(), e.getMessage()), context);
            throw EngineException.system("remove container " + reference + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerRemoved(view.id()), context);
        if (removeVolumes && volumes != null) {
            volumes.removeAnonymous(view.spec().mounts(), context);
        }
    }

    private void killAndWait(ContainerView view, CompletableFuture<ContainerWaits.Exit> exit) {
        String id = view.id();
        try {
            // Every container has a pid namespace of its own, so killing its init ends all of it. A frozen
            // (paused) container gets the signal only when thawed: runc freezes, signals and thaws for us.
            if (view.state() == ContainerState.RUNNING) {
                launcher.runtime().killInitForcibly(id, (int) view.pid());
            } else {
                launcher.runtime().kill(id, 9, true);
            }
            exit.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("remove container %s: kill: %s", id, e.getMessage());
        }
    }

    /** --rm: the run ended, so the container goes, on the record as Tallyman's own removal. */
    @Override
    public void afterRun(String containerId, java.util.UUID runRequest) {
        finder.byId(containerId).filter(v -> v.spec().autoRemove()).ifPresent(v -> {
            try {
                // --rm takes the anonymous volumes along, as Docker does; named ones stay.
                handle(containerId, false, true, new CommandContext(dev.tallyman.audit.store.Actor.system("auto-remove"), runRequest));
            } catch (EngineException e) {
                LOG.warnf("auto-remove container %s: %s", containerId, e.getMessage());
            }
        });
    }
}
