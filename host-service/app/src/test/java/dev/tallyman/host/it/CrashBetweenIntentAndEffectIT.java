package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.host.projections.OpenIntentLedger;
import dev.tallyman.host.projections.Projections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * For every command that records an intent: the service is SIGKILLed the moment the intent is durable, before
 * the effect (TALLYMAN_CRASH_AFTER_FILE names the type; the test arms it right before the command). After the
 * next boot the intent has exactly one of its outcomes under its request's correlation id, nothing on the record
 * is left open, and the object the command named takes the same command again (nothing stays busy or half-made).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.SAME_THREAD)
class CrashBetweenIntentAndEffectIT {

    private TestDatabase database;
    private TestRegistry registry;
    private TallymanProcess tallyman;
    private Path dir;
    private Path crashAfter;

    /** {@code type}: the intent the service dies after; {@code crashing}: the command that records it. */
    record Case(String type, Runnable setup, Runnable crashing, Runnable after) {
        @Override
        public String toString() {
            return type;
        }
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("crash-it");
        Files.writeString(dir.resolve("note.txt"), "copied in\n");
        Files.createDirectories(dir.resolve("context"));
        Files.writeString(dir.resolve("context/Dockerfile"), "FROM busybox\nRUN echo built > /built\n");
        crashAfter = dir.resolve("crash-after");
        database = new TestDatabase();
        registry = TestRegistry.open(dir.resolve("registry"));
        tallyman = new TallymanProcess("crash", database, "overlay2").withEnv("TALLYMAN_CRASH_AFTER_FILE", crashAfter.toString());
        tallyman.start();
        ok("import", BusyboxTar.get().toString(), "busybox:latest");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (tallyman != null) {
                Files.deleteIfExists(crashAfter);
                String all = tallyman.docker("ps", "-aq").stdout().trim();
                if (!all.isEmpty()) {
                    List<String> args = new ArrayList<>(List.of("rm", "-f"));
                    args.addAll(all.lines().toList());
                    tallyman.docker(args.toArray(String[]::new));
                }
                for (String network : List.of("crash-net1", "crash-net2", "crash-net3")) {
                    tallyman.docker("network", "rm", network);
                }
                tallyman.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
            if (database != null) {
                database.close();
            }
            Shell.run("rm", "-rf", dir.toString());
        }
    }

