package dev.tallyman.audit.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A schema of its own in the test PostgreSQL (ops/lib/postgres), so integration tests never see each other's
 * events; dropped on close. The database comes from TALLYMAN_TEST_DB_URL, _USER and _PASSWORD.
 */
final class FreshSchema implements AutoCloseable {
    private final String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private final PGSimpleDataSource dataSource;

    FreshSchema() throws SQLException {
        String url = env("TALLYMAN_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:54329/tallyman");
        String user = env("TALLYMAN_TEST_DB_USER", "tallyman");
        String password = env("TALLYMAN_TEST_DB_PASSWORD", "tallyman");
        PGSimpleDataSource admin = dataSource(url, user, password);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("create schema " + name);
        }
        dataSource = dataSource(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + name, user, password);
    }

    private static PGSimpleDataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    DataSource dataSource() {
        return dataSource;
    }

    String name() {
        return name;
    }

    /** Runs plain SQL in this schema, as a tamperer with the owner's rights would. */
    void sql(String statement) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema " + name + " cascade");
        }
    }
}
