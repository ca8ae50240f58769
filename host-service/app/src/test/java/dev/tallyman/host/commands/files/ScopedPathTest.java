package dev.tallyman.host.commands.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths of a container resolve under its root whatever its symlinks say. */
class ScopedPathTest {
    @TempDir
    Path root;

    @Test
    void absoluteAndClimbingSymlinksStayUnderTheRoot() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("climb"), Path.of("../../../../.."));
        Files.createSymbolicLink(root.resolve("etc/loop"), Path.of("loop"));

        assertThat(ScopedPath.resolve(root, "/to-root/etc/passwd", true))
                .isEqualTo(new ScopedPath(root.resolve("etc/passwd"), "/etc/passwd"));
        assertThat(ScopedPath.resolve(root, "climb/etc", true))
                .isEqualTo(new ScopedPath(root.resolve("etc"), "/etc"));
        assertThat(ScopedPath.resolve(root, "/../../etc/../etc/./x", true).container()).isEqualTo("/etc/x");
        assertThat(ScopedPath.resolve(root, "/to-root", false))
                .isEqualTo(new ScopedPath(root.resolve("to-root"), "/to-root"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScopedPath.resolve(root, "/etc/loop/x", true))
                .hasMessageContaining("too many levels of symbolic links");
    }

    @Test
    void missingComponentsAreKeptAsTyped() throws Exception {
        Files.createSymbolicLink(root.resolve("tmp"), Path.of("/var/tmp"));
        assertThat(ScopedPath.resolve(root, "/tmp/new/file", true))
                .isEqualTo(new ScopedPath(root.resolve("var/tmp/new/file"), "/var/tmp/new/file"));
    }
}
