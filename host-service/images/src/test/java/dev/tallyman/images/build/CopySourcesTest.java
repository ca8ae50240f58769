package dev.tallyman.images.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CopySourcesTest {
    record Case(String pattern, String path, boolean matches) {
        @Override
        public String toString() {
            return pattern + " ~ " + path;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("*.txt", "a.txt", true),
                new Case("*.txt", "dir/a.txt", false),
                new Case("dir/*.txt", "dir/a.txt", true),
                new Case("?.txt", "ab.txt", false),
                new Case("[ab].txt", "b.txt", true),
                new Case("[!ab].txt", "b.txt", false),
                new Case("a\\*", "a*", true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void wildcardsMatchAsGoFilepathMatch(Case c) {
        assertThat(CopySources.glob(c.pattern()).matcher(c.path()).matches()).isEqualTo(c.matches());
    }
}
