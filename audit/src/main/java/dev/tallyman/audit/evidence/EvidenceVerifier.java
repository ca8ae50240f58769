package dev.tallyman.audit.evidence;

import dev.tallyman.audit.evidence.Problem.Kind;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.EventHash;
import dev.tallyman.audit.store.EventStoreException;
import dev.tallyman.audit.store.StreamId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Checks the record against itself and against the signed checkpoints (issue 11), naming every problem rather
 * than stopping at the first: the hash chain of the {@code events} table catches an edited or deleted row, and
 * only the checkpoints, signed with a key the database never sees and kept in a file it cannot reach, catch a
 * deleted tail or a chain recomputed by someone with full access to the database.
 *
 * <p>{@link #all()} walks every event; {@link #sinceLastVerified()} (the boot's check) starts at the newest
 * checkpoint at or below the position last verified, so a boot reads the events since then, not the whole store.
 */
public final class EvidenceVerifier {
    // enough to name what happened; a table rewritten from its first row would otherwise list every event
    private static final int MAX_PROBLEMS = 1000;
    private static final int FETCH = 4000;
    private static final String COLUMNS = "position, stream_id, version, type, payload, actor_kind, actor_uid,"
            + " actor_pid, actor_user_name, actor_tls_subject, correlation_id, occurred_at, previous_hash, hash";

    private final DataSource dataSource;
    private final CheckpointKey key;
    private final CheckpointFile file;
    private final JdbcCheckpointStore table;

    public EvidenceVerifier(DataSource dataSource, CheckpointKey key, CheckpointFile file, JdbcCheckpointStore table) {
        this.dataSource = dataSource;
        this.key = key;
        this.file = file;
        this.table = table;
    }

    /** Every event, every checkpoint. */
    public Verification all() {
        return verify(false);
    }

    /**
     * The events after the newest validly signed checkpoint at or below the position last verified (all of them
     * when there is none), the checkpoints from there on, the event at that checkpoint and the count of events
     * below it (a deleted row anywhere shows as a missing count).
     */
    public Verification sinceLastVerified() {
        return verify(true);
    }

    private Verification verify(boolean incremental) {
        List<Problem> problems = new ArrayList<>();
        // Checkpoints before the head: a checkpoint is signed only after its events are committed, so every one
        // read now lies at or below the head read next, and a verify beside live appends sees no false tail. The
        // table before the file: a checkpoint goes to the file first, so every row read is in the file read after.
        List<Checkpoint> rows = table.all();
        List<CheckpointFile.Line> lines = file.read();
        long head = head();
        long verifiedThrough = incremental ? table.verifiedThrough() : 0;

        // the anchor: the newest file checkpoint at or below the verified position whose signature holds
        Optional<Checkpoint> anchor = Optional.empty();
        if (incremental) {
            List<Checkpoint> candidates = lines.stream().map(CheckpointFile.Line::checkpoint)
                    .filter(c -> c != null && c.position() <= Math.min(verifiedThrough, head))
                    .sorted(Comparator.comparingLong(Checkpoint::position).reversed()).toList();
            for (Checkpoint candidate : candidates) {
                if (key.check(candidate).isEmpty()) {
                    anchor = Optional.of(candidate);
                    break;
                }
            }
        }
        long from = anchor.map(Checkpoint::position).orElse(0L);

        // signatures: the file's lines and the table's rows (from the anchor on, at boot)
        long checkpointsChecked = 0;
        Map<Long, Checkpoint> signed = new TreeMap<>();
        Set<Long> inFile = new HashSet<>();
        for (CheckpointFile.Line line : lines) {
            if (line.checkpoint() == null) {
                add(problems, new Problem(Kind.UNREADABLE_CHECKPOINT, 0, "checkpoint file " + file.path() + " line "
                        + line.number() + ": " + line.unreadable()));
                continue;
            }
            Checkpoint checkpoint = line.checkpoint();
            if (checkpoint.position() < from) {
                continue;
            }
            checkpointsChecked++;
            Optional<String> wrong = key.check(checkpoint);
            if (wrong.isPresent()) {
                add(problems, new Problem(Kind.BAD_SIGNATURE, checkpoint.position(), "checkpoint file " + file.path()
                        + " line " + line.number() + " (event " + checkpoint.position() + "): " + wrong.get()));
            } else {
                signed.put(checkpoint.position(), checkpoint);
                inFile.add(checkpoint.position());
            }
        }
        Set<Long> inTable = new HashSet<>();
        for (Checkpoint row : rows) {
            inTable.add(row.position());
            if (row.position() < from) {
                continue;
            }
            checkpointsChecked++;
            if (row.equals(signed.get(row.position()))) {
                // the very checkpoint whose signature the file's line just proved: an Ed25519 check costs
                // milliseconds, and a store of a million events has a thousand of them
                continue;
            }
            Optional<String> wrong = key.check(row);
            if (wrong.isPresent()) {
                add(problems, new Problem(Kind.BAD_SIGNATURE, row.position(), "checkpoints table, event "
                        + row.position() + ": " + wrong.get()));
            } else {
                Checkpoint other = signed.putIfAbsent(row.position(), row);
                if (other != null && !other.headHash().equals(row.headHash())) {
                    add(problems, new Problem(Kind.BAD_SIGNATURE, row.position(), "checkpoints table, event "
                            + row.position() + ": signed head hash " + row.headHash() + " but the file's checkpoint"
                            + " says " + other.headHash()));
                }
            }
        }
        for (long position : inFile) {
            if (!inTable.contains(position)) {
                add(problems, new Problem(Kind.MISSING_CHECKPOINT, position, "the checkpoint of event " + position
                        + " is in " + file.path() + " but no longer in the checkpoints table"));
            }
        }

        // a deleted tail: the store ends below what was signed
        long newestSigned = signed.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        if (head < newestSigned) {
            add(problems, new Problem(Kind.DELETED_TAIL, head + 1, "the store ends at event " + head
                    + " but a checkpoint signed at " + signed.get(newestSigned).signedAt() + " covers event "
                    + newestSigned + " with hash " + newestSigned(signed).headHash() + ": events " + (head + 1)
                    + ".." + newestSigned + " were deleted"));
        }

        String previousHash = EventHash.GENESIS;
        if (anchor.isPresent()) {
            // the stored hash, not the signed one: a rewritten anchor is named once, not again at the next link
            previousHash = checkBelowAnchor(anchor.get(), problems);
        }
        long checked = walk(from, head, previousHash, signed, problems);
        return new Verification(checked, checkpointsChecked, head, from, problems);
    }

    private static Checkpoint newestSigned(Map<Long, Checkpoint> signed) {
        return ((TreeMap<Long, Checkpoint>) signed).lastEntry().getValue();
    }

    /**
     * The anchor's own event has the signed hash, and no event at or below it is missing; answers the hash the
     * table holds for it (the signed one when the event is gone).
     */
    private String checkBelowAnchor(Checkpoint anchor, List<Problem> problems) {
        String stored = anchor.headHash();
        try (Connection c = dataSource.getConnection();
             PreparedStatement hash = c.prepareStatement("select hash from events where position = ?");
             PreparedStatement count = c.prepareStatement("select count(*) from events where position <= ?")) {
            hash.setLong(1, anchor.position());
            try (ResultSet rs = hash.executeQuery()) {
                if (rs.next()) {
                    stored = rs.getString(1);
                    if (!stored.equals(anchor.headHash())) {
                        add(problems, rewritten(anchor, stored));
                    }
                }
            }
            count.setLong(1, anchor.position());
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                long missing = anchor.position() - rs.getLong(1);
                if (missing > 0) {
                    long first = firstMissing(c, anchor.position());
                    add(problems, new Problem(Kind.DELETED_EVENT, first, missing + " of the events 1.." + anchor.position()
                            + " are missing (deleted), the first is event " + first));
                }
            }
            return stored;
        } catch (SQLException e) {
            throw new EventStoreException("verify events up to checkpoint " + anchor.position() + ": " + e.getMessage(), e);
        }
    }

    private static long firstMissing(Connection c, long upTo) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce((select 1 where not exists (select 1 from events where position = 1)),"
                     + " (select min(position) + 1 from events e where position < " + upTo
                     + " and not exists (select 1 from events n where n.position = e.position + 1)))")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Problem rewritten(Checkpoint checkpoint, String found) {
        return new Problem(Kind.REWRITTEN_CHAIN, checkpoint.position(), "event " + checkpoint.position() + " has hash "
                + found + " but the checkpoint signed at " + checkpoint.signedAt() + " says " + checkpoint.headHash()
                + ": the chain up to it was recomputed");
    }

    /** Recomputes every event after {@code from} up to {@code head}; returns how many were read. */
    private long walk(long from, long head, String previousHash, Map<Long, Checkpoint> signed, List<Problem> problems) {
        long checked = 0;
        long expected = from + 1;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false); // pgjdbc streams with a cursor only inside a transaction
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS
                    + " from events where position > ? and position <= ? order by position")) {
                ps.setFetchSize(FETCH);
                ps.setLong(1, from);
                ps.setLong(2, head);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        checked++;
                        long position = rs.getLong(1);
                        boolean afterGap = position != expected;
                        if (afterGap) {
                            add(problems, new Problem(Kind.DELETED_EVENT, expected, position - expected == 1
                                    ? "event " + expected + " is missing (deleted)"
                                    : "events " + expected + ".." + (position - 1) + " are missing (deleted)"));
                        }
                        String hash = rs.getString(14);
                        String storedPrevious = rs.getString(13);
                        Optional<String> unreadable = Optional.empty();
                        boolean holds;
                        try {
                            holds = recompute(rs, position).equals(hash);
                        } catch (RuntimeException e) {
                            holds = false;
                            unreadable = Optional.of(e.getMessage());
                        }
                        if (!holds) {
                            add(problems, new Problem(Kind.EDITED_EVENT, position, "event " + position
                                    + unreadable.map(u -> ": contents unreadable: " + u)
                                    .orElse(": its hash does not match its contents (changed after it was written)")));
                        } else if (!afterGap && !storedPrevious.equals(previousHash)) {
                            add(problems, new Problem(Kind.BROKEN_LINK, position, position == 1
                                    ? "event 1's previous hash is not " + EventHash.GENESIS
                                    : "event " + position + "'s previous hash does not match event " + (position - 1)
                                    + "'s hash: event " + (position - 1) + " was changed and its hash recomputed"));
                        }
                        Checkpoint checkpoint = signed.get(position);
                        if (checkpoint != null && !checkpoint.headHash().equals(hash)) {
                            add(problems, rewritten(checkpoint, hash));
                        }
                        previousHash = hash;
                        expected = position + 1;
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new EventStoreException("verify events after " + from + ": " + e.getMessage(), e);
        }
        if (expected <= head) {
            add(problems, new Problem(Kind.DELETED_EVENT, expected, "events " + expected + ".." + head + " are missing (deleted)"));
        }
        return checked;
    }

    private static String recompute(ResultSet rs, long position) throws SQLException {
        Actor actor = new Actor(Actor.Kind.valueOf(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getString(9),
                rs.getString(10));
        return EventHash.of(rs.getString(13), position, new StreamId(rs.getString(2)), rs.getLong(3), rs.getString(4),
                rs.getString(5), actor, rs.getObject(11, UUID.class), rs.getObject(12, OffsetDateTime.class).toInstant());
    }

    private long head() {
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(max(position), 0) from events")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new EventStoreException("read last position: " + e.getMessage(), e);
        }
    }

    private static void add(List<Problem> problems, Problem problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
