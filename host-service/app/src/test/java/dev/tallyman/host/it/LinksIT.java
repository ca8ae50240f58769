package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 15, legacy links through the real CLI, checked against the Docker peer's output: --link on the default
 * bridge writes Docker's hosts lines and variables into the linking container, inspect shows HostConfig.Links,
 * docker rm --link takes a link away (on the record as its own intent and outcome), the refusals are Docker's,
 * links outlive a restart of the service, and on a user network a link is an alias only its container resolves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinksIT extends ContainerItSupport {
    private String dbIp;
    private String dbShort;

    @Override
    protected String instanceName() {
        return "links";
    }

    @Test
    @Order(1)
    void aLinkOnTheDefaultBridgeWritesDockersHostsLinesAndVariables() {
        String db = ok("run", "-d", "--name", "db", "-e", "FOO=bar", "-e", "HOME=/x", "-e", "EMPTY=", "--expose", "5432",
                "--expose", "80/udp", "--expose", "6000-6001", "busybox", "sleep", "600").trim();
        dbShort = db.substring(0, 12);
        dbIp = inspect("{{.NetworkSettings.Networks.bridge.IPAddress}}", "db");
        assertThat(dbIp).matches("[0-9.]+");
        String web = ok("run", "-d", "--name", "web", "--link", "db:my-db", "--link", "db", "busybox", "sleep", "600").trim();
        String webIp = inspect("{{.NetworkSettings.Networks.bridge.IPAddress}}", "web");

        // After Docker's fixed entries and before the container's own address; the name is left out when it is the alias.
        assertThat(ok("exec", "web", "cat", "/etc/hosts")).endsWith("ff02::2\tip6-allrouters\n"
                + dbIp + "\tmy-db " + dbShort + " db\n"
                + dbIp + "\tdb " + dbShort + "\n"
                + webIp + "\t" + web.substring(0, 12) + "\n");
        ok("exec", "web", "ping", "-c", "1", "-W", "2", "my-db");

        // The process environment itself (a shell would hide names with characters it does not allow).
        List<String> env = environ("web");
        assertThat(env).contains(
                "MY_DB_PORT=tcp://" + dbIp + ":5432",
                "MY_DB_PORT_5432_TCP=tcp://" + dbIp + ":5432",
                "MY_DB_PORT_5432_TCP_ADDR=" + dbIp,
                "MY_DB_PORT_5432_TCP_PORT=5432",
                "MY_DB_PORT_5432_TCP_PROTO=tcp",
                "MY_DB_PORT_80_UDP=udp://" + dbIp + ":80",
                "MY_DB_PORT_80_UDP_PROTO=udp",
                "MY_DB_PORT_6000_TCP_START=tcp://" + dbIp + ":6000",
                "MY_DB_PORT_6000_TCP_END=tcp://" + dbIp + ":6001",
                "MY_DB_NAME=/web/my-db",
                "MY_DB_ENV_FOO=bar",
                "MY_DB_ENV_EMPTY=",
                "DB_PORT=tcp://" + dbIp + ":5432",
                "DB_NAME=/web/db",
                "DB_ENV_FOO=bar");
        assertThat(env).noneMatch(v -> v.startsWith("MY_DB_ENV_HOME=") || v.startsWith("MY_DB_ENV_PATH="));
        // The container's own variables come after the links' and win.
        assertThat(environ(ok("run", "-d", "--name", "own", "--link", "db", "-e", "DB_NAME=mine", "busybox", "sleep", "600").trim()))
                .contains("DB_NAME=mine").doesNotContain("DB_NAME=/web/db");

        assertThat(inspect("{{json .HostConfig.Links}}", "web")).isEqualTo("[\"/db:/web/my-db\",\"/db:/web/db\"]");
        assertThat(inspect("{{json .HostConfig.Links}}", "db")).isEqualTo("null");
        // Docker's name registry holds the link names too: ps lists them, and they name the linked container.
        assertThat(ok("ps", "--no-trunc", "--format", "{{.Names}}", "--filter", "id=" + db).trim())
                .isEqualTo("db,own/db,web/db,web/my-db");
        assertThat(ok("ps", "--format", "{{.Names}}", "--filter", "id=" + db).trim()).isEqualTo("db");
        assertThat(inspect("{{.Name}}", "web/my-db")).isEqualTo("/db");
        // The link is part of the create intent, by the linked container's id.
        assertThat(payloads(web, "container.create-requested").get(0))
                .contains("\"alias\":\"my-db\"").contains("\"containerId\":\"" + db + "\"");
    }

    @Test
    @Order(2)
    void linksThatCannotBeAreRefusedInDockersWords() {
        CommandResult missing = exits(125, "run", "--link", "nosuch", "busybox", "true");
        assertThat(missing.stderr()).contains("could not get container for nosuch: No such container: nosuch");
        assertThat(lastRefusal()).isEqualTo("POST /containers/create  400 could not get container for nosuch: No such container: nosuch");

        assertThat(exits(125, "run", "--network", "host", "--link", "db:zz", "busybox", "true").stderr())
                .contains("conflicting options: host type networking can't be used with links. This would result in undefined behavior");

        String stopped = ok("create", "--name", "db2", "busybox", "sleep", "600").trim();
        CommandResult notRunning = exits(125, "run", "--name", "web2", "--link", "db2:x", "busybox", "true");
        assertThat(notRunning.stderr()).contains("Cannot link to a non running container: /db2 AS /web2/x");
        String web2 = inspect("{{.Id}}", "web2");
        assertThat(events(web2)).last().asString().startsWith("container.start-failed SOCKET");
        assertThat(tallyman.api("POST", "/containers/web2/start", null).stdout())
                .isEqualTo("{\"message\":\"Cannot link to a non running container: /db2 AS /web2/x\"}\n500");
        assertThat(inspect("{{json .HostConfig.Links}}", "web2")).isEqualTo("[\"/db2:/web2/x\"]");
        ok("rm", "-f", "web2", stopped);

        CommandResult ownName = exits(1, "rm", "--link", "db");
        assertThat(ownName.stderr()).contains("Conflict, cannot remove the default link name of the container");
        assertThat(lastRefusal()).isEqualTo("DELETE /containers/:name db 500 Conflict, cannot remove the default link name of the container");
        assertThat(exits(1, "rm", "--link", "web/nosuch").stderr()).contains("No such container: web/nosuch");
        assertThat(lastRefusal()).isEqualTo("DELETE /containers/:name* web/nosuch 404 No such container: web/nosuch");
        // Nothing was removed by the refused calls.
        assertThat(inspect("{{.State.Status}}", "db")).isEqualTo("running");
    }

    @Test
    @Order(3)
    void rmLinkForgetsTheLinkAndTheHostsLineButNotTheVariables() {
        String web = inspect("{{.Id}}", "web");
        CommandResult removed = exits(0, "rm", "--link", "/web/my-db");
        assertThat(removed.stdout().trim()).isEqualTo("/web/my-db");
        assertThat(inspect("{{json .HostConfig.Links}}", "web")).isEqualTo("[\"/db:/web/db\"]");
        String hosts = ok("exec", "web", "cat", "/etc/hosts");
        assertThat(hosts).doesNotContain("my-db").contains(dbIp + "\tdb " + dbShort + "\n");
        // The running process keeps the environment it started with, as in Docker.
        assertThat(environ("web")).contains("MY_DB_NAME=/web/my-db");
        assertThat(events(web)).containsSubsequence("container.link-remove-requested SOCKET root",
                "container.link-removed SOCKET root");
        assertThat(payloads(web, "container.link-removed")).singleElement().asString().contains("\"alias\":\"my-db\"");

        assertThat(exits(1, "rm", "--link", "/web/my-db").stderr()).contains("No such container: web/my-db");
        // The API as docker-py calls it.
        assertThat(tallyman.api("DELETE", "/v1.41/containers/web/db?link=1", null).stdout()).isEqualTo("\n204");
        assertThat(inspect("{{json .HostConfig.Links}}", "web")).isEqualTo("null");
        assertThat(inspect("{{.State.Status}}", "db")).isEqualTo("running");
    }

    @Test
    @Order(4)
    void linksOutliveARestartOfTheService() {
        ok("create", "--name", "later", "--link", "db:keep", "busybox", "sleep", "600");
        tallyman.stop();
        tallyman.start();
        assertThat(inspect("{{json .HostConfig.Links}}", "later")).isEqualTo("[\"/db:/later/keep\"]");
        assertThat(inspect("{{json .HostConfig.Links}}", "web")).isEqualTo("null");
        ok("start", "later");
        assertThat(ok("exec", "later", "cat", "/etc/hosts")).contains(dbIp + "\tkeep " + dbShort + " db\n");
        assertThat(environ("later")).contains("KEEP_NAME=/later/keep", "KEEP_PORT=tcp://" + dbIp + ":5432");
        // The linked container starts again elsewhere: the running linking container's hosts line follows it.
        ok("stop", "-t", "0", "db");
        ok("run", "-d", "--name", "squatter", "busybox", "sleep", "600");
        ok("start", "db");
        String moved = inspect("{{.NetworkSettings.Networks.bridge.IPAddress}}", "db");
        assertThat(moved).as("squatter took db's old address").isNotEqualTo(dbIp);
        assertThat(ok("exec", "later", "cat", "/etc/hosts")).contains(moved + "\tkeep " + dbShort + " db\n");
        dbIp = moved;
        // A renamed linked container keeps its links: they follow its id.
        ok("rename", "db", "database");
        assertThat(inspect("{{json .HostConfig.Links}}", "later")).isEqualTo("[\"/database:/later/keep\"]");
        ok("rename", "database", "db");
        // A renamed linking container's links carry its new name.
        ok("rename", "later", "later2");
        assertThat(inspect("{{json .HostConfig.Links}}", "later2")).isEqualTo("[\"/db:/later2/keep\"]");
        assertThat(inspect("{{.Name}}", "later2/keep")).isEqualTo("/db");
        ok("rename", "later2", "later");
        ok("rm", "-f", "later", "web", "own", "squatter");
    }

    @Test
    @Order(5)
    void onAUserNetworkALinkIsAnAliasOnlyItsContainerResolves() {
        ok("network", "create", "lnet");
        try {
            ok("run", "-d", "--name", "udb", "--network", "lnet", "busybox", "sleep", "600");
            String udbIp = inspect("{{.NetworkSettings.Networks.lnet.IPAddress}}", "udb");
            ok("run", "-d", "--name", "uweb", "--network", "lnet", "--link", "udb:ualias", "busybox", "sleep", "600");
            ok("run", "-d", "--name", "uother", "--network", "lnet", "busybox", "sleep", "600");

            assertThat(ok("exec", "uweb", "nslookup", "ualias")).contains(udbIp);
            assertThat(tallyman.docker("exec", "uother", "nslookup", "ualias").exitCode()).isNotZero();
            // No hosts line and no variables there: Docker writes those on the default bridge only.
            assertThat(ok("exec", "uweb", "cat", "/etc/hosts")).doesNotContain("ualias");
            assertThat(environ("uweb")).noneMatch(v -> v.startsWith("UALIAS_"));

            assertThat(inspect("{{json .HostConfig.Links}}", "uweb")).isEqualTo("null");
            assertThat(inspect("{{json .NetworkSettings.Networks.lnet.Links}}", "uweb")).isEqualTo("[\"udb:ualias\"]");
            // Docker checks nothing there: a missing container is a name that does not resolve.
            ok("run", "--rm", "--network", "lnet", "--link", "nosuch:zz", "busybox", "true");
            // Such a link has no "uweb/ualias" name to remove it by.
            assertThat(exits(1, "rm", "--link", "uweb/ualias").stderr()).contains("No such container: uweb/ualias");
        } finally {
            tallyman.docker("rm", "-f", "udb", "uweb", "uother");
            tallyman.docker("network", "rm", "lnet");
        }
    }

    /** The environment of the container's first process, as runc gave it. */
    private List<String> environ(String container) {
        return Arrays.asList(ok("exec", container, "cat", "/proc/1/environ").split("\0"));
    }
}
