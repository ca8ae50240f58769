package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Audit and access policies (issues 11 and 12) through the socket with the real CLI, some calls made as another
 * user (uid 65534 with chosen groups, through setpriv): reads recorded with their actor, secrets kept out of the
 * record while the container has them, calls denied by a named rule and the denial on the record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyIT {
    private static final int AUDITORS = 4241;
    private static final int DEVELOPERS = 4242;
    private static final String AUDIT_POLICY = """
            rules:
              - name: container-reads
                level: Metadata
                kinds: [container]
                operations: [logs, inspect, list]
              - name: create-bodies
                level: Request
                kinds: [container, exec]
                operations: [create]
              - name: logins
                level: Request
                kinds: [registry]
            """;
    private static final String ACCESS_POLICY = """
            rules:
              - name: auditors-read-only
                actors: {groups: ["%d"]}
                access: write
                effect: deny
                message: auditors may only read
              - name: developers-no-privileged
                actors: {groups: ["%d"]}
                kinds: [container]
                operations: [create]
                when: {privileged: true}
                effect: deny
              - name: developers-no-host-access
                actors: {groups: ["%d"]}
                kinds: [container]
                operations: [create]
                when: {hostBinds: true, hostNetwork: true}
                effect: deny
                message: host paths and the host network are not for developers
            """.formatted(AUDITORS, DEVELOPERS, DEVELOPERS);

    private TestDatabase database;
    private TallymanProcess tallyman;
    private Path policies;
    private Path clientConfig;

    @BeforeAll
    void start() throws Exception {
        policies = Files.createTempDirectory("pol-policies");
        Files.writeString(policies.resolve("audit.yaml"), AUDIT_POLICY);
        Files.writeString(policies.resolve("access.yaml"), ACCESS_POLICY);
        clientConfig = Files.createTempDirectory("pol-docker-config");
        Files.setPosixFilePermissions(clientConfig, PosixFilePermissions.fromString("rwxrwxrwx"));
        database = new TestDatabase();
        tallyman = new TallymanProcess("pol-policy", database, "overlay2")
                .withEnv("TALLYMAN_AUDIT_POLICY", policies.resolve("audit.yaml").toString())
                .withEnv("TALLYMAN_ACCESS_POLICY", policies.resolve("access.yaml").toString());
        tallyman.start();
        openSocketToEveryone(tallyman);
        ok(tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest"));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (tallyman != null) {
                removeAll(tallyman);
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
            for (Path dir : new Path[] {policies, clientConfig}) {
                if (dir != null) {
                    try (var files = Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    void readsOfLogsInspectAndPsAreRecordedWithTheirActor() {
        String id = ok(tallyman.docker("run", "-d", "--name", "pol-reader", "busybox", "sh", "-c", "echo hello; sleep 300")).trim();
        long before = count("type = 'audit.read'");

        assertThat(eventuallyLogs(tallyman, "pol-reader")).contains("hello");
        ok(tallyman.docker("inspect", "pol-reader"));
        ok(tallyman.docker("ps"));
        ok(as(65534, List.of(AUDITORS), "ps"));

        List<String> reads = rows("select payload->>'operation', payload->>'target', actor_uid, actor_kind from events"
                + " where type = 'audit.read' and stream_id = 'audit-reads' order by position");
        // docker logs looks the container up (an inspect by name), then asks for the logs by id
        assertThat(reads).contains("logs " + id + " 0 SOCKET", "inspect pol-reader 0 SOCKET", "list  0 SOCKET",
                "list  65534 SOCKET");
        assertThat(count("type = 'audit.read'") - before).isGreaterThanOrEqualTo(4);
        // a docker ps runs no inspect of its own: reads of other kinds (the _ping before each call) are not recorded
        assertThat(count("type = 'audit.read' and payload->>'kind' <> 'container'")).isZero();
        ok(tallyman.docker("rm", "-f", id));
    }

    @Test
    void secretEnvValuesNeverReachTheRecordButTheContainerHasThem() {
        ok(tallyman.docker("run", "-d", "--name", "pol-secret", "-e", "DB_PASSWORD=hunter2", "-e", "PLAIN=visible",
                "busybox", "sleep", "300"));
        assertThat(ok(tallyman.docker("exec", "pol-secret", "env"))).contains("DB_PASSWORD=hunter2", "PLAIN=visible");
        assertThat(ok(tallyman.docker("exec", "-e", "API_TOKEN=s3cr3t-exec", "pol-secret", "env"))).contains("API_TOKEN=s3cr3t-exec");
        // after a restart of the container it still has the real value (read back from the kept file)
        ok(tallyman.docker("restart", "-t", "0", "pol-secret"));
        assertThat(ok(tallyman.docker("exec", "pol-secret", "env"))).contains("DB_PASSWORD=hunter2");

        assertThat(count("e::text like '%hunter2%'")).as("rows holding hunter2").isZero();
        assertThat(count("e::text like '%s3cr3t-exec%'")).as("rows holding the exec secret").isZero();
        assertThat(count("e::text like '%DB_PASSWORD=<redacted>%' and type = 'container.create-requested'")).isEqualTo(1);
        // level Request kept the create and exec bodies, redacted
        assertThat(count("type = 'audit.request' and payload->>'operation' = 'create' and payload->>'body' like '%DB_PASSWORD=<redacted>%'"))
                .isEqualTo(1);
        assertThat(count("type = 'audit.request' and payload->>'body' like '%API_TOKEN=<redacted>%'")).isEqualTo(1);
        ok(tallyman.docker("rm", "-f", "pol-secret"));
    }

    @Test
    void aLoginBodyIsRecordedWithoutItsPassword() {
        // no registry listens on port 1: the login fails, after its body was recorded
        CommandResult login = tallyman.api("POST", "/auth",
                "{\"username\":\"pol-user\",\"password\":\"pol-pw-123\",\"serveraddress\":\"127.0.0.1:1\"}");
        assertThat(login.stdout()).doesNotContain("pol-pw-123");
        assertThat(count("type = 'audit.request' and payload->>'kind' = 'registry' and payload->>'body' like '%pol-user%'"
                + " and payload->>'body' like '%\"password\":\"<redacted>\"%'")).isEqualTo(1);
        assertThat(count("e::text like '%pol-pw-123%'")).isZero();
    }

    @Test
    void anAuditorReadsButCannotRun() {
        ok(tallyman.docker("run", "-d", "--name", "pol-watched", "busybox", "sleep", "300"));
        int containers = ok(tallyman.docker("ps", "-aq")).lines().toList().size();

        assertThat(ok(as(65534, List.of(AUDITORS), "ps"))).contains("pol-watched");
        assertThat(ok(as(65534, List.of(AUDITORS), "inspect", "--format", "{{.State.Status}}", "pol-watched"))).contains("running");
        CommandResult run = as(65534, List.of(AUDITORS), "run", "--name", "pol-denied", "busybox", "true");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(125); // the CLI's code for a daemon error in docker run
        assertThat(run.stderr()).contains(
                "Error response from daemon: authorization denied by policy rule 'auditors-read-only': auditors may only read");
        CommandResult stop = as(65534, List.of(AUDITORS), "stop", "pol-watched");
        assertThat(stop.exitCode()).as(stop.toString()).isEqualTo(1);
        assertThat(stop.stderr()).contains("authorization denied by policy rule 'auditors-read-only'");

        assertThat(ok(tallyman.docker("ps", "-aq")).lines().toList()).hasSize(containers);
        assertThat(ok(tallyman.docker("inspect", "--format", "{{.State.Status}}", "pol-watched")).trim()).isEqualTo("running");
        assertThat(rows("select payload->>'command', payload->>'rule', payload->>'status', actor_uid from events"
                + " where type = 'command.refused' and payload->>'rule' = 'auditors-read-only' order by position"))
                .contains("POST /containers/create auditors-read-only 403 65534", "POST /containers/:name/stop auditors-read-only 403 65534");
        ok(tallyman.docker("rm", "-f", "pol-watched"));
    }

    @Test
    void privilegedIsDeniedForDevelopersAndAllowedForRoot() {
        CommandResult denied = as(65534, List.of(DEVELOPERS), "run", "--rm", "--privileged", "busybox", "true");
        assertThat(denied.exitCode()).as(denied.toString()).isEqualTo(125);
        assertThat(denied.stderr()).contains("authorization denied by policy rule 'developers-no-privileged': "
                + "container create with privileged mode is not allowed");
        assertThat(ok(as(65534, List.of(DEVELOPERS), "run", "--rm", "busybox", "echo", "plain"))).contains("plain");
        assertThat(ok(tallyman.docker("run", "--rm", "--privileged", "busybox", "echo", "root-may"))).contains("root-may");
        for (List<String> hostAccess : List.of(List.of("-v", "/etc:/host-etc:ro"), List.of("--mount", "type=bind,src=/etc,dst=/h"),
                List.of("--network", "host"))) {
            List<String> args = new ArrayList<>(List.of("run", "--rm"));
            args.addAll(hostAccess);
            args.addAll(List.of("busybox", "true"));
            CommandResult refused = as(65534, List.of(DEVELOPERS), args.toArray(String[]::new));
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(125);
            assertThat(refused.stderr()).contains("authorization denied by policy rule 'developers-no-host-access': "
                    + "host paths and the host network are not for developers");
        }
        // a named volume is no host path
        ok(as(65534, List.of(DEVELOPERS), "run", "--rm", "-v", "pol-dev-data:/data", "busybox", "true"));
        ok(tallyman.docker("volume", "rm", "pol-dev-data"));
        assertThat(rows("select payload->>'rule', payload->>'reason', actor_uid from events where type = 'command.refused'"
                + " and payload->>'rule' = 'developers-no-privileged'"))
                .containsExactly("developers-no-privileged authorization denied by policy rule 'developers-no-privileged': "
                        + "container create with privileged mode is not allowed 65534");
    }

    @Test
    void withoutPoliciesNothingChanges() throws Exception {
        try (TestDatabase plainDb = new TestDatabase(); TallymanProcess plain = new TallymanProcess("pol-plain", plainDb, "overlay2")) {
            plain.start();
            try {
                ok(plain.docker("import", BusyboxTar.get().toString(), "busybox:latest"));
                ok(plain.docker("run", "-d", "--name", "pol-plain-c", "-e", "DB_PASSWORD=hunter2", "busybox", "sh", "-c",
                        "echo hi; sleep 300"));
                assertThat(eventuallyLogs(plain, "pol-plain-c")).contains("hi");
                ok(plain.docker("inspect", "pol-plain-c"));
                ok(plain.docker("ps"));
                assertThat(count(plainDb, "type like 'audit.%'")).isZero();
                ok(tallyman.docker("run", "-d", "--name", "pol-timed", "busybox", "sleep", "300"));
                long recorded = medianMicros(tallyman, "/containers/pol-timed/json");
                long unrecorded = medianMicros(plain, "/containers/pol-plain-c/json");
                System.out.printf("inspect median over 60 calls: %d us with an audit.read recorded, %d us without a policy%n",
                        recorded, unrecorded);
                ok(tallyman.docker("rm", "-f", "pol-timed"));
                // as before policies: the create intent keeps the environment as given
                assertThat(count(plainDb, "e::text like '%hunter2%'")).isEqualTo(1);
            } finally {
                removeAll(plain);
            }
        }
    }

    @Test
    void aBadPolicyFileStopsTheServiceNamingTheProblem() throws Exception {
        Path bad = policies.resolve("bad-access.yaml");
        Files.writeString(bad, "rules:\n  - name: typo\n    kinds: [contaner]\n    effect: deny\n");
        try (TestDatabase badDb = new TestDatabase(); TallymanProcess broken = new TallymanProcess("pol-bad", badDb, "overlay2")
                .withEnv("TALLYMAN_ACCESS_POLICY", bad.toString())) {
            assertThatThrownBy(broken::start).hasMessageContaining("tallyman exited with 1");
            assertThat(Files.readString(broken.log)).contains("tallyman: access policy " + bad
                    + ": rule 1 ('typo'): unknown kind 'contaner'");
        }
    }

    // --- helpers

    /** The CLI run as another uid with the given supplementary groups (primary group nogroup), through setpriv. */
    private CommandResult as(int uid, List<Integer> groups, String... args) {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid", Integer.toString(uid), "--regid", "65534"));
        if (groups.isEmpty()) {
            command.add("--clear-groups");
        } else {
            command.add("--groups");
            command.add(String.join(",", groups.stream().map(String::valueOf).toList()));
        }
        command.add("/usr/local/bin/docker");
        command.addAll(List.of(args));
        return Shell.run(command, Map.of("DOCKER_HOST", tallyman.dockerHost(), "DOCKER_CONFIG", clientConfig.toString(),
                "HOME", clientConfig.toString()), null, 120);
    }

    /** The service makes its socket 0660 just after bind; the test opens it so uid 65534 can connect. */
    private static void openSocketToEveryone(TallymanProcess process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!PosixFilePermissions.toString(Files.getPosixFilePermissions(process.socket)).equals("rw-rw----")) {
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        Files.setPosixFilePermissions(process.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    private static String eventuallyLogs(TallymanProcess process, String container) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String out = "";
        while (System.nanoTime() < deadline) {
            out = process.docker("logs", container).stdout();
            if (!out.isBlank()) {
                return out;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /**
     * Median time of one GET through the socket in microseconds, a raw HTTP/1.1 request on a fresh connection each
     * time (as the CLI makes them). A shared, busy machine: a rough figure, compare the two sides only.
     */
    private static long medianMicros(TallymanProcess process, String path) throws Exception {
        List<Long> times = new ArrayList<>();
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n").getBytes();
        for (int i = 0; i < 60; i++) {
            long began = System.nanoTime();
            try (var channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                channel.connect(java.net.UnixDomainSocketAddress.of(process.socket));
                channel.write(java.nio.ByteBuffer.wrap(request));
                var buffer = java.nio.ByteBuffer.allocate(1 << 16);
                StringBuilder answer = new StringBuilder();
                while (channel.read(buffer) > 0) {
                    buffer.flip();
                    answer.append(java.nio.charset.StandardCharsets.UTF_8.decode(buffer));
                    buffer.clear();
                }
                assertThat(answer.toString()).startsWith("HTTP/1.1 200");
            }
            times.add((System.nanoTime() - began) / 1000);
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }

    private static void removeAll(TallymanProcess process) {
        String all = process.docker("ps", "-aq").stdout().trim();
        if (!all.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("rm", "-f"));
            args.addAll(all.lines().toList());
            process.docker(args.toArray(String[]::new));
        }
    }

    private static String ok(CommandResult result) {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout();
    }

    private long count(String where) {
        return count(database, where);
    }

    private static long count(TestDatabase db, String where) {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from events e where " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<String> rows(String sql) {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    values.add(rs.getString(i) == null ? "" : rs.getString(i));
                }
                rows.add(String.join(" ", values));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }
}
