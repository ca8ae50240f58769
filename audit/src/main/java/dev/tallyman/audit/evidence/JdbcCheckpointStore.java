package dev.tallyman.audit.evidence;

import dev.tallyman.audit.store.EventStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The {@code checkpoints} and {@code chain_verified} tables of {@code V3__checkpoints.sql}. */
public final class JdbcCheckpointStore {
    private final DataSource dataSource;

    public JdbcCheckpointStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void save(Checkpoint checkpoint) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("insert into checkpoints (position, head_hash, signed_at, key_id,"
                     + " signature) values (?, ?, ?, ?, ?) on conflict (position) do nothing")) {
            ps.setLong(1, checkpoint.position());
            ps.setString(2, checkpoint.headHash());
            ps.setObject(3, OffsetDateTime.ofInstant(checkpoint.signedAt(), ZoneOffset.UTC));
            ps.setString(4, checkpoint.keyId());
            ps.setString(5, checkpoint.signature());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new EventStoreException("store checkpoint " + checkpoint.position() + ": " + e.getMessage(), e);
        }
    }

    /** Every checkpoint in the table, oldest first. */
    public List<Checkpoint> all() {
        List<Checkpoint> checkpoints = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select position, head_hash, signed_at, key_id, signature from checkpoints"
                     + " order by position")) {
            while (rs.next()) {
                checkpoints.add(new Checkpoint(rs.getLong(1), rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4), rs.getString(5)));
            }
        } catch (SQLException e) {
            throw new EventStoreException("read checkpoints: " + e.getMessage(), e);
        }
        return checkpoints;
    }

    /** The checkpoints after {@code position}, oldest first, at most {@code limit}. */
    public List<Checkpoint> after(long position, int limit) {
        List<Checkpoint> checkpoints = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select position, head_hash, signed_at, key_id, signature"
                     + " from checkpoints where position > ? order by position limit ?")) {
            ps.setLong(1, position);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    checkpoints.add(new Checkpoint(rs.getLong(1), rs.getString(2),
                            rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4), rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw new EventStoreException("read checkpoints after " + position + ": " + e.getMessage(), e);
        }
        return checkpoints;
    }

    /** The position up to which the chain was last verified, 0 when never. */
    public long verifiedThrough() {
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select position from chain_verified where id = 1")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new EventStoreException("read how far the chain was verified: " + e.getMessage(), e);
        }
    }

    public void markVerified(long position, Instant at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("insert into chain_verified (id, position, verified_at)"
                     + " values (1, ?, ?) on conflict (id) do update set position = excluded.position,"
                     + " verified_at = excluded.verified_at")) {
            ps.setLong(1, position);
            ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new EventStoreException("record the chain verified through " + position + ": " + e.getMessage(), e);
        }
    }
}
