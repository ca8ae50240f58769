package dev.tallyman.runtime.exec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecSpecTest {
    @Test
    void blanksMeanTheContainersOwn() {
        ExecSpec spec = new ExecSpec(List.of("ls"), List.of(), null, null, false, false, false);
        assertThat(spec.user()).isEmpty();
        assertThat(spec.workingDir()).isEmpty();
    }

    @Test
    void invalidSpecsAreRefused() {
        assertThatThrownBy(() -> new ExecSpec(List.of(), List.of(), "", "", false, false, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExecSpec(List.of("ls"), List.of(), "", "tmp", false, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> new ExecSpec(List.of("cat"), List.of(), "", "", false, true, true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
