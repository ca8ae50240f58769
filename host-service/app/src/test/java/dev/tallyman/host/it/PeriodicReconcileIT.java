package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reconciler while the service runs: a runc container started behind Tallyman's back, in its runc root, is
 * removed within a few passes, and the removal is on the record as Tallyman's own act with its reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeriodicReconcileIT {
    private static final String ORPHAN = "tmtorphan" + Long.toHexString(System.nanoTime());

    private TestDatabase database;
    private TallymanProcess tallyman;
    private Path bundle;

    @BeforeAll
    void start() throws Exception {
        database = new TestDatabase();
        tallyman = new TallymanProcess("periodic", database, "vfs")
                .withEnv("TALLYMAN_RECONCILE_EVERY", "1s");
        tallyman.start();
        bundle = Files.createTempDirectory("periodic-it");
        Files.createDirectories(bundle.resolve("rootfs"));
        assertThat(Shell.run("tar", "-xf", BusyboxTar.get().toString(), "-C", bundle.resolve("rootfs").toString())
                .exitCode()).isZero();
        assertThat(Shell.run("sh", "-c", "cd " + bundle + " && runc spec").exitCode()).isZero();
        String spec = Files.readString(bundle.resolve("config.json"))
                .replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"sh\"", "\"sleep\", \"300\"");
        Files.writeString(bundle.resolve("config.json"), spec);
    }

    @AfterAll
    void stop() {
        try {
            Shell.run("runc", "--root", tallyman.runcRoot().toString(), "delete", "-f", ORPHAN);
            tallyman.close();
        } finally {
            database.close();
            Shell.run("rm", "-rf", bundle.toString());
        }
    }

    @Test
    void aRuncContainerNoContainerOnTheRecordOwnsIsRemovedAndTheRemovalRecorded() throws Exception {
        CommandResult run = Shell.run("sh", "-c", "runc --root " + tallyman.runcRoot() + " run -d --bundle " + bundle
                + " " + ORPHAN + " </dev/null >/dev/null 2>&1");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(runcList()).contains(ORPHAN);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (runcList().contains(ORPHAN) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(runcList()).as("runc containers after a few passes").doesNotContain(ORPHAN);
        List<String> removals = ImageItSupport.payloads(database, "reconcile.orphan-container-removed");
        assertThat(removals).singleElement().asString().contains(ORPHAN).contains("no container on the record owns it");
        try (var connection = database.connect(); var statement = connection.createStatement();
             var rows = statement.executeQuery("select actor_kind, actor_user_name, stream_id from events"
                     + " where type = 'reconcile.orphan-container-removed'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("SYSTEM");
            assertThat(rows.getString(2)).isEqualTo("reconcile");
            assertThat(rows.getString(3)).isEqualTo("reconcile");
        }
        // a container of the record's own is left alone by every pass
        tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest");
        CommandResult own = tallyman.docker("run", "-d", "--name", "periodic-own", "busybox", "sleep", "300");
        assertThat(own.exitCode()).as(own.toString()).isZero();
        Thread.sleep(3_000);
        assertThat(tallyman.docker("inspect", "-f", "{{.State.Status}}", "periodic-own").stdout().trim()).isEqualTo("running");
        tallyman.docker("rm", "-f", "periodic-own");
    }

    private String runcList() {
        return Shell.run("runc", "--root", tallyman.runcRoot().toString(), "list", "-q").stdout();
    }
}
