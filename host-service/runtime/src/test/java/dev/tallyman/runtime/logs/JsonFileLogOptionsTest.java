package dev.tallyman.runtime.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonFileLogOptionsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"10m,10000000", "1k,1000", "1kb,1000", "1KiB,1000", "1.5k,1500", "100,100", "2 MB,2000000",
            "1g,1000000000"})
    void sizesAreDecimalAsDockersMaxSize(String text, long bytes) {
        assertThat(JsonFileLogOptions.parse(Map.of("max-size", text), Map.of(), List.of()).maxSize()).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "max-size|ten|invalid size: 'ten'",
            "max-size|0|max-size must be a positive number",
            "max-file|0|max-file cannot be less than 1",
            "max-file|x|strconv.Atoi: parsing \"x\": invalid syntax",
            "mode|fast|unknown log opt 'mode' for json-file log driver"})
    void refusesWithDockersMessage(String key, String value, String message) {
        assertThatThrownBy(() -> JsonFileLogOptions.parse(Map.of(key, value), Map.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void attrsComeFromNamedLabelsAndEnv() {
        JsonFileLogOptions options = JsonFileLogOptions.parse(
                Map.of("labels", "app,missing", "env", "STAGE", "env-regex", "^REG", "max-file", "3", "max-size", "1k"),
                Map.of("app", "web", "other", "x"), List.of("STAGE=prod", "REGION=eu", "SECRET=s"));
        assertThat(options.attrs()).isEqualTo(Map.of("app", "web", "STAGE", "prod", "REGION", "eu"));
        assertThat(options.maxFile()).isEqualTo(3);
        assertThat(JsonFileLogOptions.defaults()).isEqualTo(new JsonFileLogOptions(-1, 1, Map.of()));
    }
}
