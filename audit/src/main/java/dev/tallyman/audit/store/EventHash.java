package dev.tallyman.audit.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The one canonical form an event is hashed in. Both the append and {@code verify} go through here, so they
 * cannot drift apart.
 *
 * <p>hash = hex(SHA-256(field, field, …)) over, in this order: previous hash, position, stream id, version,
 * type, payload text, actor kind, uid, pid, user name, TLS subject, the login uid when known (issue 12:
 * "loginuid=N", left out when -1 so older events keep their hashes), correlation id (lower-case), occurred-at
 * as microseconds since the epoch. Each field is written as {@code <UTF-8 byte length>:<text>\n}: the length
 * prefix keeps a newline inside a user name or subject from making two different events hash alike.
 */
public final class EventHash {

    /** The previous hash of the first event. */
    public static final String GENESIS = "0".repeat(64);

    private EventHash() {
    }

    public static String of(String previousHash, long position, StreamId stream, long version, String type,
                            String payload, Actor actor, UUID correlationId, Instant occurredAt) {
        if (!occurredAt.equals(occurredAt.truncatedTo(ChronoUnit.MICROS))) {
            // PostgreSQL keeps microseconds; a finer time would hash differently from what verify reads back
            throw new IllegalArgumentException("hash event " + position + ": time " + occurredAt + " is finer than microseconds");
        }
        MessageDigest sha256 = sha256();
        field(sha256, previousHash);
        field(sha256, Long.toString(position));
        field(sha256, stream.value());
        field(sha256, Long.toString(version));
        field(sha256, type);
        field(sha256, payload);
        field(sha256, actor.kind().name());
        field(sha256, Integer.toString(actor.uid()));
        field(sha256, Integer.toString(actor.pid()));
        field(sha256, actor.userName());
        field(sha256, actor.tlsSubject());
        if (actor.loginUid() != Actor.UNSET) {
            // only when known: events from before the login uid was recorded keep the hash they were stored with
            field(sha256, "loginuid=" + actor.loginUid());
        }
        field(sha256, correlationId.toString());
        field(sha256, Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, occurredAt)));
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static void field(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
        digest.update((byte) '\n');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("hash event: no SHA-256 in this JVM", e);
        }
    }
}
