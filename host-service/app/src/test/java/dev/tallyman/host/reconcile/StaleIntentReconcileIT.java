package dev.tallyman.host.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ImageEvent.ImagePullFailed;
import dev.tallyman.audit.event.ImageEvent.ImagePullRequested;
import dev.tallyman.audit.event.RegistryEvent.RegistryLoginRequested;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.it.TestDatabase;
import dev.tallyman.host.projections.OpenIntentLedger;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The periodic pass against the real store: an intent older than the grace period that no running command holds
 * is closed with its failure by Tallyman; one whose command is still running is left to that command, however
 * old it is.
 */
class StaleIntentReconcileIT {
    private static final Actor ALICE = Actor.socket(1000, 4242, "alice");

    @Test
    void aStaleIntentIsClosedAndARunningCommandsIntentIsLeftAlone() throws Exception {
        Path runcRoot = Files.createTempDirectory("stale-intents-runc");
        try (TestDatabase database = new TestDatabase()) {
            PGSimpleDataSource dataSource = database.migratedDataSource();
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                Projections projections = new Projections();
                Journal journal = new Journal(store, projections);
                ContainerRuntime runtime = new ContainerRuntime(new RuntimeConfig(Path.of("/usr/sbin/runc"),
                        Path.of("/usr/bin/conmon"), runcRoot, runcRoot.resolve("state")));
                // only the streams this test uses are reconciled: no container, no image store is needed
                BootReconciler boot = new BootReconciler(journal, runtime, null, null, null, null, Clock.systemUTC());
                // the pass looks ten minutes ahead: every intent of this test is past a two-minute grace
                PeriodicReconciler periodic = new PeriodicReconciler(journal, boot, runtime,
                        Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)), Duration.ofMinutes(2));

                // background work outside any command left a pull open (its closing append was lost)
                UUID pull = UUID.randomUUID();
                StreamId pullStream = StreamId.request("pull", pull);
                journal.append(pullStream, ExpectedVersion.any(), new ImagePullRequested("localhost:5999/x:1", "localhost:5999"),
                        new CommandContext(ALICE, pull));

                // a login whose command is still running (waiting on a slow registry)
                UUID login = UUID.randomUUID();
                StreamId registry = StreamId.registry("localhost:5999");
                CountDownLatch appended = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<Void> command = CompletableFuture.runAsync(() -> {
                    try {
                        journal.command(() -> {
                            journal.append(registry, ExpectedVersion.any(), new RegistryLoginRequested("localhost:5999", "alice"),
                                    new CommandContext(ALICE, login));
                            appended.countDown();
                            release.await(30, TimeUnit.SECONDS);
                        });
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(appended.await(30, TimeUnit.SECONDS)).isTrue();

                periodic.pass();

                List<RecordedEvent> pullEvents = store.readStream(pullStream);
                assertThat(pullEvents).extracting(RecordedEvent::type).containsExactly("image.pull-requested", "image.pull-failed");
                RecordedEvent closed = pullEvents.get(1);
                assertThat(closed.correlationId()).isEqualTo(pull);
                assertThat(closed.actor().kind()).isEqualTo(Actor.Kind.SYSTEM);
                assertThat(closed.actor().userName()).isEqualTo("reconcile");
                assertThat(((ImagePullFailed) closed.event()).reason()).contains("no command running it");
                assertThat(store.readStream(registry)).extracting(RecordedEvent::type).containsExactly("registry.login-requested");
                List<OpenIntentLedger.Entry> open = projections.read(p -> p.openIntents().all());
                assertThat(open).extracting(OpenIntentLedger.Entry::intentType).containsExactly("registry.login-requested");

                release.countDown();
                command.get(30, TimeUnit.SECONDS);
                // the command ended without an outcome: it closed its own intent, and nothing is open now
                assertThat(store.readStream(registry)).hasSize(2);
                int stillOpen = projections.read(p -> p.openIntents().size());
                assertThat(stillOpen).isZero();
                periodic.close();
            }
        } finally {
            try (var files = Files.walk(runcRoot)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
