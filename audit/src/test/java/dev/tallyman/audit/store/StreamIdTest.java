package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The hand-written check accepts exactly what its documented pattern does. */
class StreamIdTest {
    private static final Pattern DOCUMENTED = Pattern.compile("[a-z][a-z0-9]*(-[a-zA-Z0-9_.:-]+)?");

    record Case(String description, String value) {
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one-stream kind", "images"),
                new Case("kind with digits", "v2"),
                new Case("container stream", "container-3f2a9c0b"),
                new Case("volume name with punctuation", "volume-my_vol.1:x-y"),
                new Case("upper case in the id", "network-AbC"),
                new Case("empty", ""),
                new Case("starts with a digit", "2images"),
                new Case("upper case kind", "Images"),
                new Case("dash and nothing after", "container-"),
                new Case("two dashes", "container--x"),
                new Case("slash", "container-a/b"),
                new Case("space", "container-a b"),
                new Case("underscore in the kind", "con_tainer-x"),
                new Case("non-ASCII letter", "container-é"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void acceptsWhatThePatternAccepts(Case c) {
        if (DOCUMENTED.matcher(c.value()).matches()) {
            assertThat(new StreamId(c.value()).value()).as(c.description()).isEqualTo(c.value());
        } else {
            assertThatThrownBy(() -> new StreamId(c.value())).as(c.description())
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("invalid stream id: " + c.value());
        }
    }
}
