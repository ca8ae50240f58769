package dev.tallyman.audit.relay;

import dev.tallyman.audit.store.EventStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The last position each relay had acknowledged, kept in {@code relay_positions} (migration V6) so a relay
 * resumes where its destination stopped confirming, after a restart, a crash or a broker outage.
 */
public final class RelayPositions {
    private final DataSource dataSource;

    public RelayPositions(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The position stored for {@code relay}; empty when it never stored one. */
    public OptionalLong load(String relay) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("select position from relay_positions where relay = ?")) {
            select.setString(1, relay);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw new EventStoreException("load position of relay " + relay + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores {@code position} for {@code relay}. Never moves a stored position back: two writers of one relay
     * (an old and a new run) cannot undo each other's progress.
     */
    public void save(String relay, long position, Instant at) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement(
                     "insert into relay_positions (relay, position, updated_at) values (?, ?, ?)"
                             + " on conflict (relay) do update set position = excluded.position, updated_at = excluded.updated_at"
                             + " where relay_positions.position < excluded.position")) {
            upsert.setString(1, relay);
            upsert.setLong(2, position);
            upsert.setTimestamp(3, Timestamp.from(at));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new EventStoreException("save position " + position + " of relay " + relay + ": " + e.getMessage(), e);
        }
    }
}
