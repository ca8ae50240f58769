package dev.tallyman.runtime.exec;

import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.attach.AttachSession;
import dev.tallyman.runtime.attach.ContainerFixture;
import dev.tallyman.runtime.attach.OutputCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker exec under real conmon and runc. Needs root. */
class ExecIT {
    static final Duration WAIT = Duration.ofSeconds(10);
    static ExecFixture execFixture;
    static ContainerFixture fixture;
    static ExecRuntime execs;

    @BeforeAll
    static void setUp() throws IOException {
        execFixture = ExecFixture.create();
        fixture = execFixture.containers;
        execs = execFixture.execs;
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (execFixture != null) {
            execFixture.close();
        }
    }

    /** Deleting the containers kills their exec'd processes; then each exec's conmon exits and its files go. */
    @AfterEach
    void cleanUp() {
        List<String> problems = execFixture.removeAll();
        assertThat(execs.list()).as("exec files left").isEmpty();
        assertThat(problems).as("leftovers after the test").isEmpty();
    }

    String runningContainer() {
        String id = fixture.newId();
        fixture.run(id, "sleep", "100");
        return id;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void outputKeepsItsStreamsAndTheExitCodeIsKept() throws Exception {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        ExecProcess process = execFixture.exec(container, execId,
                ExecSpec.of("sh", "-c", "echo out; echo err >&2; exit 3"));
        try (AttachSession session = process.session().orElseThrow()) {
            OutputCollector output = new OutputCollector(session);
            assertThat(output.awaitEnd(WAIT)).isTrue();
            assertThat(output.stdout()).isEqualTo("out\n");
            assertThat(output.stderr()).isEqualTo("err\n");
        }
        assertThat(execs.awaitExit(execId, WAIT)).hasValue(3);
        assertThat(process.pid()).isPositive();
        // Another instance (the service after a restart) reads the same exit code from conmon's file.
        assertThat(new ExecRuntime(new ContainerRuntime(fixture.config)).exitCode(execId)).hasValue(3);
        assertThat(fixture.runtime.exitStatus(container)).as("the container's own exit is untouched").isEmpty();
    }

    @Test
    void firstOutputOfAFastProcessIsNotLost() throws Exception {
        String container = runningContainer();
        for (int i = 0; i < 5; i++) {
            String execId = execFixture.newExecId();
            try (AttachSession session = execFixture.exec(container, execId, ExecSpec.of("echo", "first")).session()
                    .orElseThrow()) {
                OutputCollector output = new OutputCollector(session);
                assertThat(output.awaitEnd(WAIT)).isTrue();
                assertThat(output.stdout()).isEqualTo("first\n");
            }
            assertThat(execs.awaitExit(execId, WAIT)).hasValue(0);
        }
    }

    @Test
    void environmentUserAndWorkingDirectoryApply() throws Exception {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", "echo $GREETING; id -u; id -g; pwd; echo $PATH"),
                List.of("GREETING=hi"), "app", "/tmp", false, false, false);
        try (AttachSession session = execFixture.exec(container, execId, spec).session().orElseThrow()) {
            OutputCollector output = new OutputCollector(session);
            assertThat(output.awaitEnd(WAIT)).isTrue();
            assertThat(output.stdout()).isEqualTo("hi\n1000\n1000\n/tmp\n"
                    + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        }
        assertThat(execs.awaitExit(execId, WAIT)).hasValue(0);
    }

    @Test
    void stdinIsReadUntilTheClientEndsIt() throws Exception {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", "cat; echo done"), List.of(), "", "", false, true, false);
        try (AttachSession session = execFixture.exec(container, execId, spec).session().orElseThrow()) {
            OutputCollector output = new OutputCollector(session);
            session.writeStdin(bytes("hello\n"));
            assertThat(output.awaitStdout("hello\n", WAIT)).isTrue();
            session.closeStdin();
            assertThat(output.awaitEnd(WAIT)).isTrue();
            assertThat(output.stdout()).isEqualTo("hello\ndone\n");
        }
        assertThat(execs.awaitExit(execId, WAIT)).hasValue(0);
    }

    @Test
    void terminalExecResizesAndExits() throws Exception {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        ExecSpec spec = new ExecSpec(List.of("sh"), List.of(), "", "", true, true, false);
        try (AttachSession session = execFixture.exec(container, execId, spec).session().orElseThrow()) {
            OutputCollector output = new OutputCollector(session);
            execs.resize(execId, 20, 70);
            session.writeStdin(bytes("stty size; echo $TERM; tty\n"));
            assertThat(output.awaitStdout("20 70\r\nxterm\r\n/dev/pts/", WAIT)).as("output: " + output.stdout())
                    .isTrue();
            session.writeStdin(bytes("exit 4\n"));
            assertThat(output.awaitEnd(WAIT)).isTrue();
        }
        assertThat(execs.awaitExit(execId, WAIT)).hasValue(4);
    }

    @Test
    void detachedExecRunsWithoutAClient() throws Exception {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        ExecSpec spec = new ExecSpec(List.of("sh", "-c", "echo ran > /tmp/" + execId), List.of(), "", "", false,
                false, true);
        ExecProcess process = execFixture.exec(container, execId, spec);
        assertThat(process.session()).isEmpty();
        assertThat(execs.awaitExit(execId, WAIT)).hasValue(0);
        assertThat(Files.readString(fixture.rootfs.resolve("tmp").resolve(execId))).isEqualTo("ran\n");
    }

    @Test
    void missingExecutableFailsWithDockersText() {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        assertThatThrownBy(() -> execFixture.exec(container, execId, ExecSpec.of("nosuch")))
                .isInstanceOfSatisfying(ExecStartException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(126);
                    assertThat(e.getMessage()).isEqualTo("OCI runtime exec failed: exec failed: unable to start "
                            + "container process: exec: \"nosuch\": executable file not found in $PATH: unknown");
                });
        assertThat(execs.running(execId)).isFalse();
        assertThat(execs.exitCode(execId)).isEmpty();
    }

