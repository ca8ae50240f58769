package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerEvent.*;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every container that exists, folded from container events in position order. Not thread-safe on its own:
 * {@link Projections} serializes writers and hands readers snapshots.
 */
public final class ContainerProjection {
    private final Map<String, ContainerView> byId = new LinkedHashMap<>();
    private final Map<String, String> idByName = new LinkedHashMap<>();
    /** Name, image and labels of every container there is, to describe its events. */
    private final Map<String, Identity> identities = new java.util.HashMap<>();
    /**
     * The same of the last {@link #REMOVED_KEPT} containers removed, oldest first, for the events that follow a
     * removal live. Not of every container ever removed: that grew the projections, and each snapshot, with the
     * record (10 MB at a million events, each boot reading it); older ones are described from their own stream.
     */
    private final Map<String, Identity> removedIdentities = new LinkedHashMap<>();
    static final int REMOVED_KEPT = 1024;

    /**
     * What docker events shows of a container: its name, the image as the user named it, and its labels (Docker
     * puts them among the attributes, where label filters look for them).
     */
    public record Identity(String name, String image, Map<String, String> labels) {
        public Identity {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    void apply(RecordedEvent recorded, ContainerEvent event) {
        String id = event.containerId();
        long version = recorded.version();
        ContainerView view = byId.get(id);
        if (event instanceof ContainerCreateRequested e) {
            identities.put(id, new Identity(e.name(), e.spec().image(), e.spec().labels()));
            put(new ContainerView(id, e.name(), e.spec(), recorded.occurredAt(), ContainerState.CREATING, 0, 0, "",
                    Optional.empty(), Optional.empty(), false, 0, version, recorded.type(), false));
            return;
        }
        if (view == null) {
            // An outcome that lands after the container was removed (a stop racing an rm -f, say): on the record,
            // but there is no container left to change. Replay skips it the same way.
            return;
        }
        if (event instanceof ContainerCreated) {
            put(view.withState(ContainerState.CREATED, version).withPending("", version));
        } else if (event instanceof ContainerCreateFailed) {
            remove(id);
        } else if (event instanceof ContainerStartRequested) {
            // A start asked for by a user begins the count of policy restarts anew, as Docker's does.
            boolean byUser = recorded.actor().kind() != dev.tallyman.audit.store.Actor.Kind.SYSTEM;
            // The manual stop is cleared when the start is asked for, not when it succeeds: a stop that arrives
            // while this start is still under way (a policy restart joining its networks) must stay in force.
            ContainerView pending = view.withPending(recorded.type(), version).withManualStopCleared(version);
            put(byUser ? pending.withRestartCount(0, version) : pending);
        } else if (event instanceof ContainerPauseRequested || event instanceof ContainerUnpauseRequested) {
            put(view.withPending(recorded.type(), version));
        } else if (event instanceof ContainerKillRequested || event instanceof ContainerStopRequested) {
            boolean byUser = recorded.actor().kind() != dev.tallyman.audit.store.Actor.Kind.SYSTEM;
            ContainerView pending = view.withPending(recorded.type(), version);
            put(byUser ? pending.withManuallyStopped(version) : pending);
        } else if (event instanceof ContainerStarted e) {
            put(new ContainerView(id, view.name(), view.spec(), view.created(), ContainerState.RUNNING, e.pid(), 0, "",
                    Optional.of(e.startedAt()), Optional.empty(), false, view.restartCount(), version, "", view.manuallyStopped()));
        } else if (event instanceof ContainerStartFailed e) {
            put(new ContainerView(id, view.name(), view.spec(), view.created(), ContainerState.EXITED, 0, e.exitCode(),
                    e.reason(), view.startedAt(), view.finishedAt(), false, view.restartCount(), version, "",
                    view.manuallyStopped()));
        } else if (event instanceof ContainerDied e) {
            ContainerState next = view.state() == ContainerState.REMOVING ? ContainerState.REMOVING : ContainerState.EXITED;
            put(new ContainerView(id, view.name(), view.spec(), view.created(), next, 0, e.exitCode(), view.error(),
                    view.startedAt(), Optional.of(e.finishedAt()), e.oomKilled() || view.oomKilled(), view.restartCount(),
                    version, view.pendingIntent(), view.manuallyStopped()));
        } else if (event instanceof ContainerStopped && view.state() == ContainerState.RESTARTING) {
            // Stopped while waiting for a policy restart: the restart is off, the container stays exited.
            put(view.withState(ContainerState.EXITED, version).withPending("", version));
        } else if (event instanceof ContainerKilled || event instanceof ContainerKillFailed
                || event instanceof ContainerStopped || event instanceof ContainerStopFailed
                || event instanceof ContainerPauseFailed) {
            put(view.withPending("", version));
        } else if (event instanceof ContainerPaused) {
            put(view.withState(ContainerState.PAUSED, version).withPending("", version));
        } else if (event instanceof ContainerUnpaused) {
            put(view.withState(ContainerState.RUNNING, version).withPending("", version));
        } else if (event instanceof ContainerRenamed e) {
            idByName.remove(e.oldName());
            identities.put(id, new Identity(e.newName(), view.spec().image(), view.spec().labels()));
            put(view.withName(e.newName(), version));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerUpdateRequested) {
            put(view.withPending(recorded.type(), version));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerUpdated e) {
            put(new ContainerView(id, view.name(), view.spec().withUpdate(e.limits(), e.restartPolicy()), view.created(),
                    view.state(), view.pid(), view.exitCode(), view.error(), view.startedAt(), view.finishedAt(),
                    view.oomKilled(), view.restartCount(), version, "", view.manuallyStopped()));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerUpdateFailed) {
            put(view.withPending("", version));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerLinkRemoveRequested) {
            put(view.withPending(recorded.type(), version));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerLinkRemoved e) {
            put(new ContainerView(id, view.name(), view.spec().withOptions(view.spec().options().withoutLink(e.alias())),
                    view.created(), view.state(), view.pid(), view.exitCode(), view.error(), view.startedAt(),
                    view.finishedAt(), view.oomKilled(), view.restartCount(), version, "", view.manuallyStopped()));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerLinkRemoveFailed) {
            put(view.withPending("", version));
        } else if (event instanceof dev.tallyman.audit.event.ContainerEvent.ContainerHealthChanged) {
            // Health is folded by HealthStates; the view only moves its version on.
            put(view.withPending(view.pendingIntent(), version));
        } else if (event instanceof ContainerRestartScheduled e) {
            put(view.withRestart(e.attempt(), version));
        } else if (event instanceof ContainerExported || event instanceof ContainerCopiedIn
                || event instanceof ContainerExecStarted || event instanceof ContainerExecDied
                || event instanceof ContainerEvent.ContainerExecStartFailed
                || event instanceof ContainerExecCreated || event instanceof ContainerAttached
                || OpenSideIntents.isSide(event)
                || event instanceof ContainerEvent.ContainerCopiedOut || event instanceof ContainerEvent.ContainerCopyFailed
                || event instanceof ContainerEvent.ContainerExportFailed || event instanceof ContainerEvent.ContainerResized
                || event instanceof ContainerEvent.ContainerResizeFailed) {
            // Operations on the record that change nothing docker ps or inspect show.
            put(view.withPending(view.pendingIntent(), version));
        } else if (event instanceof ContainerOomKilled) {
            put(view.withOomKilled(version));
        } else if (event instanceof ContainerRemoveRequested) {
            put(view.withState(ContainerState.REMOVING, version).withPending(recorded.type(), version));
        } else if (event instanceof ContainerRemoved) {
            remove(id);
        } else if (event instanceof ContainerRemoveFailed e) {
            ContainerState back = view.pid() > 0 ? ContainerState.RUNNING : ContainerState.DEAD;
            put(new ContainerView(id, view.name(), view.spec(), view.created(), back, view.pid(), view.exitCode(),
                    e.reason(), view.startedAt(), view.finishedAt(), view.oomKilled(), view.restartCount(), version, "",
                    view.manuallyStopped()));
        } else {
            throw new IllegalStateException("no projection case for " + event.getClass().getSimpleName());
        }
    }

    private void put(ContainerView view) {
        byId.put(view.id(), view);
        idByName.put(view.name(), view.id());
    }

    private void remove(String id) {
        Identity identity = identities.remove(id);
        if (identity != null) {
            removedIdentities.put(id, identity);
            if (removedIdentities.size() > REMOVED_KEPT) {
                removedIdentities.remove(removedIdentities.keySet().iterator().next());
            }
        }
        ContainerView gone = byId.remove(id);
        if (gone != null) {
            idByName.remove(gone.name());
        }
    }

    public Optional<ContainerView> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A container's name, image and labels while it exists and for a while after its removal (see above). */
    public Optional<Identity> identity(String id) {
        Identity live = identities.get(id);
        return Optional.ofNullable(live != null ? live : removedIdentities.get(id));
    }

    public Optional<String> idOfName(String name) {
        return Optional.ofNullable(idByName.get(name));
    }

    public Collection<ContainerView> all() {
        return List.copyOf(byId.values());
    }

    /**
     * A default bridge link's full name, "web/alias", names the linked container, as Docker's name registry holds
     * link names beside container names (docker rm --link finds the link by it).
     */
    private Optional<ContainerView> byLinkName(String name) {
        int slash = name.lastIndexOf('/');
        String parentId = slash < 0 ? null : idByName.get(name.substring(0, slash));
        ContainerView parent = parentId == null ? null : byId.get(parentId);
        if (parent == null) {
            return Optional.empty();
        }
        String alias = name.substring(slash + 1);
        return parent.spec().options().links().stream()
                .filter(l -> l.legacy() && l.alias().equals(alias))
                .findFirst()
                .map(l -> byId.get(l.containerId()));
    }

    /**
     * The link names of a container: "/web/alias" for each default bridge link to it, which Docker lists among
     * the container's Names.
     */
    public List<String> linkNames(String id) {
        List<String> names = new java.util.ArrayList<>();
        for (ContainerView parent : byId.values()) {
            parent.spec().options().links().stream()
                    .filter(l -> l.legacy() && l.containerId().equals(id))
                    .forEach(l -> names.add("/" + parent.name() + "/" + l.alias()));
        }
        return names;
    }

    /** A value copy, for comparing a live projection with one rebuilt from the store. */
    public Map<String, ContainerView> snapshot() {
        return Map.copyOf(byId);
    }

    /**
     * Finds a container as Docker does: by full id, by name (with or without the leading slash), then by
     * unique id prefix. Several containers sharing the prefix is an error of its own.
     */
    public Optional<ContainerView> find(String reference) {
        if (reference == null || reference.isEmpty()) {
            return Optional.empty();
        }
        ContainerView exact = byId.get(reference);
        if (exact != null) {
            return Optional.of(exact);
        }
        String name = reference.startsWith("/") ? reference.substring(1) : reference;
        String named = idByName.get(name);
        if (named != null) {
            return Optional.ofNullable(byId.get(named));
        }
        Optional<ContainerView> linked = byLinkName(name);
        if (linked.isPresent()) {
            return linked;
        }
        List<ContainerView> prefixed = byId.values().stream().filter(v -> v.id().startsWith(reference)).toList();
        if (prefixed.size() > 1) {
            throw new AmbiguousReferenceException(reference);
        }
        return prefixed.stream().findFirst();
    }
}
