package dev.tallyman.spi.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PosixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path temp;

    @Test
    void copyKeepsEverythingADockerLayerHolds() throws IOException {
        Path from = Files.createDirectories(temp.resolve("from/usr/bin"));
        Path su = Files.writeString(from.resolve("su"), "binary");
        PosixFiles.lchown(su, 0, 42);
        PosixFiles.chmod(su, 04755);
        Files.createLink(from.resolve("su-link"), su);
        Files.createSymbolicLink(from.resolve("sh"), Path.of("busybox"));
        PosixFiles.mknod(from.resolve("fifo"), FileStat.S_IFIFO, 0600, 0, 0);
        PosixFiles.chmod(from, 02775);
        PosixFiles.setTimes(from, FileTime.fromMillis(1_000_000_000L));
        Path to = temp.resolve("to");

        FileTrees.copy(temp.resolve("from"), to);

        Path copied = to.resolve("usr/bin");
        assertThat(copied.resolve("su")).hasContent("binary");
        FileStat suStat = FileStat.of(copied.resolve("su"));
        assertThat(suStat.permissions()).isEqualTo(04755);
        assertThat(suStat.gid()).isEqualTo(42);
        assertThat(suStat.nlink()).isEqualTo(2);
        assertThat(suStat.ino()).isEqualTo(FileStat.of(copied.resolve("su-link")).ino());
        assertThat(Files.readSymbolicLink(copied.resolve("sh"))).isEqualTo(Path.of("busybox"));
        assertThat(FileStat.of(copied.resolve("fifo")).isFifo()).isTrue();
        FileStat dir = FileStat.of(copied);
        assertThat(dir.permissions()).isEqualTo(02775);
        assertThat(dir.mtime().toMillis()).isEqualTo(1_000_000_000L);
        assertThat(FileTrees.regularFileBytes(to)).isEqualTo(6);
    }

    @Test
    void deleteDoesNotFollowSymlinks() throws IOException {
        Path keep = Files.writeString(Files.createDirectory(temp.resolve("keep")).resolve("file"), "x");
        Path tree = Files.createDirectories(temp.resolve("tree/sub"));
        Files.createSymbolicLink(tree.resolve("link"), keep.getParent());

        FileTrees.delete(temp.resolve("tree"));
        FileTrees.delete(temp.resolve("tree"));

        assertThat(temp.resolve("tree")).doesNotExist();
        assertThat(keep).hasContent("x");
    }
}
