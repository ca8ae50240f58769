package dev.tallyman.audit.event;

/**
 * The projections' snapshots, on their own stream {@code snapshots}: a snapshot is a copy of the folded state
 * kept beside the record so a boot need not fold every event again. Each one taken is on the record with the
 * digest of its bytes, so a snapshot changed after it was taken no longer matches the record and is refused;
 * each one refused at boot is on the record with the reason. Neither changes what the projections show.
 */
public sealed interface SnapshotEvent extends Event {
    long position();

    /**
     * @param position    the position of the last event folded into the snapshot
     * @param headHash    that event's hash: the chain the snapshot belongs to
     * @param format      the snapshot format, version and shape of the projections
     * @param stateDigest sha256 of the stored state bytes, {@code sha256:<hex>}
     * @param stateBytes  their size
     */
    @EventType("snapshot.taken")
    record ProjectionSnapshotTaken(long position, String headHash, String format, String stateDigest,
                                   long stateBytes) implements SnapshotEvent {
    }

    /**
     * @param position the position the refused snapshot claimed to be taken at
     * @param headHash the hash it claimed for that event
     * @param reason   why it was not used, e.g. "event 120 has another hash in the store"
     */
    @EventType("snapshot.refused")
    record ProjectionSnapshotRefused(long position, String headHash, String format, String reason)
            implements SnapshotEvent {
    }
}