    Stream<Case> cases() {
        String reg = registry.host();
        String tar = BusyboxTar.get().toString();
        String saved = dir.resolve("saved.tar").toString();
        String note = dir.resolve("note.txt").toString();
        return Stream.of(
                new Case("container.create-requested", () -> { },
                        () -> docker("create", "--name", "crash-create", "busybox", "sleep", "300"),
                        () -> ok("run", "--rm", "--name", "crash-create", "busybox", "true")),
                new Case("container.start-requested", () -> ok("create", "--name", "crash-start", "busybox", "sleep", "300"),
                        () -> docker("start", "crash-start"),
                        () -> {
                            ok("start", "crash-start");
                            assertThat(inspect("{{.State.Status}}", "crash-start")).isEqualTo("running");
                            ok("rm", "-f", "crash-start");
                        }),
                new Case("container.kill-requested", () -> ok("run", "-d", "--name", "crash-kill", "busybox", "sleep", "300"),
                        () -> docker("kill", "crash-kill"),
                        () -> {
                            ok("kill", "crash-kill");
                            ok("rm", "crash-kill");
                        }),
                new Case("container.stop-requested", () -> ok("run", "-d", "--name", "crash-stop", "busybox", "sleep", "300"),
                        () -> docker("stop", "-t", "1", "crash-stop"),
                        () -> {
                            ok("stop", "-t", "1", "crash-stop");
                            ok("rm", "crash-stop");
                        }),
                new Case("container.pause-requested", () -> ok("run", "-d", "--name", "crash-pause", "busybox", "sleep", "300"),
                        () -> docker("pause", "crash-pause"),
                        () -> {
                            // the pause either happened or did not; the record says which, and so does inspect
                            if (!inspect("{{.State.Paused}}", "crash-pause").equals("true")) {
                                ok("pause", "crash-pause");
                            }
                            ok("unpause", "crash-pause");
                            ok("rm", "-f", "crash-pause");
                        }),
                new Case("container.unpause-requested", () -> {
                    ok("run", "-d", "--name", "crash-unpause", "busybox", "sleep", "300");
                    ok("pause", "crash-unpause");
                }, () -> docker("unpause", "crash-unpause"),
                        () -> {
                            if (inspect("{{.State.Paused}}", "crash-unpause").equals("true")) {
                                ok("unpause", "crash-unpause");
                            }
                            assertThat(inspect("{{.State.Status}}", "crash-unpause")).isEqualTo("running");
                            ok("rm", "-f", "crash-unpause");
                        }),
                new Case("container.remove-requested", () -> ok("create", "--name", "crash-rm", "busybox", "true"),
                        () -> docker("rm", "crash-rm"),
                        // the removal was asked for: it is finished at boot, and the name is free again
                        () -> ok("run", "--rm", "--name", "crash-rm", "busybox", "true")),
                new Case("container.update-requested", () -> ok("create", "--name", "crash-update", "busybox", "true"),
                        () -> docker("update", "--restart", "on-failure:3", "crash-update"),
                        () -> {
                            ok("update", "--restart", "on-failure:2", "crash-update");
                            assertThat(inspect("{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "crash-update")).isEqualTo("2");
                            ok("rm", "crash-update");
                        }),
                new Case("container.link-remove-requested", () -> {
                    ok("run", "-d", "--name", "crash-db", "busybox", "sleep", "300");
                    ok("run", "-d", "--name", "crash-web", "--link", "crash-db:db", "busybox", "sleep", "300");
                }, () -> docker("rm", "--link", "/crash-web/db"),
                        () -> {
                            if (!inspect("{{.HostConfig.Links}}", "crash-web").equals("[]")) {
                                ok("rm", "--link", "/crash-web/db");
                            }
                            ok("rm", "-f", "crash-web", "crash-db");
                        }),
                new Case("container.copy-in-requested", () -> ok("run", "-d", "--name", "crash-cp", "busybox", "sleep", "600"),
                        () -> docker("cp", note, "crash-cp:/tmp/note.txt"),
                        () -> {
                            ok("cp", note, "crash-cp:/tmp/note.txt");
                            assertThat(ok("exec", "crash-cp", "cat", "/tmp/note.txt")).isEqualTo("copied in\n");
                        }),
                new Case("container.copy-out-requested", () -> { },
                        () -> docker("cp", "crash-cp:/tmp/note.txt", dir.resolve("out1.txt").toString()),
                        () -> ok("cp", "crash-cp:/tmp/note.txt", dir.resolve("out2.txt").toString())),
                new Case("container.exec-start-requested", () -> { },
                        () -> docker("exec", "crash-cp", "touch", "/tmp/exec-ran"),
                        () -> {
                            ok("exec", "crash-cp", "touch", "/tmp/exec-ran");
                            assertThat(ok("exec", "crash-cp", "ls", "/tmp/exec-ran")).isEqualTo("/tmp/exec-ran\n");
                        }),
                new Case("container.export-requested", () -> { },
                        () -> docker("export", "-o", dir.resolve("export1.tar").toString(), "crash-cp"),
                        () -> ok("export", "-o", dir.resolve("export2.tar").toString(), "crash-cp")),
                new Case("container.resize-requested", () -> ok("run", "-dt", "--name", "crash-tty", "busybox", "sleep", "300"),
                        () -> tallyman.api("POST", "/containers/crash-tty/resize?h=30&w=100", null),
                        () -> {
                            CommandResult resize = tallyman.api("POST", "/containers/crash-tty/resize?h=30&w=100", null);
                            assertThat(resize.stdout().strip()).endsWith("200");
                            ok("rm", "-f", "crash-tty");
                        }),
                new Case("image.commit-requested", () -> { },
                        () -> docker("commit", "crash-cp", "crash/committed:1"),
                        () -> {
                            ok("commit", "crash-cp", "crash/committed:1");
                            ok("rm", "-f", "crash-cp");
                        }),
                new Case("image.delete-requested", () -> {
                    ok("run", "--name", "crash-del", "busybox", "sh", "-c", "echo only-here > /only");
                    ok("commit", "crash-del", "crash/deleted:1");
                    ok("rm", "crash-del");
                }, () -> docker("rmi", "crash/deleted:1"),
                        // the delete was asked for and its names were already gone: finished at boot
                        () -> assertThat(docker("image", "inspect", "crash/deleted:1").exitCode()).isEqualTo(1)),
                new Case("image.import-requested", () -> { },
                        () -> docker("import", tar, "crash/imported:1"),
                        () -> ok("import", tar, "crash/imported:1")),
                new Case("image.save-requested", () -> { },
                        () -> docker("save", "-o", dir.resolve("saved0.tar").toString(), "busybox"),
                        () -> ok("save", "-o", saved, "busybox")),
                new Case("image.load-requested", () -> { },
                        () -> docker("load", "-i", saved),
                        () -> ok("load", "-i", saved)),
                new Case("image.push-requested", () -> ok("tag", "busybox", reg + "/crash/bb:1"),
                        () -> docker("push", reg + "/crash/bb:1"),
                        () -> ok("push", reg + "/crash/bb:1")),
                new Case("image.pull-requested", () -> ok("rmi", reg + "/crash/bb:1"),
                        () -> docker("pull", reg + "/crash/bb:1"),
                        () -> ok("pull", reg + "/crash/bb:1")),
                new Case("registry.login-requested", () -> { },
                        () -> docker("login", "-u", "crash", "-p", "crash-secret", reg),
                        () -> {
                            ok("login", "-u", "crash", "-p", "crash-secret", reg);
                            ok("logout", reg);
                        }),
                new Case("build.requested", () -> { },
                        () -> docker("build", "-q", "-t", "crash/built:1", dir.resolve("context").toString()),
                        () -> {
                            ok("build", "-q", "-t", "crash/built:1", dir.resolve("context").toString());
                            assertThat(ok("run", "--rm", "crash/built:1", "cat", "/built")).isEqualTo("built\n");
                        }),
                new Case("network.create-requested", () -> { },
                        () -> docker("network", "create", "crash-net1"),
                        () -> {
                            if (docker("network", "inspect", "crash-net1").exitCode() != 0) {
                                ok("network", "create", "crash-net1");
                            }
                            assertThat(ok("run", "--rm", "--network", "crash-net1", "busybox", "true")).isEmpty();
                            ok("network", "rm", "crash-net1");
                        }),
                new Case("network.connect-requested", () -> {
                    ok("network", "create", "crash-net2");
                    ok("run", "-d", "--name", "crash-member", "busybox", "sleep", "300");
                }, () -> docker("network", "connect", "crash-net2", "crash-member"),
                        () -> {
                            if (!inspect("{{json .NetworkSettings.Networks}}", "crash-member").contains("crash-net2")) {
                                ok("network", "connect", "crash-net2", "crash-member");
                            }
                            assertThat(ok("exec", "crash-member", "ip", "-o", "-4", "addr")).contains("eth1");
                        }),
                new Case("network.disconnect-requested", () -> { },
                        () -> docker("network", "disconnect", "crash-net2", "crash-member"),
                        () -> {
                            if (inspect("{{json .NetworkSettings.Networks}}", "crash-member").contains("crash-net2")) {
                                ok("network", "disconnect", "crash-net2", "crash-member");
                            }
                            assertThat(ok("exec", "crash-member", "ip", "-o", "-4", "addr")).doesNotContain("eth1");
                            ok("rm", "-f", "crash-member");
                        }),
                new Case("network.remove-requested", () -> { },
                        () -> docker("network", "rm", "crash-net2"),
                        () -> {
                            if (docker("network", "inspect", "crash-net2").exitCode() == 0) {
                                ok("network", "rm", "crash-net2");
                            }
                            ok("network", "create", "crash-net2");
                            ok("network", "rm", "crash-net2");
                        }),
                new Case("volume.create-requested", () -> { },
                        () -> docker("volume", "create", "crash-vol1"),
                        () -> {
                            ok("volume", "create", "crash-vol1");
                            ok("run", "--rm", "-v", "crash-vol1:/data", "busybox", "touch", "/data/x");
                            ok("volume", "rm", "crash-vol1");
                        }),
                new Case("volume.remove-requested", () -> ok("volume", "create", "crash-vol2"),
                        () -> docker("volume", "rm", "crash-vol2"),
                        () -> {
                            if (docker("volume", "inspect", "crash-vol2").exitCode() == 0) {
                                ok("volume", "rm", "crash-vol2");
                            }
                            assertThat(docker("volume", "inspect", "crash-vol2").exitCode()).isEqualTo(1);
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aCrashRightAfterTheIntentEndsWithItsOutcomeAfterBoot(Case c) throws Exception {
        if (!tallyman.running()) {
            tallyman.start(); // an earlier case failed before its crash
        }
        c.setup().run();
        long before = lastPosition();
        Files.writeString(crashAfter, c.type());
        try {
            c.crashing().run();
            assertThat(tallyman.awaitExit(Duration.ofSeconds(60))).as("the service killed itself after " + c.type())
                    .isEqualTo(137);
        } finally {
            Files.deleteIfExists(crashAfter);
        }
        tallyman.start();
        List<RecordedEvent> intents = eventsAfter(before).stream().filter(e -> e.type().equals(c.type())).toList();
        assertThat(intents).as("the crashing command's intent is on the record").hasSize(1);
        RecordedEvent intent = intents.get(0);
        List<RecordedEvent> outcomes = eventsAfter(intent.position()).stream()
                .filter(e -> e.stream().equals(intent.stream()) && e.correlationId().equals(intent.correlationId()))
                .filter(e -> ((Intent) intent.event()).outcomes().contains(e.event().getClass()))
                .toList();
        assertThat(outcomes).as("outcomes of " + c.type()).hasSize(1);
        assertThat(openIntents()).as("intents left open on the record").isEmpty();

        c.after().run();
    }

    private long lastPosition() throws Exception {
        try (JdbcEventStore store = store()) {
            return store.lastPosition();
        }
    }

    private List<RecordedEvent> eventsAfter(long position) throws Exception {
        try (JdbcEventStore store = store()) {
            return store.readAll(position, 100_000);
        }
    }

    private Set<String> openIntents() throws Exception {
        try (JdbcEventStore store = store()) {
            Projections folded = Projections.rebuild(store);
            return folded.openIntents().all().stream().map(OpenIntentLedger.Entry::intentType).collect(Collectors.toSet());
        }
    }

    private JdbcEventStore store() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.url());
        dataSource.setUser(database.user);
        dataSource.setPassword(database.password);
        return new JdbcEventStore(dataSource, Clock.systemUTC());
    }

    private CommandResult docker(String... args) {
        return tallyman.docker(args);
    }

    private String ok(String... args) {
        CommandResult result = tallyman.docker(args);
        assertThat(result.exitCode()).as("docker " + String.join(" ", args) + "\n" + result).isZero();
        return result.stdout();
    }

    private String inspect(String format, String container) {
        return ok("inspect", "--format", format, container).trim();
    }
}
