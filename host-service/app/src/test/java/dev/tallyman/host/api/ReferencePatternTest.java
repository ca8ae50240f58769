package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReferencePatternTest {
    record Case(String description, String pattern, String reference, boolean matches) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("a name finds each of its tags", "busybox", "busybox:latest", true),
                new Case("a name and tag finds only that tag", "busybox:1.36", "busybox:latest", false),
                new Case("a tag glob", "app:1*", "app:1.0", true),
                new Case("a tag glob misses other tags", "app:1*", "app:2.0", false),
                new Case("a star stays in one path segment", "cli/*", "cli/app:1.0", true),
                new Case("a star does not cross a slash", "*", "cli/app:1.0", false),
                new Case("a registry host with a port", "localhost:5000/*", "localhost:5000/team:v1", true),
                new Case("a digest reference by its name", "localhost:5000/team", "localhost:5000/team@sha256:abc", true),
                new Case("another repository", "busybox", "busyboxes:latest", false),
                new Case("a broken glob matches only itself", "[", "busybox:latest", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesAsDockerDoes(Case c) {
        assertThat(ReferencePattern.matches(c.pattern(), c.reference())).isEqualTo(c.matches());
    }
}
