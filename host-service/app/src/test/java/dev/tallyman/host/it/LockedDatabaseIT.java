package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12, "The database, locked": a cluster made by ops/lib/postgres takes no connection without a password,
 * the service runs as a role that can only read and append events, and its password is in a 0600 file, never
 * on its command line, in its environment or in its log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LockedDatabaseIT {
    private final PrivateCluster cluster = new PrivateCluster(Path.of("/var/lib/tallyman-test/db12/pg"), 54339);
    private TestDatabase database;
    private TallymanProcess tallyman;

    @BeforeAll
    void start() {
        cluster.start();
        database = cluster.schema();
        tallyman = cluster.service("db12-locked", database);
        tallyman.start();
        CommandResult imported = tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest");
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
    }

    @AfterAll
    void stop() {
        try {
            if (tallyman != null) {
                tallyman.docker("rm", "-f", "db12-locked-c");
                tallyman.close();
            }
            if (database != null) {
                database.close();
            }
        } finally {
            cluster.stop();
        }
    }

    @Test
    void aConnectionWithoutThePasswordIsRefused() {
        for (String user : List.of("tallyman", "tallyman_service", "postgres")) {
            assertThatThrownBy(() -> DriverManager.getConnection(cluster.url(), user, "").close())
                    .as(user + " without a password").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(cluster.url(), user, "tallyman").close())
                    .as(user + " with a guessed password").isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
        }
        // the cluster's own socket: only the OS user postgres gets in there without a password (peer), not root
        CommandResult psql = Shell.run(List.of("psql", "-w", "-h", cluster.dir.toString(), "-p", Integer.toString(cluster.port),
                "-U", "tallyman", "-d", "tallyman", "-c", "select 1"), java.util.Map.of(), null, 30);
        assertThat(psql.exitCode()).as(psql.toString()).isNotZero();
        assertThat(psql.stderr()).contains("no password supplied");
        CommandResult asRoot = Shell.run(List.of("psql", "-w", "-h", cluster.dir.toString(), "-p", Integer.toString(cluster.port),
                "-U", "postgres", "-d", "tallyman", "-c", "select 1"), java.util.Map.of(), null, 30);
        assertThat(asRoot.stderr()).contains("Peer authentication failed");
    }

    @Test
    void thePasswordFilesAreReadableByRootAlone() throws Exception {
        for (Path file : List.of(cluster.ownerPasswordFile(), cluster.servicePasswordFile())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------");
            assertThat(Files.getOwner(file).getName()).isEqualTo("root");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cluster.secrets))).isEqualTo("rwx------");
    }

    @Test
    void theServiceRoleCannotRewriteHistory() throws Exception {
        CommandResult created = tallyman.docker("create", "--name", "db12-locked-c", "busybox", "true");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        try (Connection c = DriverManager.getConnection(database.url(), "tallyman_service", cluster.servicePassword());
             Statement s = c.createStatement()) {
            try (var rows = s.executeQuery("select count(*) from events")) {
                rows.next();
                assertThat(rows.getLong(1)).as("the service role reads events").isPositive();
            }
            for (String tamper : List.of(
                    "update events set type = 'forged' where position = 1",
                    "delete from events where position = 1",
                    "truncate events",
                    "alter table events disable trigger events_append_only",
                    "alter table events disable trigger all",
                    "drop trigger events_append_only on events",
                    "drop table events",
                    "create or replace function events_refuse_change() returns trigger language plpgsql as $$ begin return new; end $$",
                    "create table forged (x int)")) {
                assertThatThrownBy(() -> s.execute(tamper)).as(tamper).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(tamper + ": " + e.getMessage())
                                .isIn("42501", "42P01"));
            }
        }
        // and the chain is as the service wrote it
        CommandResult verify = tallyman.api("GET", "/tallyman/verify", null);
        assertThat(verify.stdout()).contains("\"intact\":true");
    }

    @Test
    void noPasswordOnTheCommandLineInTheEnvironmentOrInTheLog() throws Exception {
        String owner = cluster.ownerPassword();
        String service = cluster.servicePassword();
        String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + tallyman.pid() + "/cmdline")), StandardCharsets.UTF_8);
        String environ = new String(Files.readAllBytes(Path.of("/proc/" + tallyman.pid() + "/environ")), StandardCharsets.UTF_8);
        String log = Files.readString(tallyman.log);
        for (String password : List.of(owner, service)) {
            assertThat(cmdline).doesNotContain(password);
            assertThat(environ).doesNotContain(password);
            assertThat(log).doesNotContain(password);
        }
        assertThat(environ).contains("TALLYMAN_DB_PASSWORD_FILE=" + cluster.servicePasswordFile());
        // it runs as the service role: its own sessions in pg_stat_activity say so
        try (Connection c = DriverManager.getConnection(cluster.url(), "tallyman", owner); Statement s = c.createStatement();
             var rows = s.executeQuery("select distinct usename from pg_stat_activity where datname = 'tallyman'"
                     + " and application_name = 'PostgreSQL JDBC Driver' and usename <> 'tallyman'")) {
            List<String> users = new java.util.ArrayList<>();
            while (rows.next()) {
                users.add(rows.getString(1));
            }
            assertThat(users).containsExactly("tallyman_service");
        }
    }
}
