package dev.tallyman.audit.evidence;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A signed statement "the service's chain had this head hash at this position, at this time" (issue 11).
 *
 * @param position  the position of the newest event covered
 * @param headHash  that event's hash
 * @param signedAt  when it was signed (microseconds, as PostgreSQL keeps them)
 * @param keyId     which key signed it ({@link CheckpointKey#keyId()})
 * @param signature base64 of the Ed25519 signature over {@link #signedText()}
 */
public record Checkpoint(long position, String headHash, Instant signedAt, String keyId, String signature) {

    public Checkpoint {
        if (position <= 0) {
            throw new IllegalArgumentException("checkpoint: position must be positive, got " + position);
        }
        Objects.requireNonNull(headHash, "head hash");
        Objects.requireNonNull(signedAt, "signed at");
        Objects.requireNonNull(keyId, "key id");
        Objects.requireNonNull(signature, "signature");
        signedAt = signedAt.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * The exact bytes signed: one field a line, named, so a signature over one checkpoint can never be read as
     * one over another (position 12 with hash "3…" and position 1 with hash "23…" differ in their text).
     */
    public byte[] signedText() {
        return signedText(position, headHash, signedAt, keyId);
    }

    static byte[] signedText(long position, String headHash, Instant signedAt, String keyId) {
        return ("tallyman checkpoint v1\nposition " + position + "\nhead " + headHash + "\nat "
                + ChronoUnit.MICROS.between(Instant.EPOCH, signedAt.truncatedTo(ChronoUnit.MICROS)) + "\nkey " + keyId + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