    @Test
    void unknownUserAndMissingDirectoryFailLikeDocker() {
        String container = runningContainer();
        assertThatThrownBy(() -> execFixture.exec(container, execFixture.newExecId(),
                new ExecSpec(List.of("true"), List.of(), "nobody2", "", false, false, false)))
                .isInstanceOf(ExecStartException.class)
                .hasMessage("unable to find user nobody2: no matching entries in passwd file");
        assertThatThrownBy(() -> execFixture.exec(container, execFixture.newExecId(),
                new ExecSpec(List.of("pwd"), List.of(), "", "/nonexist", false, false, false)))
                .isInstanceOf(ExecStartException.class)
                .hasMessage("OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd "
                        + "(\"/nonexist\") set in config.json failed: no such file or directory: unknown");
    }

    @Test
    void execInAStoppedContainerFails() {
        String container = fixture.newId();
        fixture.run(container, "true");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fixture.runtime.exitStatus(container).isEmpty() && System.nanoTime() < deadline) {
            ContainerFixture.sleep(2);
        }
        assertThatThrownBy(() -> execFixture.exec(container, execFixture.newExecId(), ExecSpec.of("true")))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageEndingWith("container is not running");
    }

    @Test
    void removeRefusesARunningExec() {
        String container = runningContainer();
        String execId = execFixture.newExecId();
        execFixture.exec(container, execId,
                new ExecSpec(List.of("sleep", "100"), List.of(), "", "", false, false, true));
        assertThat(execs.running(execId)).isTrue();
        assertThatThrownBy(() -> execs.remove(execId)).isInstanceOf(ContainerRuntimeException.class)
                .hasMessage("remove exec " + execId + ": exec is running");
        assertThatThrownBy(() -> execFixture.exec(container, execId, ExecSpec.of("true")))
                .isInstanceOf(ContainerRuntimeException.class).hasMessageContaining("exec id already used");
    }

    @Test
    void execOfTrueIsFast() throws Exception {
        String container = runningContainer();
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            String execId = execFixture.newExecId();
            long begin = System.nanoTime();
            try (AttachSession session = execFixture.exec(container, execId, ExecSpec.of("true")).session()
                    .orElseThrow()) {
                OutputCollector output = new OutputCollector(session);
                assertThat(output.awaitEnd(WAIT)).isTrue();
            }
            OptionalInt code = execs.awaitExit(execId, WAIT);
            long end = System.nanoTime();
            assertThat(code).hasValue(0);
            if (i >= 3) {
                micros.add((end - begin) / 1000);
            }
        }
        Collections.sort(micros);
        System.out.printf("attached exec of true, start to exit code: median %d us (min %d, max %d) over %d runs%n",
                micros.get(micros.size() / 2), micros.get(0), micros.get(micros.size() - 1), micros.size());
        assertThat(micros.get(micros.size() / 2)).isLessThan(500_000);
    }
}
