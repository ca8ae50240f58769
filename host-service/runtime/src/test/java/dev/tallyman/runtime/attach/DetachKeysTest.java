package dev.tallyman.runtime.attach;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetachKeysTest {
    @Test
    void dockersDefaultIsCtrlPCtrlQ() {
        assertThat(DetachKeys.parse(null)).isEqualTo(DetachKeys.DEFAULT);
        assertThat(DetachKeys.parse("")).isEqualTo(DetachKeys.DEFAULT);
        assertThat(DetachKeys.parse("ctrl-p,ctrl-q")).isEqualTo(DetachKeys.DEFAULT);
        assertThat(DetachKeys.DEFAULT.keys()).containsExactly((byte) 0x10, (byte) 0x11);
    }

    @Test
    void singleCharactersControlKeysAndDel() {
        assertThat(DetachKeys.parse("a,b").keys()).containsExactly((byte) 'a', (byte) 'b');
        assertThat(DetachKeys.parse("ctrl-a").keys()).containsExactly((byte) 1);
        assertThat(DetachKeys.parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_").keys())
                .containsExactly((byte) 0, (byte) 27, (byte) 28, (byte) 29, (byte) 30, (byte) 31);
        assertThat(DetachKeys.parse("ctrl-z,DEL").keys()).containsExactly((byte) 26, (byte) 127);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ctrl-", "ctrl-1", "ctrl-A", "ab", "del", "a,,b"})
    void anythingElseIsAnUnknownCharacter(String text) {
        String bad = List.of(text.split(",", -1)).stream().filter(k -> k.length() != 1 && !k.equals("DEL")
                && !k.matches("ctrl-[@a-z\\[\\\\\\]^_]")).findFirst().orElseThrow();
        assertThatThrownBy(() -> DetachKeys.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown character: '" + bad + "'");
    }
}
