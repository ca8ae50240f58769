package dev.tallyman.spi.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PosixFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerTarWriterTest {
    @TempDir
    Path temp;

    @Test
    void writtenTreeAppliesBackWithMetadataAndWhiteouts() throws IOException {
        Path tree = Files.createDirectories(temp.resolve("tree/etc"));
        Path file = Files.writeString(tree.resolve("passwd"), "root:x:0:0");
        PosixFiles.lchown(file, 12, 34);
        PosixFiles.chmod(file, 04750);
        PosixFiles.setTimes(file, FileTime.fromMillis(1_234_567_000L));
        Files.createLink(tree.resolve("passwd-"), file);
        Files.createSymbolicLink(tree.resolve("mtab"), Path.of("/proc/mounts"));
        PosixFiles.mknod(tree.resolve("zero"), FileStat.S_IFCHR, 0666, 1, 5);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (LayerTarWriter writer = new LayerTarWriter(bytes)) {
            writer.add(tree, "etc");
            for (String name : List.of("passwd", "passwd-", "mtab", "zero")) {
                writer.add(tree.resolve(name), "etc/" + name);
            }
            writer.whiteout("etc/motd");
            writer.opaque("etc");
        }

        Path copy = Files.createDirectory(temp.resolve("copy"));
        List<String> calls = new ArrayList<>();
        LayerApplier.apply(new ByteArrayInputStream(bytes.toByteArray()), copy, new Whiteouts() {
            @Override
            public void whiteout(Path path) {
                calls.add("whiteout " + copy.relativize(path));
            }

            @Override
            public void opaque(Path dir, Predicate<Path> writtenByLayer) {
                calls.add("opaque " + copy.relativize(dir) + " " + writtenByLayer.test(dir.resolve("passwd")));
            }
        });

        FileStat passwd = FileStat.of(copy.resolve("etc/passwd"));
        assertThat(copy.resolve("etc/passwd")).hasContent("root:x:0:0");
        assertThat(passwd.uid()).isEqualTo(12);
        assertThat(passwd.gid()).isEqualTo(34);
        assertThat(passwd.permissions()).isEqualTo(04750);
        assertThat(passwd.mtime().toMillis()).isEqualTo(1_234_567_000L);
        assertThat(passwd.nlink()).isEqualTo(2);
        assertThat(Files.readSymbolicLink(copy.resolve("etc/mtab"))).isEqualTo(Path.of("/proc/mounts"));
        assertThat(FileStat.of(copy.resolve("etc/zero")).minor()).isEqualTo(5);
        assertThat(calls).containsExactly("whiteout etc/motd", "opaque etc true");
    }
}
