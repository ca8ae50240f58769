package dev.tallyman.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuncLogTest {
    @Test
    void runcsLastErrorIsPicked() {
        String log = """
                {"level":"warning","msg":"something","time":"t"}
                {"level":"error","msg":"exec failed: first","time":"t"}
                {"level":"error","msg":"exec failed: last","time":"t"}
                {"level":"err""";
        assertThat(RuncLog.lastError(log)).hasValue("exec failed: last");
        assertThat(RuncLog.lastError("")).isEmpty();
    }
}
