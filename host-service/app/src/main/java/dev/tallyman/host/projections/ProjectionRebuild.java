package dev.tallyman.host.projections;

import dev.tallyman.audit.event.SnapshotEvent.ProjectionSnapshotRefused;
import dev.tallyman.audit.event.SnapshotEvent.ProjectionSnapshotTaken;
import dev.tallyman.audit.snapshot.JdbcSnapshotStore;
import dev.tallyman.audit.snapshot.Snapshot;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Projections at boot: the newest snapshot that belongs to the record, then the events after it.
 *
 * <p>A snapshot belongs to the record when (1) the store's event at the snapshot's position has the head hash
 * the snapshot names, so the chain it was folded from is the chain in the store, and (2) its bytes have the
 * digest a {@code snapshot.taken} event recorded when it was taken, so the state was not changed since. One that
 * fails either is refused: the reason goes on the record ({@code snapshot.refused}, actor SYSTEM), the row is
 * deleted, and the next older one is tried; with none left the projections fold the store from its first event.
 * A snapshot written in another {@link SnapshotFormat#FORMAT} (an older build) is ignored, not refused: it
 * is not wrong, only not readable here.
 */
public final class ProjectionRebuild {
    private static final Logger LOG = Logger.getLogger(ProjectionRebuild.class);
    /** How far back in the snapshots stream the record of a snapshot being taken is looked for. */
    private static final int TAKEN_EVENTS_SEARCHED = 64;

    /**
     * @param snapshotPosition the position of the snapshot started from, 0 when the store was folded from the start
     * @param folded           how many events were folded after it
     */
    public record Result(Projections projections, long snapshotPosition, long folded, long millis) {
    }

    private ProjectionRebuild() {
    }

    /** Starts from the newest snapshot that belongs to the record, refusing the ones that do not, and folds the rest. */
    public static Result run(EventStore store, JdbcSnapshotStore snapshots) {
        long began = System.nanoTime();
        Projections projections = null;
        // One snapshot in memory at a time, newest first: the history kept for time travel holds many.
        long bound = Long.MAX_VALUE;
        for (List<Snapshot> next = snapshots.atOrBefore(bound, 1); !next.isEmpty();
             next = snapshots.atOrBefore(bound, 1)) {
            Snapshot snapshot = next.get(0);
            bound = snapshot.position() - 1;
            if (!snapshot.format().equals(SnapshotFormat.FORMAT)) {
                LOG.infof("snapshot at %d ignored: format %s, this build reads %s", snapshot.position(),
                        snapshot.format(), SnapshotFormat.FORMAT);
                continue;
            }
            try {
                projections = accept(store, snapshot);
                break;
            } catch (Refusal refusal) {
                refuse(store, snapshots, snapshot, refusal.getMessage());
            }
        }
        long loaded = (System.nanoTime() - began) / 1_000_000;
        long start = projections == null ? 0 : projections.position();
        Projections folding = projections == null ? new Projections() : projections;
        long[] folded = {0};
        store.replay(start, event -> {
            folding.apply(event);
            folded[0]++;
        });
        long millis = (System.nanoTime() - began) / 1_000_000;
        LOG.infof("projections at event %d: %s, %d events folded after it, in %d ms (%d ms to choose and read the"
                        + " snapshot)", folding.position(), start == 0 ? "no snapshot" : "snapshot at " + start, folded[0],
                millis, loaded);
        return new Result(folding, start, folded[0], millis);
    }

    private static Projections accept(EventStore store, Snapshot snapshot) throws Refusal {
        long position = snapshot.position();
        Optional<String> hash = store.hashAt(position);
        if (hash.isEmpty()) {
            throw new Refusal("the store has no event " + position + " (its last is " + store.lastPosition() + ")");
        }
        if (!hash.get().equals(snapshot.headHash())) {
            throw new Refusal("event " + position + " has hash " + hash.get() + " in the store, the snapshot was taken"
                    + " at hash " + snapshot.headHash() + ": not the same chain");
        }
        String digest = snapshot.stateDigest();
        List<RecordedEvent> recent = store.readStreamTail(StreamId.SNAPSHOTS, TAKEN_EVENTS_SEARCHED);
        Optional<RecordedEvent> taken = recent.stream()
                .filter(r -> r.event() instanceof ProjectionSnapshotTaken t && t.position() == position
                        && t.headHash().equals(snapshot.headHash()) && t.format().equals(snapshot.format()))
                .reduce((first, second) -> second);
        if (taken.isEmpty()) {
            throw new Refusal("no snapshot.taken event on the record for a snapshot at " + position);
        }
        ProjectionSnapshotTaken recorded = (ProjectionSnapshotTaken) taken.get().event();
        if (!recorded.stateDigest().equals(digest)) {
            throw new Refusal("its state has digest " + digest + ", event " + taken.get().position()
                    + " recorded " + recorded.stateDigest() + " when it was taken: the state was changed");
        }
        Projections projections;
        try {
            projections = SnapshotFormat.read(snapshot.state());
        } catch (IllegalArgumentException e) {
            throw new Refusal("state unreadable: " + e.getMessage());
        }
        if (projections.position() != position || !projections.headHash().equals(snapshot.headHash())) {
            throw new Refusal("its state is at event " + projections.position() + ", not " + position);
        }
        return projections;
    }

    private static void refuse(EventStore store, JdbcSnapshotStore snapshots, Snapshot snapshot, String reason) {
        LOG.warnf("snapshot at %d refused: %s; the projections are folded from an older snapshot or the first event",
                snapshot.position(), reason);
        store.append(StreamId.SNAPSHOTS, ExpectedVersion.any(), List.of(new ProjectionSnapshotRefused(
                snapshot.position(), snapshot.headHash(), snapshot.format(), reason)),
                Actor.system("snapshots"), UUID.randomUUID());
        snapshots.delete(snapshot);
    }

    /** Why a snapshot does not belong to the record. */
    private static final class Refusal extends Exception {
        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }
}
