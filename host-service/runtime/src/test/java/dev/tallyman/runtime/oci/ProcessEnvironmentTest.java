package dev.tallyman.runtime.oci;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessEnvironmentTest {
    static final String PATH = "PATH=" + ProcessEnvironment.DEFAULT_PATH;

    record Case(String description, List<String> env, boolean tty, List<String> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("empty gets PATH and HOSTNAME", List.of(), false, List.of(PATH, "HOSTNAME=web")),
                new Case("given PATH replaces the default in place", List.of("PATH=/bin", "A=1"), false,
                        List.of("PATH=/bin", "HOSTNAME=web", "A=1")),
                new Case("later entry wins", List.of("A=1", "B=2", "A=3"), false,
                        List.of(PATH, "HOSTNAME=web", "A=3", "B=2")),
                new Case("value may hold = and be empty", List.of("A=x=y", "E="), false,
                        List.of(PATH, "HOSTNAME=web", "A=x=y", "E=")),
                new Case("entry without = is dropped", List.of("LONELY", "=bad"), false,
                        List.of(PATH, "HOSTNAME=web")),
                new Case("tty adds TERM", List.of(), true, List.of(PATH, "HOSTNAME=web", "TERM=xterm")),
                new Case("tty keeps a given TERM", List.of("TERM=dumb"), true,
                        List.of(PATH, "HOSTNAME=web", "TERM=dumb")),
                new Case("HOSTNAME can be overridden", List.of("HOSTNAME=other"), false,
                        List.of(PATH, "HOSTNAME=other")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergesLikeDocker(Case c) {
        assertThat(ProcessEnvironment.merge(c.env(), "web", c.tty())).containsExactlyElementsOf(c.expected());
    }
}
