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

    /** Keeps the {@code keep} newest snapshots of {@code format} and removes the rest, other formats included. */
    public void prune(String format, int keep) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("delete from projection_snapshots where format <> ?"
                     + " or position not in (select position from projection_snapshots where format = ?"
                     + " order by position desc limit ?)")) {
            ps.setString(1, format);
            ps.setString(2, format);
            ps.setInt(3, keep);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new EventStoreException("prune snapshots: " + e.getMessage(), e);
        }
    }
}
