package dev.tallyman.images.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {
    private static final String EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void hashesBytesAsSha256Hex() {
        assertThat(Digest.sha256(new byte[0]).toString()).isEqualTo("sha256:" + EMPTY_SHA);
        assertThat(Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII)).hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void parsesWhatItPrints() {
        Digest d = Digest.parse("sha256:" + EMPTY_SHA);

        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.hex()).isEqualTo(EMPTY_SHA);
        assertThat(d.shortHex()).isEqualTo("e3b0c44298fc");
        assertThat(Digest.parse(d.toString())).isEqualTo(d);
    }

    record Bad(String text, String message) {
        @Override
        public String toString() {
            return text;
        }
    }

    static Stream<Bad> bad() {
        return Stream.of(
                new Bad(EMPTY_SHA, "invalid checksum digest format"),
                new Bad("sha256:", "invalid checksum digest format"),
                new Bad(":" + EMPTY_SHA, "invalid checksum digest format"),
                new Bad("sha256:abc", "invalid checksum digest length"),
                new Bad("sha256:" + EMPTY_SHA + "0", "invalid checksum digest length"),
                new Bad("sha256:" + EMPTY_SHA.toUpperCase(), "invalid checksum digest format"),
                new Bad("sha256:" + EMPTY_SHA.replace('e', 'g'), "invalid checksum digest format"),
                new Bad("sha512:" + EMPTY_SHA, "unsupported digest algorithm"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void refusesMalformedDigestsWithGoDigestWords(Bad c) {
        assertThatThrownBy(() -> Digest.parse(c.text())).isInstanceOf(ImageException.class).hasMessage(c.message());
        assertThat(Digest.isValid(c.text())).isFalse();
    }
}
