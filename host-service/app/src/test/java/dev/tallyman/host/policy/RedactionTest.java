package dev.tallyman.host.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void secretNamesKeepTheirNameAndLoseTheirValue() {
        assertEquals(List.of("DB_PASSWORD=<redacted>", "PATH=/bin", "api_key=<redacted>", "GITHUB_TOKEN=<redacted>", "EMPTY"),
                Redaction.DEFAULT.env(List.of("DB_PASSWORD=hunter2", "PATH=/bin", "api_key=k", "GITHUB_TOKEN=t", "EMPTY")));
    }

    @Test
    void loginBodiesAndCreateBodiesLoseTheirSecrets() throws Exception {
        assertEquals("{\"username\":\"u\",\"password\":\"<redacted>\",\"serveraddress\":\"r\"}",
                Redaction.DEFAULT.body(json.readTree("{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"r\"}")).toString());
        assertEquals("{\"Image\":\"b\",\"Env\":[\"A=1\",\"MY_SECRET=<redacted>\"],\"HostConfig\":{\"Privileged\":true}}",
                Redaction.DEFAULT.body(json.readTree("{\"Image\":\"b\",\"Env\":[\"A=1\",\"MY_SECRET=s\"],\"HostConfig\":{\"Privileged\":true}}")).toString());
    }

    @Test
    void configuredPatternsReplaceTheDefault() {
        assertEquals(List.of("DB_PASSWORD=hunter2", "PIN=<redacted>"),
                new Redaction(List.of("PIN")).env(List.of("DB_PASSWORD=hunter2", "PIN=1234")));
    }
}
