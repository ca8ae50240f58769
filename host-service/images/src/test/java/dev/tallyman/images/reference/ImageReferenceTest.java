package dev.tallyman.images.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImageReferenceTest {
    private static final String HEX = "7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa";

    record Valid(String typed, String canonical, String familiar, String domain, String path) {
        @Override
        public String toString() {
            return typed;
        }
    }

    static Stream<Valid> valid() {
        return Stream.of(
                new Valid("busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
                new Valid("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io", "library/busybox"),
                new Valid("user/app", "docker.io/user/app:latest", "user/app:latest", "docker.io", "user/app"),
                new Valid("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
                new Valid("docker.io/library/busybox:x", "docker.io/library/busybox:x", "busybox:x", "docker.io", "library/busybox"),
                new Valid("index.docker.io/user/app:v2", "docker.io/user/app:v2", "user/app:v2", "docker.io", "user/app"),
                new Valid("library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest", "docker.io", "library/a/b"),
                new Valid("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000", "app"),
                new Valid("localhost/app", "localhost/app:latest", "localhost/app:latest", "localhost", "app"),
                new Valid("127.0.0.1:5000/x/y", "127.0.0.1:5000/x/y:latest", "127.0.0.1:5000/x/y:latest", "127.0.0.1:5000", "x/y"),
                new Valid("[::1]:5000/app:v1", "[::1]:5000/app:v1", "[::1]:5000/app:v1", "[::1]:5000", "app"),
                new Valid("Registry.Example.com/app", "Registry.Example.com/app:latest", "Registry.Example.com/app:latest",
                        "Registry.Example.com", "app"),
                new Valid("a__b/c-d---e.f_g:T_a.g-1", "docker.io/a__b/c-d---e.f_g:T_a.g-1", "a__b/c-d---e.f_g:T_a.g-1",
                        "docker.io", "a__b/c-d---e.f_g"),
                new Valid("busybox@sha256:" + HEX, "docker.io/library/busybox@sha256:" + HEX, "busybox@sha256:" + HEX,
                        "docker.io", "library/busybox"),
                new Valid("busybox:1@sha256:" + HEX, "docker.io/library/busybox:1@sha256:" + HEX,
                        "busybox:1@sha256:" + HEX, "docker.io", "library/busybox"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesAndNormalizesLikeDocker(Valid c) {
        ImageReference ref = ImageReference.parse(c.typed());

        assertThat(ref.toString()).isEqualTo(c.canonical());
        assertThat(ref.familiar()).isEqualTo(c.familiar());
        assertThat(ref.domain()).isEqualTo(c.domain());
        assertThat(ref.path()).isEqualTo(c.path());
        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
    }

    record Invalid(String typed, String message) {
        @Override
        public String toString() {
            return typed.isEmpty() ? "(empty)" : typed;
        }
    }

    static Stream<Invalid> invalid() {
        return Stream.of(
                new Invalid("", "invalid reference format"),
                new Invalid("Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase"),
                new Invalid("Busybox:Latest", "invalid reference format: repository name (library/Busybox) must be lowercase"),
                new Invalid("user/App:v1", "invalid reference format: repository name (user/App) must be lowercase"),
                new Invalid("example.com/Foo", "invalid reference format: repository name (Foo) must be lowercase"),
                new Invalid("busybox:", "invalid reference format"),
                new Invalid(":tag", "invalid reference format"),
                new Invalid("busybox:-bad", "invalid reference format"),
                new Invalid("busybox:" + "t".repeat(129), "invalid reference format"),
                new Invalid("a/b/", "invalid reference format"),
                new Invalid("a-/b", "invalid reference format"),
                new Invalid("a//b", "invalid reference format"),
                new Invalid("busy box", "invalid reference format"),
                new Invalid("a/" + "b".repeat(254), "repository name must not be more than 255 characters"),
                new Invalid(HEX, "invalid repository name (" + HEX + "), cannot specify 64-byte hexadecimal strings"),
                new Invalid("busybox@sha256:abc", "invalid reference format"),
                new Invalid("busybox@sha256:" + HEX.substring(0, 40), "invalid checksum digest length"),
                new Invalid("busybox@md5:" + HEX.substring(0, 32), "unsupported digest algorithm"),
                new Invalid("busybox@sha256:" + HEX.toUpperCase(), "invalid checksum digest format"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusesWithDockersWords(Invalid c) {
        assertThatThrownBy(() -> ImageReference.parse(c.typed()))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessage(c.message());
    }

    @Test
    void withoutDefaultTagLeavesTheTagEmpty() {
        ImageReference ref = ImageReference.parseWithoutDefaultTag("busybox");

        assertThat(ref.tag()).isEmpty();
        assertThat(ref.familiar()).isEqualTo("busybox");
        assertThat(ref.withTag("v1").familiar()).isEqualTo("busybox:v1");
    }

    @Test
    void familiarNameDropsOnlyTheDefaultRegistryAndLibrary() {
        assertThat(ImageReference.parse("busybox").familiarName()).isEqualTo("busybox");
        assertThat(ImageReference.parse("quay.io/library/busybox").familiarName()).isEqualTo("quay.io/library/busybox");
        assertThat(ImageReference.parse("user/app").name()).isEqualTo("docker.io/user/app");
    }
}
