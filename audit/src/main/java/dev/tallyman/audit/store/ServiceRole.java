package dev.tallyman.audit.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The database role the service runs as, beside the owner that runs the migrations and owns the tables
 * (README, "The database, locked"). It may read and append events and nothing else there: no UPDATE, DELETE or
 * TRUNCATE, and, not being the owner, no DDL and no ALTER TABLE … DISABLE TRIGGER. The snapshots are a cache
 * beside the record, replaced and pruned freely, so it may write those. Checkpoints it may only add.
 *
 * <p>Granted in code after each migration rather than in a migration script: the role's name is configuration,
 * and a schema made later (a test's) gets the same grants.
 */
public final class ServiceRole {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private ServiceRole() {
    }

    /** Grants {@code role} its rights on the store's tables in the owner's current schema; safe to repeat. */
    public static void grant(DataSource owner, String role) {
        if (!NAME.matcher(role).matches()) {
            throw new IllegalArgumentException("service role " + role + ": not a plain lower-case role name");
        }
        try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
            s.execute("grant usage on schema " + currentSchema(c) + " to " + role);
            s.execute("revoke all on events from " + role);
            s.execute("grant select, insert on events to " + role);
            s.execute("grant select, insert, update, delete on projection_snapshots to " + role);
            // Signed checkpoints are append-only like the events; which position the boot verified up to is a
            // single row the service moves forward.
            s.execute("revoke all on checkpoints from " + role);
            s.execute("grant select, insert on checkpoints to " + role);
            s.execute("grant select, insert, update on chain_verified to " + role);
            // each relay's last acknowledged position, moved forward as the broker acknowledges
            s.execute("grant select, insert, update on relay_positions to " + role);
        } catch (SQLException e) {
            throw new EventStoreException("grant the service role " + role + " its rights: " + e.getMessage(), e);
        }
    }

    private static String currentSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rows = s.executeQuery("select quote_ident(current_schema())")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
