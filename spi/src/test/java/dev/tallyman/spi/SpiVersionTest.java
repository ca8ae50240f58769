package dev.tallyman.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiVersionTest {

    record Case(String description, String host, String provider, boolean runs) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("the same version runs", "2.0", "2.0", true),
                new Case("an older minor of the same major runs", "2.3", "2.1", true),
                new Case("a newer minor may call what the host lacks", "2.1", "2.2", false),
                new Case("an older major is refused", "2.0", "1.9", false),
                new Case("a newer major is refused", "2.0", "3.0", false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void compatibilityRule(Case c) {
        assertThat(SpiVersion.parse(c.host()).runs(SpiVersion.parse(c.provider()))).isEqualTo(c.runs());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "2.", ".1", "two.0", "2.0.1", "-1.0"})
    void badTextIsNamed(String text) {
        assertThatThrownBy(() -> SpiVersion.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\"");
    }

    @org.junit.jupiter.api.Test
    void theHostRunsItsOwnVersion() {
        assertThat(SpiVersion.host().runs(SpiVersion.parse(SpiVersion.CURRENT))).isTrue();
        assertThat(SpiVersion.host()).hasToString(SpiVersion.CURRENT);
    }
}
