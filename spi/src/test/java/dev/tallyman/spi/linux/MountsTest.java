package dev.tallyman.spi.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.storage.MountSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MountsTest {
    @TempDir
    Path temp;

    record Case(String description, List<String> words, long flags, long propagation, String data) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> options() {
        return Stream.of(
                new Case("overlay data passes through", List.of("lowerdir=/a:/b", "upperdir=/u", "workdir=/w"),
                        0, 0, "lowerdir=/a:/b,upperdir=/u,workdir=/w"),
                new Case("read-only bind", List.of("bind", "ro"), MountOptions.MS_BIND | MountOptions.MS_RDONLY, 0, ""),
                new Case("rw after ro clears it", List.of("ro", "rw"), 0, 0, ""),
                new Case("rbind with rprivate", List.of("rbind", "rprivate"),
                        MountOptions.MS_BIND | MountOptions.MS_REC, MountOptions.MS_PRIVATE | MountOptions.MS_REC, ""),
                new Case("tmpfs flags and data", List.of("nosuid", "nodev", "mode=755", "size=65536k"),
                        MountOptions.MS_NOSUID | MountOptions.MS_NODEV, 0, "mode=755,size=65536k"));
    }

    @ParameterizedTest
    @MethodSource("options")
    void splitsOptionWordsIntoFlagsAndData(Case c) {
        MountOptions parsed = MountOptions.parse(c.words());

        assertThat(parsed.flags()).isEqualTo(c.flags());
        assertThat(parsed.propagation()).isEqualTo(c.propagation());
        assertThat(parsed.data()).isEqualTo(c.data());
    }

    @Test
    void mountinfoEscapesAreDecoded() {
        assertThat(Mounts.unescape("/mnt/with\\040space")).isEqualTo("/mnt/with space");
        assertThat(Mounts.unescape("/plain")).isEqualTo("/plain");
    }

    @Test
    void readOnlyBindMountIsReadOnlyAndUnmountIsIdempotent() throws IOException {
        Path source = Files.createDirectory(temp.resolve("source"));
        Files.writeString(source.resolve("f"), "x");
        Path target = Files.createDirectory(temp.resolve("target"));
        try {
            Mounts.mount(List.of(new MountSpec("bind", source.toString(), List.of("bind", "ro"))), target);

            assertThat(Mounts.isMountPoint(target)).isTrue();
            assertThat(target.resolve("f")).hasContent("x");
            assertThatThrownBy(() -> Files.writeString(target.resolve("g"), "y")).hasMessageContaining("Read-only");
        } finally {
            Mounts.unmount(target);
        }
        assertThat(Mounts.isMountPoint(target)).isFalse();
        Mounts.unmount(target);
        Mounts.unmount(temp.resolve("never-existed"));
    }

    @Test
    void failedMountNamesTypeTargetAndErrno() throws IOException {
        Path target = Files.createDirectory(temp.resolve("target"));

        assertThatThrownBy(() -> Mounts.mount(List.of(new MountSpec("nosuchfs", "none", List.of())), target))
                .isInstanceOf(ErrnoException.class)
                .hasMessage("mount nosuchfs at " + target + ": ENODEV (No such device)");
        assertThat(Mounts.isMountPoint(target)).isFalse();
    }

    @Test
    void aFailureUndoesTheMountsAlreadyMade() throws IOException {
        Path target = Files.createDirectory(temp.resolve("target"));
        List<MountSpec> specs = List.of(new MountSpec("tmpfs", "tmpfs", List.of("size=1m")),
                new MountSpec("nosuchfs", "none", List.of()));

        assertThatThrownBy(() -> Mounts.mount(specs, target)).isInstanceOf(ErrnoException.class);
        assertThat(Mounts.isMountPoint(target)).isFalse();
    }

    @Test
    void stackedMountsAreAllTakenOff() throws IOException {
        Path target = Files.createDirectory(temp.resolve("target"));
        try {
            Mounts.mount(new MountSpec("tmpfs", "tmpfs", List.of("size=1m")), target);
            Mounts.mount(new MountSpec("tmpfs", "tmpfs", List.of("size=1m")), target);
        } finally {
            Mounts.unmount(target);
        }
        assertThat(Mounts.isMountPoint(target)).isFalse();
    }
}
