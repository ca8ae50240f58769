package dev.tallyman.runtime.top;

import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.attach.ContainerFixture;
import dev.tallyman.runtime.exec.ExecFixture;
import dev.tallyman.runtime.exec.ExecSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker top against real containers and the host's ps. Needs root. */
class ContainerTopIT {
    static ExecFixture execFixture;
    static ContainerFixture fixture;
    static ContainerTop top;

    @BeforeAll
    static void setUp() throws IOException {
        execFixture = ExecFixture.create();
        fixture = execFixture.containers;
        top = new ContainerTop(fixture.runtime);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (execFixture != null) {
            execFixture.close();
        }
    }

    @AfterEach
    void cleanUp() {
        assertThat(execFixture.removeAll()).as("leftovers after the test").isEmpty();
    }

    /** A container running sleep 100, with an exec'd sleep 200 beside it. */
    String containerWithTwoProcesses() {
        String id = fixture.newId();
        fixture.run(id, "sleep", "100");
        execFixture.exec(id, "exec-" + id, new ExecSpec(List.of("sleep", "200"), List.of(), "", "", false, false,
                true));
        return id;
    }

    @Test
    void defaultShowsEveryProcessOfTheContainerAndNoOther() {
        String id = containerWithTwoProcesses();
        ProcessTable table = top.top(id, "");
        assertThat(table.titles()).containsExactly("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
        assertThat(table.processes()).hasSize(2);
        assertThat(table.processes()).allSatisfy(row -> assertThat(row).hasSize(8));
        assertThat(table.processes()).extracting(row -> row.get(7))
                .containsExactlyInAnyOrder("sleep 100", "sleep 200");
        assertThat(table.processes()).extracting(row -> row.get(0)).containsOnly("root");
    }

    @Test
    void psOptionsChooseTheColumns() {
        String id = containerWithTwoProcesses();
        ProcessTable aux = top.top(id, "aux");
        assertThat(aux.titles()).contains("USER", "PID", "%CPU", "COMMAND");
        assertThat(aux.processes()).hasSize(2);

        ProcessTable custom = top.top(id, "-o pid,comm");
        assertThat(custom.titles()).containsExactly("PID", "COMMAND");
        assertThat(custom.processes()).extracting(row -> row.get(1)).containsExactly("sleep", "sleep");
    }

    @Test
    void outputWithoutAPidColumnFailsLikeDocker() {
        String id = containerWithTwoProcesses();
        assertThatThrownBy(() -> top.top(id, "-o comm"))
                .isInstanceOf(ContainerTopException.class)
                .hasMessage("Couldn't find PID field in ps output");
        assertThatThrownBy(() -> top.top(id, "--nosuchoption"))
                .isInstanceOf(ContainerTopException.class)
                .hasMessageStartingWith("ps: ");
    }

    @Test
    void stoppedContainerHasNoTop() {
        String id = fixture.newId();
        fixture.run(id, "true");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fixture.runtime.exitStatus(id).isEmpty() && System.nanoTime() < deadline) {
            ContainerFixture.sleep(2);
        }
        assertThatThrownBy(() -> top.top(id, "-ef"))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessage("top container " + id + ": container is not running");
    }
}
