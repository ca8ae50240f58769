package dev.tallyman.images.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImageIdMatcherTest {
    private static final Digest A = Digest.ofHex("ab12" + "0".repeat(60));
    private static final Digest B = Digest.ofHex("ab34" + "1".repeat(60));
    private static final Digest C = Digest.ofHex("cd56" + "2".repeat(60));
    private static final ImageIdMatcher MATCHER = new ImageIdMatcher(List.of(A, B, C));

    record Case(String typed, Optional<Digest> expected, int candidates) {
        @Override
        public String toString() {
            return typed.isEmpty() ? "(empty)" : typed;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(A.toString(), Optional.of(A), 1),
                new Case(A.hex(), Optional.of(A), 1),
                new Case("ab1", Optional.of(A), 1),
                new Case("sha256:ab3", Optional.of(B), 1),
                new Case("c", Optional.of(C), 1),
                new Case("ab", Optional.empty(), 2),
                new Case("ef", Optional.empty(), 0),
                new Case("AB12", Optional.empty(), 0),
                new Case("busybox", Optional.empty(), 0),
                new Case("", Optional.empty(), 0),
                new Case("sha256:", Optional.empty(), 0),
                new Case(A.hex() + "0", Optional.empty(), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resolvesFullAndShortIds(Case c) {
        assertThat(MATCHER.resolve(c.typed())).isEqualTo(c.expected());
        assertThat(MATCHER.candidates(c.typed())).hasSize(c.candidates());
    }
}
