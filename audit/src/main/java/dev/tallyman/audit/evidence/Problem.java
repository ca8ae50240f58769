package dev.tallyman.audit.evidence;

/**
 * One thing verify found wrong with the record.
 *
 * @param kind     what kind of tampering (or damage) it points to
 * @param position the event (or checkpoint) position it is at
 * @param detail   a sentence naming what was compared with what
 */
public record Problem(Kind kind, long position, String detail) {

    /** The cases verify tells apart; {@link #wireName()} is what the API and ops/tallyman print. */
    public enum Kind {
        /** An event's stored columns no longer give its stored hash: the row was edited. */
        EDITED_EVENT("edited-event"),
        /** A position is missing from the table: the row was deleted. */
        DELETED_EVENT("deleted-event"),
        /** An event's previous hash is not the hash of the event before it: that one was edited and rehashed. */
        BROKEN_LINK("broken-link"),
        /** The table ends below a signed checkpoint: its newest events were deleted. */
        DELETED_TAIL("deleted-tail"),
        /** The chain holds together but its hash at a checkpoint is not the signed one: it was recomputed. */
        REWRITTEN_CHAIN("rewritten-chain"),
        /** A checkpoint whose signature does not hold: forged or altered. */
        BAD_SIGNATURE("bad-signature"),
        /** A line of the checkpoint file that is not a checkpoint. */
        UNREADABLE_CHECKPOINT("unreadable-checkpoint"),
        /** A checkpoint in the file that the table no longer has. */
        MISSING_CHECKPOINT("missing-checkpoint");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
