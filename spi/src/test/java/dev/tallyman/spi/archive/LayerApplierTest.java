package dev.tallyman.spi.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.linux.FileStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerApplierTest {
    @TempDir
    Path temp;
    Path layer;
    /** A folder beside the layer that hostile tars aim at. */
    Path outside;
    final List<String> calls = new ArrayList<>();
    final Whiteouts recording = new Whiteouts() {
        @Override
        public void whiteout(Path path) {
            calls.add("whiteout " + layer.relativize(path));
        }

        @Override
        public void opaque(Path dir, Predicate<Path> writtenByLayer) {
            calls.add("opaque " + layer.relativize(dir) + " keeps a=" + writtenByLayer.test(dir.resolve("a"))
                    + " b=" + writtenByLayer.test(dir.resolve("b")));
        }
    };

    @BeforeEach
    void folders() throws IOException {
        layer = Files.createDirectory(temp.resolve("layer"));
        outside = Files.createDirectory(temp.resolve("outside"));
    }

    AppliedLayer apply(byte[] tar) throws IOException {
        return LayerApplier.apply(new ByteArrayInputStream(tar), layer, recording);
    }

    @Test
    void keepsModesOwnersTimesLinksAndDevices() throws IOException {
        byte[] tar = new Tars()
                .dir("bin", 0755)
                .file("bin/su", "#!", 04755, 0, 0, 1_500_000_000_000L)
                .file("home/user/notes", "hello", 0600, 1000, 1001, 1_600_000_000_000L)
                .symlink("bin/sh", "/bin/busybox")
                .hardlink("bin/su2", "bin/su")
                .device("dev/null", TarConstants.LF_CHR, 1, 3)
                .device("run/fifo", TarConstants.LF_FIFO, 0, 0)
                .bytes();

        AppliedLayer applied = apply(tar);

        FileStat su = FileStat.of(layer.resolve("bin/su"));
        assertThat(su.permissions()).isEqualTo(04755);
        assertThat(su.nlink()).isEqualTo(2);
        assertThat(su.mtime().toMillis()).isEqualTo(1_500_000_000_000L);
        FileStat notes = FileStat.of(layer.resolve("home/user/notes"));
        assertThat(notes.uid()).isEqualTo(1000);
        assertThat(notes.gid()).isEqualTo(1001);
        assertThat(notes.permissions()).isEqualTo(0600);
        assertThat(Files.readSymbolicLink(layer.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        FileStat nul = FileStat.of(layer.resolve("dev/null"));
        assertThat(nul.isCharacterDevice()).isTrue();
        assertThat(nul.major()).isEqualTo(1);
        assertThat(nul.minor()).isEqualTo(3);
        assertThat(FileStat.of(layer.resolve("run/fifo")).isFifo()).isTrue();
        assertThat(applied.sizeBytes()).isEqualTo(2 + 5);
    }

    @Test
    void diffIdIsTheSha256OfEveryByte() throws Exception {
        byte[] tar = new Tars().file("a", "x").bytes();
        byte[] padded = Arrays.copyOf(tar, tar.length + 4096); // trailing zeros some writers add

        AppliedLayer applied = apply(padded);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(padded));
        assertThat(applied.diffId()).isEqualTo("sha256:" + expected);
    }

    @Test
    void dotDotEntryFailsTheLayerAndWritesNothingOutside() {
        byte[] tar = new Tars().file("../outside/escaped", "x").bytes();

        assertThatThrownBy(() -> apply(tar)).isInstanceOf(InvalidLayerException.class).hasMessageContaining("outside");
        assertThat(outside.resolve("escaped")).doesNotExist();
    }

    @Test
    void absoluteNameLandsInsideTheLayer() throws IOException {
        apply(new Tars().file("/etc/hostname", "box").bytes());

        assertThat(layer.resolve("etc/hostname")).hasContent("box");
    }

    @Test
    void fileThroughSymlinkFromTheSameTarIsRefused() {
        byte[] tar = new Tars().symlink("evil", outside.toString()).file("evil/planted", "x").bytes();

        assertThatThrownBy(() -> apply(tar)).isInstanceOf(InvalidLayerException.class).hasMessageContaining("symlink");
        assertThat(outside.resolve("planted")).doesNotExist();
    }

    @Test
    void fileThroughSymlinkOfALowerLayerIsRefused() throws IOException {
        Files.createSymbolicLink(layer.resolve("lib"), outside);

        assertThatThrownBy(() -> apply(new Tars().file("lib/x.so", "x").bytes())).isInstanceOf(InvalidLayerException.class);
        assertThat(outside.resolve("x.so")).doesNotExist();
    }

    @Test
    void fileReplacesASymlinkInsteadOfWritingThroughIt() throws IOException {
        Path victim = Files.writeString(outside.resolve("victim"), "safe");
        Files.createSymbolicLink(layer.resolve("f"), victim);

        apply(new Tars().file("f", "layer").bytes());

        assertThat(victim).hasContent("safe");
        assertThat(Files.isSymbolicLink(layer.resolve("f"))).isFalse();
        assertThat(layer.resolve("f")).hasContent("layer");
    }

    @Test
    void hardLinkToHostPasswdIsRefused() throws IOException {
        long linksBefore = FileStat.of(Path.of("/etc/passwd")).nlink();

        assertThatThrownBy(() -> apply(new Tars().hardlink("passwd", "/etc/passwd").bytes()))
                .isInstanceOf(InvalidLayerException.class);
        assertThatThrownBy(() -> apply(new Tars().hardlink("passwd", "../../../../etc/passwd").bytes()))
                .isInstanceOf(InvalidLayerException.class);
        assertThat(FileStat.of(Path.of("/etc/passwd")).nlink()).isEqualTo(linksBefore);
        assertThat(layer.resolve("passwd")).doesNotExist();
    }

    @Test
    void hardLinkThroughSymlinkIsRefused() throws IOException {
        Files.writeString(outside.resolve("secret"), "s");
        byte[] tar = new Tars().symlink("out", outside.toString()).hardlink("copy", "out/secret").bytes();

        assertThatThrownBy(() -> apply(tar)).isInstanceOf(InvalidLayerException.class);
        assertThat(FileStat.of(outside.resolve("secret")).nlink()).isEqualTo(1);
    }

    @Test
    void whiteoutsGoToTheDriversStrategy() throws IOException {
        byte[] tar = new Tars()
                .dir("etc", 0755)
                .file("etc/.wh.motd", "")
                .dir("var", 0755)
                .file("var/a", "kept")
                .file("var/.wh..wh..opq", "")
                .file("var/.wh..wh.plnk", "")
                .bytes();

        apply(tar);

        assertThat(calls).containsExactly("whiteout etc/motd", "opaque var keeps a=true b=false");
        assertThat(layer.resolve("etc/.wh.motd")).doesNotExist();
    }

    @Test
    void truncatedTarIsInvalid() {
        byte[] tar = new Tars().file("big", "x".repeat(10_000)).bytes();
        byte[] truncated = Arrays.copyOf(tar, 4096);

        assertThatThrownBy(() -> apply(truncated)).isInstanceOf(InvalidLayerException.class);
    }

    @Test
    void directoryTimesSurviveTheirChildren() throws IOException {
        byte[] tar = new Tars().dir("d", 0700).file("d/x", "1").bytes();
        apply(tar);

        assertThat(Files.getLastModifiedTime(layer.resolve("d"), LinkOption.NOFOLLOW_LINKS).toMillis())
                .isEqualTo(Tars.DIRECTORY_TIME);
        assertThat(FileStat.of(layer.resolve("d")).permissions()).isEqualTo(0700);
    }
}
