package dev.tallyman.runtime.top;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PsOutputTest {
    static final String PS_EF = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 19:00 ?        00:00:01 /sbin/init
            root         101      90  0 19:01 ?        00:00:00 sleep 100
            app          102     101  0 19:01 pts/0    00:00:00 sh -c echo  two  spaces
            """;

    @Test
    void keepsTheHeaderAndTheContainersRows() {
        ProcessTable table = PsOutput.parse(PS_EF, Set.of(101, 102));
        assertThat(table.titles()).containsExactly("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
        assertThat(table.processes()).containsExactly(
                List.of("root", "101", "90", "0", "19:01", "?", "00:00:00", "sleep 100"),
                // Docker joins the last column's words with single spaces.
                List.of("app", "102", "101", "0", "19:01", "pts/0", "00:00:00", "sh -c echo two spaces"));
    }

    @Test
    void noPidColumnIsDockersError() {
        assertThatThrownBy(() -> PsOutput.parse("COMMAND\nsleep\n", Set.of(1)))
                .isInstanceOf(ContainerTopException.class)
                .hasMessage("Couldn't find PID field in ps output");
    }

    @Test
    void noMatchingPidsGiveAnEmptyTable() {
        assertThat(PsOutput.parse(PS_EF, Set.of(7)).processes()).isEmpty();
    }

    @Test
    void renamingAnotherColumnToPidIsRefused() {
        PsOutput.validate("-o pid=PID,comm");
        assertThatThrownBy(() -> PsOutput.validate("-o comm=PID"))
                .isInstanceOf(ContainerTopException.class)
                .hasMessage("specifying \"comm=PID\" is not allowed");
    }
}
