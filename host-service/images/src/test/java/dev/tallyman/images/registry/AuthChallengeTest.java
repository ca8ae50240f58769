package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AuthChallengeTest {

    record Case(String description, String header, List<AuthChallenge> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("basic realm of distribution's htpasswd", "Basic realm=\"basic-realm\"",
                        List.of(new AuthChallenge("basic", Map.of("realm", "basic-realm")))),
                new Case("bearer with realm, service and scope",
                        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "https://auth.docker.io/token",
                                "service", "registry.docker.io", "scope", "repository:library/busybox:pull")))),
                new Case("refused token carries an RFC 6750 error",
                        "Bearer realm=\"http://127.0.0.1:1/token\",service=\"s\",scope=\"repository:a:pull\",error=\"insufficient_scope\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "http://127.0.0.1:1/token", "service", "s",
                                "scope", "repository:a:pull", "error", "insufficient_scope")))),
                new Case("scheme in any case, spaces after commas, escaped quote",
                        "BEARER realm=\"r\", service=\"a \\\"b\\\"\"",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "r", "service", "a \"b\"")))),
                new Case("two challenges in one header", "Basic realm=\"x\", Bearer realm=\"y\",service=\"z\"",
                        List.of(new AuthChallenge("basic", Map.of("realm", "x")),
                                new AuthChallenge("bearer", Map.of("realm", "y", "service", "z")))),
                new Case("unquoted values", "Bearer realm=http://127.0.0.1:5001/token,service=reg",
                        List.of(new AuthChallenge("bearer", Map.of("realm", "http://127.0.0.1:5001/token", "service", "reg")))),
                new Case("scheme without parameters", "Negotiate",
                        List.of(new AuthChallenge("negotiate", Map.of()))),
                new Case("empty header", "", List.of()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void parsesChallenges(Case c) {
        assertThat(AuthChallenge.parse(c.header())).isEqualTo(c.expected());
    }
}
