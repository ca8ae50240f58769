package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Identity on the unix socket (issue 12): the socket shows up at mode 0660 in the configured group from the first
 * moment it exists, a group that does not exist stops the start, and a caller running as another user behind a
 * login records its uid, user name and login uid.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SocketIdentityIT {
    private static final String GROUP = "tlsitsock";
    private TestDatabase database;
    private TallymanProcess tallyman;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @BeforeAll
    void start() throws Exception {
        Shell.run("groupdel", GROUP);
        CommandResult added = Shell.run("groupadd", GROUP);
        assertThat(added.exitCode()).as(added.toString()).isZero();
        database = new TestDatabase();
        tallyman = new TallymanProcess("tls-ident", database, "vfs").withEnv("TALLYMAN_SOCKET_GROUP", GROUP);
        // Watch the socket path through the whole start: every look at it must find the finished socket.
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try {
                    PosixFileAttributes a = Files.readAttributes(tallyman.socket, PosixFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    seen.add(PosixFilePermissions.toString(a.permissions()) + " " + a.group().getName());
                } catch (java.io.IOException e) {
                    // not there yet
                }
                try {
                    // often enough to catch any window, without taking a core from the start it watches
                    Thread.sleep(0, 250_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.start();
        try {
            tallyman.start();
        } finally {
            watching.set(false);
            watcher.join();
        }
    }

    @AfterAll
    void stop() {
        try {
            if (tallyman != null) {
                tallyman.docker("volume", "rm", "tls-ident-v");
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
            Shell.run("groupdel", GROUP);
        }
    }

    @Test
    void theSocketIsNeverWiderThan0660AndBelongsToTheSocketGroup() throws Exception {
        PosixFileAttributes now = Files.readAttributes(tallyman.socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(now.isOther()).as("a socket").isTrue();
        assertThat(PosixFilePermissions.toString(now.permissions())).isEqualTo("rw-rw----");
        assertThat(now.group().getName()).isEqualTo(GROUP);
        assertThat(seen).as("what the watcher saw during the start").containsExactly("rw-rw---- " + GROUP);
        // the private folder Quarkus bound in is gone once the socket is in place
        assertThat(tallyman.socket.resolveSibling("." + tallyman.socket.getFileName() + ".bind")).doesNotExist();
    }

    @Test
    void aCallerBehindALoginIsRecordedWithUidUserNameAndLoginUid() throws Exception {
        String gid = Shell.run("getent", "group", GROUP).stdout().split(":")[2];
        // a login (loginuid 1000) that became nobody in the socket group, as sudo -u nobody -g tlsitsock would
        CommandResult created = Shell.run("sh", "-c", "echo 1000 > /proc/self/loginuid && exec setpriv --reuid=65534 --regid="
                + gid + " --clear-groups curl -s -w '\\n%{http_code}' --unix-socket " + tallyman.socket
                + " -X POST -H 'Content-Type: application/json' --data '{\"Name\":\"tls-ident-v\"}' http://d/volumes/create");
        assertThat(created.stdout()).as(created.toString()).endsWith("\n201");
        assertThat(actorOf("volume-tls-ident-v")).isEqualTo("SOCKET uid=65534 user=nobody loginuid=1000");
        // a caller outside the group cannot connect at all
        CommandResult outsider = Shell.run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s",
                "--unix-socket", tallyman.socket.toString(), "http://d/_ping");
        assertThat(outsider.exitCode()).as(outsider.toString()).isNotZero();
        // root with no login (the kernel's unset 4294967295) reads as -1
        tallyman.docker("volume", "rm", "tls-ident-v");
        assertThat(actorOfLast("volume-tls-ident-v")).isEqualTo("SOCKET uid=0 user=root loginuid=-1");
    }

    @Test
    void aSocketGroupThatDoesNotExistStopsTheStart() throws Exception {
        TestDatabase other = new TestDatabase();
        try (TallymanProcess bad = new TallymanProcess("tls-ident-nogroup", other, "vfs")
                .withEnv("TALLYMAN_SOCKET_GROUP", "tls-no-such-group")) {
            assertThatThrownBy(bad::start).hasMessageContaining("exited with 1");
            assertThat(Files.readString(bad.log)).contains("group tls-no-such-group does not exist");
            assertThat(bad.socket).doesNotExist();
        } finally {
            other.close();
        }
    }

    private String actorOf(String stream) {
        return actor(stream, "asc");
    }

    private String actorOfLast(String stream) {
        return actor(stream, "desc");
    }

    private String actor(String stream, String order) {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select actor_kind, actor_uid, actor_user_name, actor_login_uid from events"
                     + " where stream_id = '" + stream + "' order by version " + order + " limit 1")) {
            assertThat(rs.next()).as("an event on " + stream).isTrue();
            return rs.getString(1) + " uid=" + rs.getInt(2) + " user=" + rs.getString(3) + " loginuid=" + rs.getInt(4);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

}
