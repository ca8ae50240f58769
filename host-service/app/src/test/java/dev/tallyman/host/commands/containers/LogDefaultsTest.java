package dev.tallyman.host.commands.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The service's log defaults merged into a create, as dockerd merges daemon.json's log-driver and log-opts. */
class LogDefaultsTest {
    private static final LogDefaults DEFAULTS = LogDefaults.of("json-file", Optional.of("max-size=10m,max-file=3"));

    record Case(String description, String requested, Map<String, String> own, String driver, Map<String, String> options) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("no driver named: the default driver with its options", null, Map.of(), "json-file",
                        Map.of("max-size", "10m", "max-file", "3")),
                new Case("an empty driver is no driver", "", Map.of(), "json-file", Map.of("max-size", "10m", "max-file", "3")),
                new Case("the container's own option wins, the others are added", "json-file", Map.of("max-size", "1m"),
                        "json-file", Map.of("max-size", "1m", "max-file", "3")),
                new Case("another driver gets none of the defaults' options", "none", Map.of(), "none", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void mergesAsDockerd(Case c) {
        assertThat(DEFAULTS.driverFor(c.requested())).isEqualTo(c.driver());
        assertThat(DEFAULTS.optionsFor(c.requested(), c.own())).isEqualTo(c.options());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void dockersOwnDefaultsChangeNothing(Case c) {
        assertThat(LogDefaults.DOCKER.optionsFor(c.requested(), c.own())).isEqualTo(c.own());
    }
}
