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
import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The record is the truth: state rebuilt from the events equals the live state, survives restarts (a clean
 * stop and a SIGKILL), deaths that happened while Tallyman was away are recorded at boot, and an edited event
 * is found by verify. Runs on the vfs driver, so both drivers see real containers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecordIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule());


    @Override
    protected String instanceName() {
        return "record";
    }

    @Override
    protected String storageDriver() {
        return "vfs";
    }

    @BeforeAll
    void secondTag() {
        ok(tallyman.docker("tag", "busybox:latest", "busybox:second"));
    }



    @Test
    @Order(1)
    void replayOfTheStoreEqualsTheLiveState() throws Exception {
        ok(tallyman.docker("run", "--rm", "busybox", "true"));
        ok(tallyman.docker("create", "--name", "kept", "busybox", "echo", "kept"));
        ok(tallyman.docker("run", "--name", "ran", "busybox", "sh", "-c", "exit 5"), 5);
        ok(tallyman.docker("create", "--name", "gone", "busybox", "true"));
        ok(tallyman.docker("rm", "gone"));
        ok(tallyman.docker("run", "-d", "--name", "sleeper", "busybox", "sleep", "600"));
        ok(tallyman.docker("rmi", "busybox:second"));

        JsonNode live = JSON.readTree(stripStatus(tallyman.api("GET", "/tallyman/state", null).stdout()));
        try (JdbcEventStore store = new JdbcEventStore(dataSource(), Clock.systemUTC())) {
            JsonNode rebuilt = JSON.readTree(JSON.writeValueAsString(TallymanApi.stateOf(Projections.rebuild(store))));
            assertThat(rebuilt).isEqualTo(live);
        }
        assertThat(live.get("containers").size()).isEqualTo(3);
        assertThat(live.get("images").size()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void psAndImagesAreUnchangedAfterARestart() {
        String ps = ok(tallyman.docker("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.State}} {{.Command}}"));
        String images = ok(tallyman.docker("images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}}"));
        tallyman.stop();
        tallyman.start();
        assertThat(ok(tallyman.docker("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.State}} {{.Command}}"))).isEqualTo(ps);
        assertThat(ok(tallyman.docker("images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}}"))).isEqualTo(images);
        assertThat(ps).contains("sleeper busybox running");
    }

    @Test
    @Order(3)
    void aDeathWhileTallymanWasKilledIsRecordedAtBoot() throws Exception {
        ok(tallyman.docker("run", "-d", "--name", "brief", "busybox", "sh", "-c", "sleep 2; exit 7"));
        tallyman.kill();
        Thread.sleep(3500);
        tallyman.start();
        assertThat(ok(tallyman.docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "brief")).trim())
                .isEqualTo("exited 7");
        assertThat(ok(tallyman.docker("inspect", "--format", "{{.State.Status}}", "sleeper")).trim()).isEqualTo("running");
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select e.actor_kind, e.actor_user_name, e.payload from events e "
                     + "where e.type = 'container.died' order by position desc limit 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("SYSTEM");
            assertThat(rs.getString(2)).isEqualTo("reconcile");
            assertThat(rs.getString(3)).contains("\"exitCode\":7");
        }
        ok(tallyman.docker("rm", "-f", "sleeper", "brief", "kept", "ran"));
        assertThat(tallyman.leftoverMounts()).isEmpty();
        assertThat(tallyman.leftoverRuncContainers()).isEmpty();
    }

    /** A crash between an intent and its outcome: at boot the outcome is decided by looking, and recorded. */
    @Test
    @Order(4)
    void intentsWithoutOutcomeAreReconciledAtBoot() throws Exception {
        String halfway = ok(tallyman.docker("create", "--name", "halfway", "busybox", "echo", "done")).trim();
        String ghost = "f".repeat(64);
        tallyman.kill();
        try (JdbcEventStore store = new JdbcEventStore(dataSource(), Clock.systemUTC())) {
            var crashed = dev.tallyman.audit.store.Actor.socket(0, 1, "root");
            store.append(StreamId.container(halfway), ExpectedVersion.any(), List.of(new ContainerStartRequested(halfway)),
                    crashed, UUID.randomUUID());
            var spec = new ContainerSpec("busybox", "sha256:" + "0".repeat(64), List.of(), List.of("true"), List.of(), "", "",
                    "ghost", java.util.Map.of(), "none", false, false, false, "vfs");
            store.append(StreamId.container(ghost), ExpectedVersion.noStream(),
                    List.of(new ContainerCreateRequested(ghost, "ghost", spec)), crashed, UUID.randomUUID());
        }
        tallyman.start();
        assertThat(lastEvent(halfway)).isEqualTo("container.start-failed SYSTEM reconcile");
        assertThat(lastEvent(ghost)).isEqualTo("container.create-failed SYSTEM reconcile");
        assertThat(ok(tallyman.docker("ps", "-a", "--format", "{{.Names}}"))).doesNotContain("ghost");
        CommandResult retried = tallyman.docker("start", "-a", "halfway");
        assertThat(retried.exitCode()).as(retried.toString()).isZero();
        assertThat(retried.stdout()).isEqualTo("done\n");
        ok(tallyman.docker("rm", "halfway"));
    }

    private String lastEvent(String containerId) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type, actor_kind, actor_user_name from events where stream_id = 'container-"
                     + containerId + "' order by version desc limit 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
        }
    }

    private PGSimpleDataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.url());
        dataSource.setUser(database.user);
        dataSource.setPassword(database.password);
        return dataSource;
    }

    @Test
    @Order(5)
    void verifyNamesAnEditedEvent() throws Exception {
        String intact = tallyman.api("GET", "/tallyman/verify", null).stdout();
        assertThat(intact).contains("\"intact\":true").endsWith("200");
        long position;
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select position from events where type = 'container.created' order by position limit 1")) {
                assertThat(rs.next()).isTrue();
                position = rs.getLong(1);
            }
            s.execute("alter table events disable trigger events_append_only");
            s.execute("update events set payload = replace(payload::text, '\"containerId\"', '\"containerId\" ')::json where position = " + position);
            s.execute("alter table events enable trigger events_append_only");
        }
        String broken = tallyman.api("GET", "/tallyman/verify", null).stdout();
        assertThat(broken).contains("\"intact\":false").contains("\"firstBroken\":" + position).endsWith("409");
    }

    private static String stripStatus(String curlOutput) {
        return curlOutput.substring(0, curlOutput.lastIndexOf('\n'));
    }

    private static String ok(CommandResult result) {
        return ok(result, 0);
    }

    private static String ok(CommandResult result, int expectedExit) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(expectedExit);
        return result.stdout();
    }
}
