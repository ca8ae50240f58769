package dev.tallyman.runtime.attach;

import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.ExitStatus;
import dev.tallyman.runtime.RuncState;
import dev.tallyman.runtime.oci.ContainerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Attaching to containers under real conmon and runc. Needs root. */
class AttachIT {
    static final Duration WAIT = Duration.ofSeconds(10);
    static ContainerFixture fixture;
    static ContainerAttach attach;

    @BeforeAll
    static void setUp() throws IOException {
        fixture = ContainerFixture.create();
        attach = new ContainerAttach(fixture.config);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @AfterEach
    void removeContainers() {
        assertThat(fixture.removeAll()).as("leftovers after the test").isEmpty();
    }

    static ExitStatus awaitExit(String id) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> status = fixture.runtime.exitStatus(id);
            if (status.isPresent()) {
                return status.get();
            }
            ContainerFixture.sleep(2);
        }
        return fail("container " + id + " did not exit within " + WAIT);
    }

    static ContainerProcess terminalShell() {
        return new ContainerProcess(List.of("sh"), List.of(), "/", "", true, false);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void attachedBeforeStartSeesAllOutputWithItsStream() throws Exception {
        String id = fixture.newId();
        fixture.create(id, ContainerProcess.of("sh", "-c", "echo out; echo err >&2; printf tail"));
        try (AttachSession session = attach.open(id)) {
            OutputCollector output = new OutputCollector(session);
            fixture.runtime.start(id);
            assertThat(output.awaitEnd(WAIT)).as("output ends when the container exits").isTrue();
            assertThat(output.stdout()).isEqualTo("out\ntail");
            assertThat(output.stderr()).isEqualTo("err\n");
        }
        assertThat(awaitExit(id).exitCode()).isZero();
    }

    @Test
    void terminalShellTakesInputResizesAndExits() throws Exception {
        String id = fixture.newId();
        fixture.create(id, terminalShell());
        try (AttachSession session = attach.open(id)) {
            OutputCollector output = new OutputCollector(session);
            fixture.runtime.start(id);
            session.resize(24, 80);
            session.writeStdin(bytes("test -t 0 && echo h''i\n"));
            // The terminal echoes the typed line; the quotes keep the echo apart from the answer.
            assertThat(output.awaitStdout("hi\r\n", WAIT)).as("output so far: " + output.stdout()).isTrue();

            session.resize(33, 111);
            session.writeStdin(bytes("stty size\n"));
            assertThat(output.awaitStdout("33 111\r\n", WAIT)).as("output so far: " + output.stdout()).isTrue();

            session.writeStdin(bytes("exit\n"));
            assertThat(output.awaitEnd(WAIT)).isTrue();
        }
        assertThat(awaitExit(id).exitCode()).isZero();
    }

    @Test
    void detachKeysEndTheSessionAndTheContainerRunsOnForTheNextClient() throws Exception {
        String id = fixture.newId();
        fixture.create(id, terminalShell());
        DetachFilter filter = new DetachFilter(DetachKeys.parse("ctrl-p,ctrl-q"));
        try (AttachSession session = attach.open(id)) {
            OutputCollector output = new OutputCollector(session);
            fixture.runtime.start(id);
            DetachFilter.Filtered typed = filter.filter(bytes("echo one\n\u0010\u0011echo lost\n"));
            session.writeStdin(typed.bytes());
            assertThat(typed.detached()).isTrue();
            assertThat(output.awaitStdout("one\r\n", WAIT)).isTrue();
        }

        ContainerFixture.sleep(200);
        assertThat(fixture.runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.RUNNING);
        // A new ContainerAttach stands for the service after a restart: conmon still holds the terminal.
        try (AttachSession again = new ContainerAttach(fixture.config).open(id)) {
            OutputCollector output = new OutputCollector(again);
            again.writeStdin(bytes("echo tw''o; exit 7\n"));
            assertThat(output.awaitStdout("two\r\n", WAIT)).as("output: " + output.stdout()).isTrue();
            assertThat(output.awaitEnd(WAIT)).isTrue();
            assertThat(output.stdout()).doesNotContain("lost");
        }
        assertThat(awaitExit(id).exitCode()).isEqualTo(7);
    }

    @Test
    void twoClientsBothSeeTheOutput() throws Exception {
        String id = fixture.newId();
        fixture.create(id, terminalShell());
        try (AttachSession first = attach.open(id); AttachSession second = attach.open(id)) {
            OutputCollector one = new OutputCollector(first);
            OutputCollector two = new OutputCollector(second);
            fixture.runtime.start(id);
            first.writeStdin(bytes("echo sh''ared; exit\n"));
            assertThat(one.awaitStdout("shared\r\n", WAIT)).isTrue();
            assertThat(two.awaitStdout("shared\r\n", WAIT)).isTrue();
            assertThat(one.awaitEnd(WAIT)).isTrue();
            assertThat(two.awaitEnd(WAIT)).isTrue();
        }
        awaitExit(id);
    }

    @Test
    void largeOutputArrivesWhole() throws Exception {
        String id = fixture.newId();
        // 200000 bytes, far more than one conmon message.
        fixture.create(id, ContainerProcess.of("sh", "-c", "i=0; while [ $i -lt 2000 ]; do "
                + "printf '%099d\\n' $i; i=$((i+1)); done"));
        try (AttachSession session = attach.open(id)) {
            OutputCollector output = new OutputCollector(session);
            fixture.runtime.start(id);
            assertThat(output.awaitEnd(WAIT)).isTrue();
            String text = output.stdout();
            assertThat(text).hasSize(200_000);
            assertThat(text).endsWith(String.format("%099d%n", 1999));
        }
        assertThat(awaitExit(id).exitCode()).isZero();
    }

    @Test
    void closingTheSessionWakesABlockedReader() throws Exception {
        String id = fixture.newId();
        fixture.run(id, "sleep", "100");
        AttachSession session = attach.open(id);
        OutputCollector output = new OutputCollector(session);
        session.close();
        assertThat(output.awaitEnd(Duration.ofSeconds(2))).isTrue();
        assertThat(fixture.runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.RUNNING);
    }

    @Test
    void nothingToAttachToFails() {
        assertThatThrownBy(() -> attach.open("it-never-created"))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageStartingWith("attach container it-never-created: ");
        String id = fixture.newId();
        fixture.run(id, "true");
        awaitExit(id);
        assertThatThrownBy(() -> attach.open(id)).isInstanceOf(ContainerRuntimeException.class);
        assertThatThrownBy(() -> attach.resize("it-never-created", 10, 10))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageStartingWith("resize terminal: open ");
    }
}
