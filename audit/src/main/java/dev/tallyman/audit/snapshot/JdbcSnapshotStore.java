package dev.tallyman.audit.snapshot;

import dev.tallyman.audit.store.EventStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/** The {@code projection_snapshots} table of {@code db/migration/V2__projection_snapshots.sql}. */
public final class JdbcSnapshotStore {
    private final DataSource dataSource;

    public JdbcSnapshotStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Stores a snapshot, replacing one of the same position and format. */
    public void save(Snapshot snapshot) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("insert into projection_snapshots"
                     + " (position, head_hash, format, taken_at, state) values (?, ?, ?, ?, ?)"
                     + " on conflict (position, format) do update set head_hash = excluded.head_hash,"
                     + " taken_at = excluded.taken_at, state = excluded.state")) {
            ps.setLong(1, snapshot.position());
            ps.setString(2, snapshot.headHash());
            ps.setString(3, snapshot.format());
            ps.setObject(4, OffsetDateTime.ofInstant(snapshot.takenAt(), ZoneOffset.UTC));
            ps.setBytes(5, snapshot.state());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new EventStoreException("save " + snapshot + ": " + e.getMessage(), e);
        }
    }

    /** Every stored snapshot, newest position first, of any format. */
    public List<Snapshot> newestFirst() {
        List<Snapshot> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select position, head_hash, format, taken_at, state"
                     + " from projection_snapshots order by position desc, taken_at desc");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(new Snapshot(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getBytes(5)));
            }
        } catch (SQLException e) {
            throw new EventStoreException("read snapshots: " + e.getMessage(), e);
        }
        return found;
    }

    /** Removes one snapshot (one that was refused). */
    public void delete(Snapshot snapshot) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "delete from projection_snapshots where position = ? and format = ?")) {
            ps.setLong(1, snapshot.position());
            ps.setString(2, snapshot.format());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new EventStoreException("delete " + snapshot + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest snapshots at or before {@code position}, newest first, at most {@code limit}: where time travel
     * starts folding (an older one serves if the newest turns out unusable).
     */
    public List<Snapshot> atOrBefore(long position, int limit) {
        List<Snapshot> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select position, head_hash, format, taken_at, state"
                     + " from projection_snapshots where position <= ? order by position desc, taken_at desc limit ?")) {
            ps.setLong(1, position);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Snapshot(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getBytes(5)));
                }
            }
        } catch (SQLException e) {
            throw new EventStoreException("read snapshots at or before " + position + ": " + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Removes the snapshots of other formats, and thins those of {@code format} to at most {@code atMost}: the
     * {@code keepNewest} newest and the oldest stay, the rest evenly spread ({@link SnapshotThinning}).
     */
    public void prune(String format, int keepNewest, int atMost) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("delete from projection_snapshots where format <> ?")) {
                ps.setString(1, format);
                ps.executeUpdate();
            }
            List<Long> positions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "select position from projection_snapshots where format = ? order by position")) {
                ps.setString(1, format);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        positions.add(rs.getLong(1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "delete from projection_snapshots where format = ? and position = ?")) {
                for (long position : SnapshotThinning.toRemove(positions, keepNewest, atMost)) {
                    ps.setString(1, format);
                    ps.setLong(2, position);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } catch (SQLException e) {
            throw new EventStoreException("prune snapshots: " + e.getMessage(), e);
        }
    }
}
