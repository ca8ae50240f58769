package dev.tallyman.host.commands.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.host.commands.EngineException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerRulesTest {

    record Name(String given, String accepted) {
    }

    static Stream<Name> names() {
        return Stream.of(
                new Name("web", "web"),
                new Name("/web", "web"),
                new Name("a.b-c_d", "a.b-c_d"),
                new Name("x", null),
                new Name("-web", null),
                new Name("bad name!", null),
                new Name("", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void namesFollowDockersRule(Name c) {
        if (c.accepted() != null) {
            assertThat(ContainerNames.validate(c.given())).isEqualTo(c.accepted());
        } else {
            assertThatThrownBy(() -> ContainerNames.validate(c.given()))
                    .isInstanceOf(EngineException.class)
                    .hasMessage("Invalid container name (" + c.given() + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
    }

    record Signal(String text, int number) {
    }

    static Stream<Signal> signals() {
        return Stream.of(new Signal("KILL", 9), new Signal("SIGKILL", 9), new Signal("9", 9), new Signal("term", 15),
                new Signal("SIGUSR1", 10), new Signal("HUP", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signals")
    void signalsByNameOrNumber(Signal c) {
        assertThat(Signals.parse(c.text())).isEqualTo(c.number());
    }

    @Test
    void unknownSignalIsRefused() {
        assertThatThrownBy(() -> Signals.parse("SIGNOPE")).hasMessage("Invalid signal: SIGNOPE");
    }

    @Test
    void requestEnvironmentOverridesTheImagesAndPathIsAlwaysSet() {
        List<String> merged = CreateContainerHandler.mergeEnv(List.of("A=1", "B=2"), List.of("B=3", "C=4", "NOVALUE"));
        assertThat(merged).containsExactly("A=1", "B=3", "C=4", "NOVALUE", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        assertThat(CreateContainerHandler.mergeEnv(List.of("PATH=/bin"), List.of())).containsExactly("PATH=/bin");
    }

    @Test
    void generatedNamesAvoidTakenOnes() {
        String name = ContainerNames.generate(n -> false);
        assertThat(name).matches("[a-z]+_[a-z]+");
        assertThat(ContainerNames.newId()).matches("[0-9a-f]{64}");
    }
}
