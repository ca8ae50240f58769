package dev.tallyman.images.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DockerfileTest {
    record Case(String description, String text, List<String> originals) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one instruction per line", "FROM busybox\nRUN true\n", List.of("FROM busybox", "RUN true")),
                new Case("continuation joins lines", "RUN echo a \\\n  b\n", List.of("RUN echo a   b")),
                new Case("comments inside a continuation are dropped", "RUN a \\\n# note\n  b\n", List.of("RUN a   b")),
                new Case("empty lines inside a continuation are skipped", "RUN a \\\n\n  b\n", List.of("RUN a   b")),
                new Case("comments and blank lines between instructions", "# c\n\nFROM x\n  # indented\nCMD y\n",
                        List.of("FROM x", "CMD y")),
                new Case("escape directive makes the backtick continue", "# escape=`\nRUN a `\n b\nCOPY c:\\x d\n",
                        List.of("RUN a  b", "COPY c:\\x d")),
                new Case("syntax directive is read and skipped", "# syntax=docker/dockerfile:1\nFROM x\n", List.of("FROM x")),
                new Case("a directive after a comment is a comment", "# hello\n# escape=`\nRUN a \\\n b\n", List.of("RUN a  b")),
                new Case("CRLF line ends", "FROM x\r\nRUN y\r\n", List.of("FROM x", "RUN y")),
                new Case("last line without newline", "FROM x", List.of("FROM x")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void parsesAsDocker(Case c) {
        assertThat(Dockerfile.parse(c.text()).instructions()).extracting(Instruction::original).isEqualTo(c.originals());
    }

    @Test
    void directivesAreRecorded() {
        Dockerfile d = Dockerfile.parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM x\n");
        assertThat(d.escape()).isEqualTo('`');
        assertThat(d.syntax()).isEqualTo("docker/dockerfile:1");
    }

    @Test
    void flagsAreSplitFromArgumentsForInstructionsThatTakeThem() {
        Instruction copy = Dockerfile.parse("COPY --from=build --chown=1:2 a b\n").instructions().get(0);
        assertThat(copy.keyword()).isEqualTo("COPY");
        assertThat(copy.flags()).isEqualTo(Map.of("from", "build", "chown", "1:2"));
        assertThat(copy.arguments()).isEqualTo("a b");
        Instruction env = Dockerfile.parse("env --x=1\n").instructions().get(0);
        assertThat(env.keyword()).isEqualTo("ENV");
        assertThat(env.flags()).isEmpty();
        assertThat(env.arguments()).isEqualTo("--x=1");
    }

    @Test
    void execFormIsAJsonArrayOfStrings() {
        assertThat(Dockerfile.parse("CMD [\"a\", \"b c\"]").instructions().get(0).execForm()).contains(List.of("a", "b c"));
        assertThat(Dockerfile.parse("CMD [\"a\", 1]").instructions().get(0).execForm()).isEqualTo(Optional.empty());
        assertThat(Dockerfile.parse("CMD echo [x]").instructions().get(0).execForm()).isEqualTo(Optional.empty());
    }

    @Test
    void badDirectivesAndEmptyFilesAreRefused() {
        assertThatThrownBy(() -> Dockerfile.parse("# escape=x\nFROM a\n")).isInstanceOf(ImageException.class)
                .hasMessageContaining("invalid escape token");
        assertThatThrownBy(() -> Dockerfile.parse("# only a comment\n")).isInstanceOf(ImageException.class)
                .hasMessageContaining("cannot be empty");
    }
}
