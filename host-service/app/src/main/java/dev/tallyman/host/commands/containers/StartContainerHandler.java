package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerStartFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStarted;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.runtime.ContainerStartException;
import dev.tallyman.runtime.RunningProcess;
import dev.tallyman.runtime.oci.SpecificationException;
import dev.tallyman.host.commands.networks.ContainerNetworking;
import dev.tallyman.host.runtime.NetworkSetup;
import java.time.Clock;

/**
 * docker start: records the intent, launches the container, records ContainerStarted or, when the process
 * could not run, ContainerStartFailed with Docker's exit code (126, 127) and runc's words.
 */
public final class StartContainerHandler {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StartContainerHandler.class);
    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerLauncher launcher;
    private final Clock clock;
    private final AutoRemover autoRemover;
    private final ContainerExitRecorder exits;
    private final ContainerNetworking networking;
    private dev.tallyman.host.commands.volumes.ContainerVolumes volumes;

    public StartContainerHandler(Journal journal, ContainerFinder finder, ContainerLauncher launcher, Clock clock,
                                 AutoRemover autoRemover, ContainerExitRecorder exits) {
        this(journal, finder, launcher, clock, autoRemover, exits, null);
    }

    /** @param networking joins the container's networks, on the record; null: the launcher joins the mode's driver */
    public StartContainerHandler(Journal journal, ContainerFinder finder, ContainerLauncher launcher, Clock clock,
                                 AutoRemover autoRemover, ContainerExitRecorder exits, ContainerNetworking networking) {
        this.networking = networking;
        this.exits = exits;
        this.journal = journal;
        this.finder = finder;
        this.launcher = launcher;
        this.clock = clock;
        this.autoRemover = autoRemover;
    }

    /** Docker's volume mount events for each run go on the record through this. */
    public void recordVolumesWith(dev.tallyman.host.commands.volumes.ContainerVolumes containerVolumes) {
        this.volumes = containerVolumes;
    }

    public void handle(String reference, CommandContext context) {
        ContainerView container = journal.optimistically(() -> {
            ContainerView view = finder.require(reference);
            if (view.state() == ContainerState.RUNNING) {
                throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already started");
            }
            if (view.state() == ContainerState.PAUSED) {
                throw EngineException.conflict("cannot start a paused container, try unpause instead");
            }
            if (view.state() == ContainerState.REMOVING || view.state() == ContainerState.CREATING || !view.pendingIntent().isEmpty()) {
                throw EngineException.conflict("cannot start container " + reference + ": container is "
                        + (view.state() == ContainerState.REMOVING ? "marked for removal" : "busy with another command"));
            }
            journal.append(StreamId.container(view.id()), ExpectedVersion.exactly(view.version()),
                    new ContainerStartRequested(view.id()), context);
            return finder.byId(view.id()).orElseThrow();
        });
        String id = container.id();
        RunningProcess running;
        NetworkSetup network = null;
        if (networking != null) {
            java.util.List<dev.tallyman.host.runtime.LinkedContainer> links;
            try {
                links = journal.projections().read(p -> ContainerLinks.atStart(container, p));
            } catch (EngineException e) {
                // A linked container that does not run: Docker's words, before anything is set up.
                journal.append(StreamId.container(id), ExpectedVersion.any(), new ContainerStartFailed(id, 128, e.getMessage()), context);
                autoRemover.afterRun(id, context.correlationId());
                throw new EngineException(e.kind(), e.getMessage(), e).onRecord();
            }
            try {
                network = networking.attach(container, context).withLinks(links);
            } catch (EngineException e) {
                // Docker's words (a port already allocated, an address in use); the container stays created.
                journal.append(StreamId.container(id), ExpectedVersion.any(), new ContainerStartFailed(id, 128, e.getMessage()), context);
                autoRemover.afterRun(id, context.correlationId());
                throw new EngineException(e.kind(), e.getMessage(), e).onRecord();
            }
        }
        try {
            running = launcher.launch(id, container.spec(), network);
        } catch (ContainerStartException e) {
            String message = "failed to create task for container: OCI runtime create failed: " + e.getMessage();
            journal.append(StreamId.container(id), ExpectedVersion.any(),
                    new ContainerStartFailed(id, e.exitCode(), message), context);
            autoRemover.afterRun(id, context.correlationId());
            throw EngineException.invalid(message).onRecord();
        } catch (SpecificationException e) {
            // The request cannot run as given (e.g. -u names no user in the image): Docker's 400 with exit code 128.
            journal.append(StreamId.container(id), ExpectedVersion.any(), new ContainerStartFailed(id, 128, e.getMessage()), context);
            autoRemover.afterRun(id, context.correlationId());
            throw EngineException.invalid(e.getMessage()).onRecord();
        } catch (RuntimeException e) {
            String message = "start container " + reference + ": " + e.getMessage();
            journal.append(StreamId.container(id), ExpectedVersion.any(),
                    new ContainerStartFailed(id, 128, message), context);
            autoRemover.afterRun(id, context.correlationId());
            throw EngineException.system(message, e).onRecord();
        }
        if (volumes != null) {
            volumes.mounted(id, container.spec().mounts(), context);
        }
        journal.append(StreamId.container(id), ExpectedVersion.any(),
                new ContainerStarted(id, running.pid(), clock.instant()), context);
        exits.started(id, context.correlationId());
        if (networking != null) {
            moveInParentsHosts(id);
        }
    }

    /**
     * Containers that link to this one and run have a hosts line for it: it now names the address this start
     * got, as Docker's sandbox updates its parents. Their environment keeps the old one, as in Docker.
     */
    private void moveInParentsHosts(String id) {
        for (ContainerLinks.Parent parent : journal.projections().read(p -> ContainerLinks.parentsOf(id, p))) {
            try {
                launcher.moveLinkInHosts(parent.parentId(), parent.alias(), parent.ip());
            } catch (RuntimeException e) {
                // The start itself succeeded; Docker too only logs a parent it could not update.
                LOG.warnf("update hosts of container %s for link %s: %s", parent.parentId(), parent.alias(), e.getMessage());
            }
        }
    }
}
