package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.host.commands.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonErrorsTest {
    private final ObjectMapper json = new ObjectMapper();

    record Body(List<String> cmd, String image) {
    }

    private String described(String text, Class<?> type) {
        try {
            json.readValue(text, type);
        } catch (JsonProcessingException e) {
            return JsonErrors.describe(e);
        }
        throw new AssertionError("no failure for " + text);
    }

    @Test
    void notJsonReadsAsGoSays() {
        assertThat(described("x", Body.class)).isEqualTo("invalid character 'x' looking for beginning of value");
        assertThat(described("{\"cmd\":", Body.class)).isEqualTo("unexpected EOF");
    }

    @Test
    void aWrongTypeNamesTheField() {
        assertThat(described("{\"cmd\":{}}", Body.class))
                .isEqualTo("json: cannot unmarshal object into Go struct field .cmd of type []string");
    }

    @Test
    void nullsInArraysAndANullBodyAreRefused() throws Exception {
        assertThatThrownBy(() -> JsonErrors.checkNoNulls(json.readTree("{\"Env\":[null]}")))
                .isInstanceOf(EngineException.class).hasMessageContaining(".Env");
        assertThatThrownBy(() -> JsonErrors.checkNoNulls(json.readTree("null"))).isInstanceOf(EngineException.class);
        JsonErrors.checkNoNulls(json.readTree("{\"Env\":null,\"Cmd\":[\"a\"]}"));
    }
}
