package dev.tallyman.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestFactsTest {
    record Case(String description, String body, RequestFacts expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("plain create", "{\"Image\":\"busybox\",\"HostConfig\":{}}", RequestFacts.NONE),
                new Case("--privileged", "{\"HostConfig\":{\"Privileged\":true}}", new RequestFacts(true, false, false)),
                new Case("exec --privileged", "{\"Cmd\":[\"sh\"],\"Privileged\":true}", new RequestFacts(true, false, false)),
                new Case("-v /etc:/x", "{\"HostConfig\":{\"Binds\":[\"/etc:/x:ro\"]}}", new RequestFacts(false, true, false)),
                new Case("-v named:/x is a volume", "{\"HostConfig\":{\"Binds\":[\"data:/x\"]}}", RequestFacts.NONE),
                new Case("--mount type=bind", "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/h\"}]}}",
                        new RequestFacts(false, true, false)),
                new Case("--mount type=volume", "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Target\":\"/v\"}]}}",
                        RequestFacts.NONE),
                new Case("--network host", "{\"HostConfig\":{\"NetworkMode\":\"host\"}}", new RequestFacts(false, false, true)),
                new Case("not an object", "[1]", RequestFacts.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsWhatACreateAsksFor(Case c) throws Exception {
        assertEquals(c.expected(), RequestFacts.of(new ObjectMapper().readTree(c.body())));
    }
}
