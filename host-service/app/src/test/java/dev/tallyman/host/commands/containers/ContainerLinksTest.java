package dev.tallyman.host.commands.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.ContainerLink;
import dev.tallyman.host.commands.EngineException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** HostConfig.Links read as moby's opts.ParseLink reads them. */
class ContainerLinksTest {

    record ParseCase(String description, String text, ContainerLink expected, String refusal) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<ParseCase> cases() {
        return Stream.of(
                new ParseCase("name and alias", "db:alias", new ContainerLink("db", "alias", ""), null),
                new ParseCase("a name alone is its own alias", "db", new ContainerLink("db", "db", ""), null),
                new ParseCase("inspect's own form", "/db:/web/alias", new ContainerLink("db", "alias", ""), null),
                new ParseCase("empty", "", null, "empty string specified for links"),
                new ParseCase("three parts", "a:b:c", null, "bad format for links: a:b:c"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesAsDockerDoes(ParseCase c) {
        if (c.refusal() == null) {
            assertThat(ContainerLinks.parse(List.of(c.text()))).containsExactly(c.expected());
        } else {
            assertThatThrownBy(() -> ContainerLinks.parse(List.of(c.text())))
                    .isInstanceOf(EngineException.class).hasMessage(c.refusal())
                    .extracting(e -> ((EngineException) e).kind()).isEqualTo(EngineException.Kind.INVALID_PARAMETER);
        }
    }
}
