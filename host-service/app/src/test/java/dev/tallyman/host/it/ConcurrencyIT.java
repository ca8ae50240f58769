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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * 50 containers started at once, then stopped and removed at once, stop and rm racing for the same containers.
 * The end state must be consistent: nothing running, nothing left on the machine, every death and removal on
 * the record exactly once, and the record replaying to what the service shows.
 */
class ConcurrencyIT extends ContainerItSupport {
    private static final int CONTAINERS = 50;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule());


    @Override
    protected String instanceName() {
        return "concurrency";
    }



    @Test
    void fiftyParallelRunsThenRacingStopsAndRemovesEndConsistent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONTAINERS * 2);
        try {
            List<Future<CommandResult>> runs = new ArrayList<>();
            for (int i = 0; i < CONTAINERS; i++) {
                String name = "c" + i;
                runs.add(pool.submit(() -> tallyman.docker("run", "-d", "--name", name, "busybox", "sleep", "600")));
            }
            Map<String, String> ids = new HashMap<>();
            for (int i = 0; i < CONTAINERS; i++) {
                CommandResult run = runs.get(i).get();
                assertThat(run.exitCode()).as(run.toString()).isZero();
                ids.put("c" + i, run.stdout().trim());
            }
            assertThat(tallyman.docker("ps", "-q").stdout().lines().count()).isEqualTo(CONTAINERS);

            List<Future<CommandResult>> stops = new ArrayList<>();
            List<Future<CommandResult>> removals = new ArrayList<>();
            for (int i = 0; i < CONTAINERS; i++) {
                String name = "c" + i;
                stops.add(pool.submit(() -> tallyman.docker("stop", "-t", "1", name)));
                removals.add(pool.submit(() -> tallyman.docker("rm", "-f", name)));
            }
            for (int i = 0; i < CONTAINERS; i++) {
                CommandResult stop = stops.get(i).get();
                // The removal may win the race: then stop finds no such container, which is a clean answer too.
                assertThat(stop.exitCode() == 0 || stop.stderr().contains("No such container")
                        || stop.stderr().contains("is already in progress")).as(stop.toString()).isTrue();
                CommandResult rm = removals.get(i).get();
                assertThat(rm.exitCode()).as(rm.toString()).isZero();
            }

            assertThat(tallyman.docker("ps", "-aq").stdout()).isBlank();
            assertThat(tallyman.leftoverMounts()).isEmpty();
            assertThat(tallyman.leftoverRuncContainers()).isEmpty();
            for (String id : ids.values()) {
                assertThat(TallymanProcess.cgroupsOf(id)).as("cgroups of " + id).isEmpty();
                assertThat(Shell.run("pgrep", "-f", "conmon.*" + id).stdout()).as("conmon of " + id).isBlank();
            }
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                for (String id : ids.values()) {
                    Map<String, Integer> counts = new HashMap<>();
                    try (ResultSet rs = s.executeQuery("select type from events where stream_id = 'container-" + id + "'")) {
                        while (rs.next()) {
                            counts.merge(rs.getString(1), 1, Integer::sum);
                        }
                    }
                    assertThat(counts.get("container.started")).as("starts of " + id).isEqualTo(1);
                    assertThat(counts.get("container.died")).as("deaths of " + id).isEqualTo(1);
                    assertThat(counts.get("container.removed")).as("removals of " + id).isEqualTo(1);
                }
            }
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(database.url());
            dataSource.setUser(database.user);
            dataSource.setPassword(database.password);
            JsonNode live = JSON.readTree(tallyman.api("GET", "/tallyman/state", null).stdout().replaceAll("\n[0-9]+$", ""));
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                assertThat(JSON.readTree(JSON.writeValueAsString(TallymanApi.stateOf(Projections.rebuild(store))))).isEqualTo(live);
                assertThat(store.verify().intact()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
