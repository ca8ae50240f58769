package dev.tallyman.audit.snapshot;

import java.time.Instant;
import java.util.Objects;

/**
 * A copy of the projections' state as it stood after the event at {@code position}.
 *
 * @param headHash the hash of that event, naming the chain the state was folded from
 * @param format   the format the state is written in; a reader ignores formats it was not built for
 * @param state    the state as stored, opaque here
 */
public record Snapshot(long position, String headHash, String format, Instant takenAt, byte[] state) {
    public Snapshot {
        if (position <= 0) {
            throw new IllegalArgumentException("snapshot: position must be positive, got " + position);
        }
        Objects.requireNonNull(headHash, "head hash");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(takenAt, "taken at");
        Objects.requireNonNull(state, "state");
    }

    /** {@code sha256:<hex>} of the state bytes, as a snapshot.taken event records it. */
    public String stateDigest() {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(state));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("digest snapshot: no SHA-256 in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "snapshot at " + position + " (" + format + ", " + state.length + " bytes)";
    }
}
