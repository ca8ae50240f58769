package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RegistryErrorTest {

    record Case(String description, int status, String challenge, String body, String text,
                RegistryException.Reason reason) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("unknown tag", 404, "",
                        "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{\"Tag\":\"v9\"}}]}",
                        "manifest unknown: manifest unknown", RegistryException.Reason.NOT_FOUND),
                new Case("unknown repository", 404, "",
                        "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}",
                        "name unknown: repository name not known to registry", RegistryException.Reason.NOT_FOUND),
                new Case("htpasswd refusal", 401, "Basic realm=\"basic-realm\"",
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\",\"detail\":null}]}",
                        "unauthorized: authentication required", RegistryException.Reason.UNAUTHORIZED),
                new Case("token without the scope", 401,
                        "Bearer realm=\"r\",service=\"s\",scope=\"repository:a:pull\",error=\"insufficient_scope\"",
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}",
                        "denied: requested access to the resource is denied", RegistryException.Reason.DENIED),
                new Case("token service refusal", 401, "", "{\"details\":\"incorrect username or password\"}",
                        "unauthorized: incorrect username or password", RegistryException.Reason.UNAUTHORIZED),
                new Case("401 without a body", 401, "", "", "unauthorized: authentication required",
                        RegistryException.Reason.UNAUTHORIZED),
                new Case("server error without a body", 503, "", "",
                        "received unexpected HTTP status: 503 Service Unavailable", RegistryException.Reason.UNREACHABLE),
                new Case("blob HEAD 404 has no body", 404, "", "", "received unexpected HTTP status: 404 Not Found",
                        RegistryException.Reason.NOT_FOUND));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void readsLikeDocker(Case c) {
        List<AuthChallenge> challenges = c.challenge().isEmpty() ? List.of() : AuthChallenge.parse(c.challenge());
        RegistryError error = RegistryError.of(c.status(), challenges, c.body().getBytes(StandardCharsets.UTF_8));
        assertThat(error.text()).isEqualTo(c.text());
        assertThat(error.reason()).isEqualTo(c.reason());
    }
}
