package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.host.commands.EngineException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ApiVersionTest {

    record Served(String description, String version, String refusal) {
    }

    static Stream<Served> versions() {
        return Stream.of(
                new Served("the CLI's own version", "1.50", null),
                new Served("docker-py's pinned version", "1.41", null),
                new Served("Testcontainers' fallback", "1.32", null),
                new Served("the oldest served", "1.24", null),
                new Served("one past the newest", "1.51", "client version 1.51 is too new. Maximum supported API version is 1.50"),
                new Served("too old", "1.12", "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"),
                new Served("not a version", "abc", "invalid API version: abc"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void servesExactlyTheAnnouncedRange(Served c) {
        if (c.refusal() == null) {
            assertThat(ApiVersion.parse(c.version()).checkServed().toString()).isEqualTo(c.version());
        } else {
            assertThatThrownBy(() -> ApiVersion.parse(c.version()).checkServed())
                    .isInstanceOf(EngineException.class).hasMessage(c.refusal());
        }
    }

    record Route(String template, String path, boolean matches) {
    }

    static Stream<Route> routes() {
        return Stream.of(
                new Route("/containers/:name/json", "/containers/web/json", true),
                new Route("/containers/:name/json", "/v1.50/containers/web/json", true),
                new Route("/containers/:name/json", "/v1.50/containers/a/b/json", false),
                new Route("/images/:name*/json", "/v1.41/images/localhost:5000/team/app:v1/json", true),
                new Route("/_ping", "/_ping/", true),
                new Route("/_ping", "/v1/_ping", false));
    }

    @ParameterizedTest(name = "{0} ~ {1}")
    @MethodSource("routes")
    void routesMatchBareAndVersionedPaths(Route c) {
        assertThat(c.path().matches(ApiRouter.regexOf(c.template()))).isEqualTo(c.matches());
    }

    record Human(Duration duration, String text) {
    }

    static Stream<Human> durations() {
        return Stream.of(
                new Human(Duration.ofMillis(300), "Less than a second"),
                new Human(Duration.ofSeconds(1), "1 second"),
                new Human(Duration.ofSeconds(45), "45 seconds"),
                new Human(Duration.ofSeconds(90), "About a minute"),
                new Human(Duration.ofMinutes(12), "12 minutes"),
                new Human(Duration.ofMinutes(70), "About an hour"),
                new Human(Duration.ofHours(30), "30 hours"),
                new Human(Duration.ofDays(3), "3 days"),
                new Human(Duration.ofDays(20), "2 weeks"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("durations")
    void psDurationsReadAsDockersDo(Human c) {
        assertThat(DockerTime.human(c.duration())).isEqualTo(c.text());
    }
}
