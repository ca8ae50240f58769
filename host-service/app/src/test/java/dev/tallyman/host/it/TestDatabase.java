package dev.tallyman.host.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh schema in the PostgreSQL that ops/test started, so each test class sees only its own events.
 * The URL comes from TALLYMAN_TEST_DB_URL; without it the test fails, as every seam test must.
 */
public final class TestDatabase implements AutoCloseable {
    public final String baseUrl;
    public final String user;
    public final String password;
    public final String schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    public TestDatabase() {
        this(env("TALLYMAN_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:54329/tallyman"),
                env("TALLYMAN_TEST_DB_USER", "tallyman"), env("TALLYMAN_TEST_DB_PASSWORD", "tallyman"));
    }

    /** A schema in another cluster (a test's own, which it may stop), as its owner role. */
    public TestDatabase(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
        execute("create schema " + schema);
    }

    /** The JDBC URL that makes every statement of a connection land in this schema. */
    public String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * A data source on this schema with the event store's tables in it (migrated), as the tests' owner role, set
     * as the service's is (application.properties): batches go as multi-row inserts.
     */
    public org.postgresql.ds.PGSimpleDataSource migratedDataSource() {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setUrl(url());
        dataSource.setReWriteBatchedInserts(true);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        dev.tallyman.audit.store.JdbcEventStore.migrate(dataSource);
        return dataSource;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user, password);
    }

    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError("sql failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        execute("drop schema if exists " + schema + " cascade");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
