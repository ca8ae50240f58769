package dev.tallyman.host.projections;

import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent;
import dev.tallyman.audit.event.NetworkEvent;
import dev.tallyman.audit.event.VolumeEvent;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.List;
import java.util.function.Consumer;

/**
 * The current state of everything, folded from events in position order. The same fold serves the live
 * service and a rebuild from the store, so a test can compare the two.
 *
 * <p>The event store's writer thread calls {@link #apply} with each commit's events in position order (see
 * {@link dev.tallyman.host.commands.Journal}); readers call the query methods, which are synchronized on this
 * object.
 */
public final class Projections {
    private final ContainerProjection containers = new ContainerProjection();
    private final ImageProjection images = new ImageProjection();
    private final NetworkProjection networks = new NetworkProjection();
    private final VolumeProjection volumes = new VolumeProjection();
    private final BuildProjection builds = new BuildProjection();
    private final HealthProjection health = new HealthProjection();
    private final OpenSideIntents sideIntents = new OpenSideIntents();
    private final OpenLogins logins = new OpenLogins();
    private final OpenIntentLedger openIntents = new OpenIntentLedger();
    // transient: not state, so neither a snapshot (SnapshotFormat) nor a copy of the projections carries it
    private final transient List<Consumer<RecordedEvent>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long position;
    /** The hash of the event at {@link #position}: the chain this state was folded from. */
    private String headHash = dev.tallyman.audit.store.EventHash.GENESIS;

    /** Folds every event of the store, from the first. */
    public static Projections rebuild(EventStore store) {
        Projections projections = new Projections();
        store.replay(0, projections::apply);
        return projections;
    }

    public synchronized void apply(RecordedEvent recorded) {
        if (recorded.position() <= position) {
            return;
        }
        Event event = recorded.event();
        if (event instanceof ContainerEvent e) {
            containers.apply(recorded, e);
            networks.apply(recorded, e);
            health.apply(e);
            sideIntents.apply(recorded, e);
        } else if (event instanceof NetworkEvent e) {
            networks.apply(recorded, e);
        } else if (event instanceof ImageEvent e) {
            images.apply(recorded, e);
        } else if (event instanceof VolumeEvent e) {
            volumes.apply(recorded, e);
        } else if (event instanceof dev.tallyman.audit.event.BuildEvent e) {
            builds.apply(e);
        } else if (event instanceof dev.tallyman.audit.event.RegistryEvent e) {
            // Login attempts change no object Docker's API shows; only an attempt cut short is kept.
            logins.apply(recorded, e);
        } else if (event instanceof CommandRefused || event instanceof dev.tallyman.audit.event.SnapshotEvent
                || event instanceof dev.tallyman.audit.event.PluginEvent
                || event instanceof dev.tallyman.audit.event.ReconcileEvent
                || event instanceof dev.tallyman.audit.event.AuditEvent
                || event instanceof dev.tallyman.audit.event.AccessEvent) {
            // A refusal changed nothing; it is on the record for the audit trail only. A snapshot taken or
            // refused is about the projections, not part of what they show. Plugin events say which driver code
            // ran; the drivers in use are what the service loaded at this boot, not a projection. Audit events
            // (a read, a request body) are about who asked, not about any object.
        } else {
            throw new IllegalStateException("no projection case for " + event.getClass().getSimpleName());
        }
        openIntents.apply(recorded);
        position = recorded.position();
        headHash = recorded.hash();
        listeners.forEach(l -> l.accept(recorded));
    }

    /** Called after each applied event, under the projection lock: keep it short and never block. */
    public void onApplied(Consumer<RecordedEvent> listener) {
        listeners.add(listener);
    }

    public synchronized <T> T read(java.util.function.Function<Projections, T> query) {
        return query.apply(this);
    }

    /** Copies, exports and resizes still open, by container (the boot reconciler closes them). */
    public OpenSideIntents sideIntents() {
        return sideIntents;
    }

    /** Every intent without an outcome yet, of every stream (the reconcilers close them). */
    public OpenIntentLedger openIntents() {
        return openIntents;
    }

    /** docker login attempts without an outcome, by registry. */
    public OpenLogins logins() {
        return logins;
    }

    /** Containers' health as their checks left it (issue 15). */
    public HealthProjection health() {
        return health;
    }

    public ContainerProjection containers() {
        return containers;
    }

    public NetworkProjection networks() {
        return networks;
    }

    public BuildProjection builds() {
        return builds;
    }

    public ImageProjection images() {
        return images;
    }

    public VolumeProjection volumes() {
        return volumes;
    }

    public synchronized long position() {
        return position;
    }

    /** The hash of the last event folded, {@link dev.tallyman.audit.store.EventHash#GENESIS} before the first. */
    public synchronized String headHash() {
        return headHash;
    }
}
