package dev.tallyman.runtime.attach;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DetachFilterTest {
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void inputWithoutTheSequencePassesUnchanged() {
        DetachFilter filter = new DetachFilter(DetachKeys.DEFAULT);
        DetachFilter.Filtered result = filter.filter(bytes("ls -l\n"));
        assertThat(text(result.bytes())).isEqualTo("ls -l\n");
        assertThat(result.detached()).isFalse();
    }

    @Test
    void theSequenceDetachesAndIsNotForwarded() {
        DetachFilter filter = new DetachFilter(DetachKeys.DEFAULT);
        DetachFilter.Filtered result = filter.filter(bytes("echo\n\u0010\u0011after"));
        assertThat(result.detached()).isTrue();
        assertThat(text(result.bytes())).isEqualTo("echo\n");
    }

    @Test
    void keysTypedOneByOneDetach() {
        DetachFilter filter = new DetachFilter(DetachKeys.DEFAULT);
        DetachFilter.Filtered first = filter.filter(bytes("\u0010"));
        assertThat(first.detached()).isFalse();
        assertThat(first.bytes()).isEmpty();
        DetachFilter.Filtered second = filter.filter(bytes("\u0011"));
        assertThat(second.detached()).isTrue();
        assertThat(second.bytes()).isEmpty();
    }

    @Test
    void aHeldKeyIsReleasedWhenTheNextOneDoesNotMatch() {
        DetachFilter filter = new DetachFilter(DetachKeys.DEFAULT);
        assertThat(filter.filter(bytes("\u0010")).bytes()).isEmpty();
        DetachFilter.Filtered result = filter.filter(bytes("x"));
        assertThat(result.detached()).isFalse();
        assertThat(text(result.bytes())).isEqualTo("\u0010x");
    }

    @Test
    void aRepeatedFirstKeyStillMatches() {
        DetachFilter filter = new DetachFilter(DetachKeys.DEFAULT);
        DetachFilter.Filtered result = filter.filter(bytes("\u0010\u0010\u0011"));
        assertThat(result.detached()).isTrue();
        assertThat(text(result.bytes())).isEqualTo("\u0010");
    }

    @Test
    void aOneKeySequenceDetachesAtOnce() {
        DetachFilter filter = new DetachFilter(DetachKeys.parse("ctrl-a"));
        DetachFilter.Filtered result = filter.filter(bytes("ab\u0001c"));
        assertThat(result.detached()).isTrue();
        assertThat(text(result.bytes())).isEqualTo("ab");
    }

    @Test
    void flushReturnsTheHeldKeysAtTheEndOfInput() {
        DetachFilter filter = new DetachFilter(DetachKeys.parse("a,b,c"));
        assertThat(text(filter.filter(bytes("xab")).bytes())).isEqualTo("x");
        assertThat(text(filter.flush())).isEqualTo("ab");
        assertThat(filter.flush()).isEmpty();
    }

    @Test
    void offsetAndLengthAreHonoured() {
        DetachFilter filter = new DetachFilter(DetachKeys.DEFAULT);
        DetachFilter.Filtered result = filter.filter(bytes("--abc--"), 2, 3);
        assertThat(text(result.bytes())).isEqualTo("abc");
    }
}
