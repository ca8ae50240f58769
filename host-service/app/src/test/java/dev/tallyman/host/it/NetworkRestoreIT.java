package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.host.api.TallymanApi;
import dev.tallyman.host.projections.Projections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 7 across restarts: while the service is away (SIGTERM, then SIGKILL) running containers keep their
 * addresses and published ports, because the kernel forwards; after boot they still have them, and a container
 * that died meanwhile has its endpoint taken apart and released, recorded by the system. Replay equals live.
 */
class NetworkRestoreIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule());

    @Override
    protected String instanceName() {
        return "net-restore";
    }

    private static String curl(String url) {
        CommandResult r = Shell.run("curl", "-s", "-m", "5", url);
        return r.exitCode() == 0 ? r.stdout() : "curl exit " + r.exitCode();
    }

    @Test
    void addressesAndPortsOutliveTheServiceAndDeadEndpointsAreReleasedAtBoot() throws Exception {
        ok("network", "create", "--subnet", "10.196.0.0/24", "keep");
        ok("run", "-d", "--name", "srv", "-p", "18381:80", "busybox", "sh", "-c",
                "mkdir /www && echo srv > /www/name && httpd -f -p 80 -h /www");
        String db = ok("run", "-d", "--name", "db", "--network", "keep", "--network-alias", "store", "busybox", "sh", "-c",
                "mkdir /www && echo db > /www/name && httpd -f -p 80 -h /www").trim();
        String doomed = ok("run", "-d", "--name", "doomed", "--network", "keep", "busybox", "sleep", "600").trim();
        String srvAddress = inspect("{{.NetworkSettings.IPAddress}}", "srv");
        String dbAddress = inspect("{{.NetworkSettings.Networks.keep.IPAddress}}", "db");
        String doomedAddress = inspect("{{.NetworkSettings.Networks.keep.IPAddress}}", "doomed");
        assertThat(eventually(Duration.ofSeconds(5), () -> curl("http://127.0.0.1:18381/name"), "srv\n"::equals)).isEqualTo("srv\n");

        for (boolean sigkill : new boolean[] {false, true}) {
            if (sigkill) {
                tallyman.kill();
            } else {
                tallyman.stop();
            }
            // Away: the kernel still forwards the published port and routes to the user network.
            assertThat(curl("http://127.0.0.1:18381/name")).isEqualTo("srv\n");
            assertThat(curl("http://" + dbAddress + "/name")).isEqualTo("db\n");
            if (sigkill) {
                // doomed dies while nobody watches
                Shell.run("kill", "-9", inspectPidFromRunc(doomed));
            }
            tallyman.start();
            assertThat(inspect("{{.NetworkSettings.IPAddress}}", "srv")).isEqualTo(srvAddress);
            assertThat(inspect("{{.NetworkSettings.Networks.keep.IPAddress}}", "db")).isEqualTo(dbAddress);
            assertThat(ok("port", "srv")).contains("80/tcp -> 0.0.0.0:18381");
            assertThat(curl("http://127.0.0.1:18381/name")).isEqualTo("srv\n");
            assertThat(ok("run", "--rm", "--network", "keep", "busybox", "wget", "-qO-", "http://store/name")).isEqualTo("db\n");
        }

        awaitStatus("doomed", "exited", Duration.ofSeconds(10));
        assertThat(ok("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{end}}", "keep").trim()).isEqualTo("db");
        assertThat(tallyman.execRoot.resolve("netns").resolve(doomed)).doesNotExist();
        assertThat(networkEvents(doomed)).contains("network.disconnected SYSTEM");
        // Its address is free again: a new container may take it.
        ok("run", "--rm", "--network", "keep", "--ip", doomedAddress, "busybox", "true");
        assertThat(db).isNotEmpty();

        JsonNode live = JSON.readTree(stripStatus(tallyman.api("GET", "/tallyman/state", null).stdout()));
        try (JdbcEventStore store = new JdbcEventStore(dataSource(), Clock.systemUTC())) {
            JsonNode rebuilt = JSON.readTree(JSON.writeValueAsString(TallymanApi.stateOf(Projections.rebuild(store))));
            assertThat(rebuilt).isEqualTo(live);
        }
        ok("rm", "-f", "srv", "db", "doomed");
        ok("network", "rm", "keep");
        assertThat(tallyman.execRoot.resolve("netns").toFile().list()).isEmpty();
    }

    private String inspectPidFromRunc(String id) {
        String state = Shell.run("runc", "--root", tallyman.runcRoot().toString(), "state", id).stdout();
        return state.replaceAll("(?s).*\"pid\":\\s*(\\d+).*", "$1");
    }

    /** "type actor_kind" of the network events about one container, oldest first. */
    private List<String> networkEvents(String containerId) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type, actor_kind from events where stream_id like 'network-%' and payload->>'containerId' = '"
                     + containerId + "' order by position")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }

    private static String stripStatus(String curlOutput) {
        return curlOutput.substring(0, curlOutput.lastIndexOf('\n'));
    }

    private PGSimpleDataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.url());
        dataSource.setUser(database.user);
        dataSource.setPassword(database.password);
        return dataSource;
    }
}
