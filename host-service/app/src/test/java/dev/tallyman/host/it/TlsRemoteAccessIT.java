package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
 * Remote access like {@code dockerd --tlsverify} (issue 12): with certificates from {@code ops/tallyman certs}, the
 * docker CLI works over mutual TLS for run, ps, logs, exec with stdin and attach, and each event names the client
 * certificate's subject; a client with no certificate, or one signed by another CA, is turned away during the
 * handshake and that is on the record; /metrics answers over TLS; nothing answers plain HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsRemoteAccessIT {
    private static final String SUBJECT = "CN=tls-it-client,O=Tallyman";
    private TestDatabase database;
    private TallymanProcess tallyman;
    private Path certs;
    private Path otherCerts;
    private int port;

    @BeforeAll
    void start() throws Exception {
        certs = Path.of("target/tls-remote-certs").toAbsolutePath();
        otherCerts = Path.of("target/tls-remote-other-ca").toAbsolutePath();
        Shell.run("rm", "-rf", certs.toString(), otherCerts.toString());
        CommandResult made = Shell.run("../../ops/tallyman", "certs", certs.toString(), "tls-it-client");
        assertThat(made.exitCode()).as(made.toString()).isZero();
        CommandResult other = Shell.run("../../ops/lib/tls-certs", otherCerts.toString(), "intruder");
        assertThat(other.exitCode()).as(other.toString()).isZero();
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // who may do what, by certificate subject (issue 12): this client may not run privileged containers
        Path policy = Path.of("target/tls-remote-access-policy.yaml").toAbsolutePath();
        Files.writeString(policy, "default: allow\nrules:\n"
                + "  - name: remote-clients-unprivileged\n"
                + "    actors: {tlsSubjects: ['" + SUBJECT + "']}\n"
                + "    kinds: [container]\n"
                + "    operations: [create]\n"
                + "    when: {privileged: true}\n"
                + "    effect: deny\n"
                + "    message: remote clients may not run privileged containers\n");
        database = new TestDatabase();
        tallyman = new TallymanProcess("tls-remote", database, "overlay2")
                .withEnv("TALLYMAN_ACCESS_POLICY", policy.toString())
                .withEnv("TALLYMAN_TLS_LISTEN", "127.0.0.1:" + port)
                .withEnv("TALLYMAN_TLS_CA", certs.resolve("ca.pem").toString())
                .withEnv("TALLYMAN_TLS_CERT", certs.resolve("server-cert.pem").toString())
                .withEnv("TALLYMAN_TLS_KEY", certs.resolve("server-key.pem").toString());
        tallyman.start();
        CommandResult imported = remote(null, "import", BusyboxTar.get().toString(), "busybox:latest");
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
    }

    @AfterAll
    void stop() {
        try {
            if (tallyman != null) {
                String all = tallyman.docker("ps", "-aq").stdout().trim();
                if (!all.isEmpty()) {
                    List<String> args = new ArrayList<>(List.of("rm", "-f"));
                    args.addAll(all.lines().toList());
                    tallyman.docker(args.toArray(String[]::new));
                }
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    /** The docker CLI over TCP with --tlsverify and the client certificate, as DOCKER_CERT_PATH users run it. */
    private CommandResult remote(String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/local/bin/docker", "--tlsverify", "-H", "tcp://127.0.0.1:" + port));
        command.addAll(List.of(args));
        return Shell.run(command, Map.of("DOCKER_CERT_PATH", certs.toString(), "DOCKER_CONFIG", "/tmp/tallyman-it-docker-config"),
                stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), 120);
    }

    private String remoteOk(String stdin, String... args) {
        CommandResult result = remote(stdin, args);
        assertThat(result.exitCode()).as("docker --tlsverify " + String.join(" ", args) + "\n" + result).isZero();
        return result.stdout();
    }

    @Test
    void certificatesAreMadeUnderDockersNamesWithPrivateKeys() throws Exception {
        for (String name : List.of("ca.pem", "server-cert.pem", "server-key.pem", "cert.pem", "key.pem")) {
            assertThat(certs.resolve(name)).exists();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("key.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("server-key.pem")))).isEqualTo("rw-------");
        CommandResult san = Shell.run("openssl", "x509", "-in", certs.resolve("server-cert.pem").toString(), "-noout", "-ext",
                "subjectAltName");
        assertThat(san.stdout()).contains("IP Address:127.0.0.1", "DNS:localhost");
    }

    @Test
    void dockerCliWorksOverMutualTlsAndTheRecordNamesTheClientSubject() {
        assertThat(remoteOk(null, "run", "--name", "tls-r1", "busybox", "echo", "hello over tls")).isEqualTo("hello over tls\n");
        assertThat(remoteOk(null, "logs", "tls-r1")).isEqualTo("hello over tls\n");
        assertThat(remoteOk(null, "ps", "-a", "--format", "{{.Names}}")).contains("tls-r1");
        // run -i: stdin goes in over TLS and its end (the CLI's close_notify) reaches the container
        assertThat(remoteOk("piped in\n", "run", "-i", "--rm", "busybox", "cat")).isEqualTo("piped in\n");

        String id = remoteOk(null, "run", "-d", "--name", "tls-r2", "busybox", "sleep", "300").trim();
        assertThat(remoteOk(null, "exec", "tls-r2", "echo", "exec out")).isEqualTo("exec out\n");
        assertThat(remoteOk("abc\n", "exec", "-i", "tls-r2", "sh", "-c", "cat; echo done")).isEqualTo("abc\ndone\n");

        // attach: the hijacked stream delivers what the container prints after the client attached
        remoteOk(null, "run", "-d", "--name", "tls-r3", "busybox", "sh", "-c", "sleep 3; echo late line");
        assertThat(remoteOk(null, "attach", "tls-r3")).isEqualTo("late line\n");

        remoteOk(null, "rm", "-f", "tls-r2");
        List<String> actors = actorsOf(id);
        assertThat(actors).isNotEmpty();
        assertThat(actors).allMatch(a -> a.equals("TLS " + SUBJECT) || a.startsWith("SYSTEM "), "every actor TLS " + SUBJECT);
        assertThat(actors).contains("TLS " + SUBJECT);
    }

    @Test
    void anAccessPolicyRuleNamesTheClientBySubject() {
        CommandResult denied = remote(null, "run", "--rm", "--privileged", "busybox", "true");
        assertThat(denied.exitCode()).as(denied.toString()).isEqualTo(125);
        assertThat(denied.stderr()).contains("authorization denied by policy rule 'remote-clients-unprivileged'")
                .contains("remote clients may not run privileged containers");
        assertThat(remoteOk(null, "run", "--rm", "busybox", "echo", "unprivileged")).isEqualTo("unprivileged\n");
        // the rule names the certificate's subject: root on the unix socket is not that client
        CommandResult local = tallyman.docker("run", "--rm", "--privileged", "busybox", "true");
        assertThat(local.exitCode()).as(local.toString()).isZero();
    }

    @Test
    void clientsWithoutAValidCertificateAreRefusedAtTheHandshakeAndRecorded() {
        String url = "https://127.0.0.1:" + port + "/_ping";
        long before = refusals().size();
        CommandResult none = Shell.run("curl", "-sS", "--cacert", certs.resolve("ca.pem").toString(), url);
        assertThat(none.exitCode()).as(none.toString()).isNotZero();
        assertThat(none.stdout()).doesNotContain("OK");
        CommandResult wrongCa = Shell.run("curl", "-sS", "--cacert", certs.resolve("ca.pem").toString(),
                "--cert", otherCerts.resolve("cert.pem").toString(), "--key", otherCerts.resolve("key.pem").toString(), url);
        assertThat(wrongCa.exitCode()).as(wrongCa.toString()).isNotZero();
        assertThat(wrongCa.stdout()).doesNotContain("OK");
        // openssl s_client without a certificate: the handshake ends in an alert, no HTTP is ever read
        CommandResult sClient = Shell.run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-CAfile",
                certs.resolve("ca.pem").toString()), Map.of(), "GET /_ping HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8), 30);
        assertThat(sClient.stdout()).doesNotContain("HTTP/1.");
        // the docker CLI with the other CA's client certificate fails too
        CommandResult dockerWrong = Shell.run(List.of("/usr/local/bin/docker", "--tlsverify", "-H", "tcp://127.0.0.1:" + port,
                "--tlscacert", certs.resolve("ca.pem").toString(), "--tlscert", otherCerts.resolve("cert.pem").toString(),
                "--tlskey", otherCerts.resolve("key.pem").toString(), "ps"), Map.of("DOCKER_CONFIG", "/tmp/tallyman-it-docker-config"),
                null, 60);
        assertThat(dockerWrong.exitCode()).as(dockerWrong.toString()).isNotZero();

        List<String> recorded = ContainerItSupport.eventually(Duration.ofSeconds(10), this::refusals, r -> r.size() >= before + 4);
        List<String> mine = recorded.subList((int) before, recorded.size());
        assertThat(mine).allMatch(r -> r.startsWith("TLS  127.0.0.1:"), "actor TLS without subject, peer 127.0.0.1");
        assertThat(mine).anyMatch(r -> r.contains("Empty client certificate chain"));
        assertThat(mine).anyMatch(r -> r.contains("Path does not chain with any of the trust anchors"));
    }

    @Test
    void metricsAnswerOverTls() {
        CommandResult scrape = Shell.run("curl", "-sS", "-w", "\n%{http_code}", "--cacert", certs.resolve("ca.pem").toString(),
                "--cert", certs.resolve("cert.pem").toString(), "--key", certs.resolve("key.pem").toString(),
                "https://127.0.0.1:" + port + "/metrics");
        assertThat(scrape.stdout()).as(scrape.toString()).endsWith("\n200").contains("jvm_memory_used_bytes");
    }

    @Test
    void nothingAnswersPlainHttp() {
        CommandResult plain = Shell.run("curl", "-sS", "-m", "10", "http://127.0.0.1:" + port + "/_ping");
        assertThat(plain.exitCode()).as(plain.toString()).isNotZero();
        assertThat(plain.stdout()).doesNotContain("OK");
        // every TCP port the service listens on: only the TLS one, and plain HTTP gets no answer on any of them
        CommandResult listening = Shell.run("ss", "-Hltnp");
        List<String> ports = listening.stdout().lines().filter(l -> l.contains("pid=" + tallyman.pid() + ","))
                .map(l -> l.trim().split("\\s+")[3]).map(a -> a.substring(a.lastIndexOf(':') + 1)).distinct().toList();
        assertThat(ports).as(listening.stdout()).containsExactly(Integer.toString(port));
        assertThat(refusals()).anyMatch(r -> r.contains("not an SSL/TLS record"));
    }

    /** "kind subject peer reason" of each access.tls-handshake-refused event, oldest first. */
    private List<String> refusals() {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select actor_kind, actor_tls_subject, payload->>'peer', payload->>'reason' from events"
                     + " where stream_id = 'access' and type = 'access.tls-handshake-refused' order by position")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    /** "kind subject" of a container's events, oldest first. */
    private List<String> actorsOf(String containerId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select actor_kind, actor_tls_subject, actor_user_name from events where stream_id = 'container-"
                     + containerId + "' order by version")) {
            while (rs.next()) {
                rows.add(rs.getString(1).equals("SYSTEM") ? "SYSTEM " + rs.getString(3) : rs.getString(1) + " " + rs.getString(2));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }
}
