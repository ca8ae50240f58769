package dev.tallyman.images.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DockerIgnoreTest {
    record Case(String description, String patterns, String path, boolean excluded) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("plain name", "a.txt", "a.txt", true),
                new Case("plain name does not match deeper", "a.txt", "dir/a.txt", false),
                new Case("star stays in one component", "*.log", "dir/x.log", false),
                new Case("star matches in the top folder", "*.log", "x.log", true),
                new Case("star in a folder component", "*/x.log", "dir/x.log", true),
                new Case("double star spans folders", "**/x.log", "a/b/c/x.log", true),
                new Case("double star matches zero folders", "**/x.log", "x.log", true),
                new Case("double star at the end", "dir/**", "dir/a/b", true),
                new Case("question mark is one character", "?.txt", "ab.txt", false),
                new Case("question mark matches one", "?.txt", "a.txt", true),
                new Case("class", "[a-c].txt", "b.txt", true),
                new Case("negated class", "[^a-c].txt", "b.txt", false),
                new Case("folder excludes what is under it", "build", "build/out/x.o", true),
                new Case("trailing slash is cleaned away", "build/", "build/x", true),
                new Case("leading slash is dropped", "/secret", "secret", true),
                new Case("dot segments are cleaned", "./a/../b", "b", true),
                new Case("exception re-includes", "*.log\n!keep.log", "keep.log", false),
                new Case("exception leaves others excluded", "*.log\n!keep.log", "other.log", true),
                new Case("last match wins", "!keep.log\n*.log", "keep.log", true),
                new Case("comments and blank lines are skipped", "# *.txt\n\n", "a.txt", false),
                new Case("exception under an excluded folder", "docs\n!docs/README.md", "docs/README.md", false),
                new Case("escaped star is literal", "a\\*", "a*", true),
                new Case("escaped star is not a wildcard", "a\\*", "ab", false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesAsDocker(Case c) {
        assertThat(DockerIgnore.parse(c.patterns()).excludes(c.path())).isEqualTo(c.excluded());
    }
}
