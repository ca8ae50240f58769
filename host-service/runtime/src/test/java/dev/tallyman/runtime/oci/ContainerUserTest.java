package dev.tallyman.runtime.oci;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerUserTest {
    static Path rootfs;

    @BeforeAll
    static void makeRootfs() throws IOException {
        rootfs = Files.createTempDirectory("tallyman-user-test");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), String.join("\n",
                "root:x:0:0:root:/root:/bin/sh",
                "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
                "app:x:1000:1001:App:/home/app:/bin/sh",
                "# a comment",
                ""));
        Files.writeString(rootfs.resolve("etc/group"), String.join("\n",
                "root:x:0:",
                "wheel:x:10:root,app",
                "appgroup:x:1001:",
                "audio:x:29:app",
                ""));
    }

    @AfterAll
    static void removeRootfs() throws IOException {
        try (Stream<Path> paths = Files.walk(rootfs)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    record Case(String spec, int uid, int gid, List<Integer> additional) {
        @Override
        public String toString() {
            return "'" + spec + "'";
        }
    }

    static Stream<Case> resolvable() {
        return Stream.of(
                new Case("", 0, 0, List.of(10)),
                new Case("0", 0, 0, List.of(10)),
                new Case("root", 0, 0, List.of(10)),
                new Case("app", 1000, 1001, List.of(10, 29)),
                new Case("1000", 1000, 1001, List.of(10, 29)),
                new Case("app:audio", 1000, 29, List.of()),
                new Case("app:7", 1000, 7, List.of()),
                new Case("4242", 4242, 0, List.of()),
                new Case("4242:4343", 4242, 4343, List.of()),
                new Case("daemon:wheel", 1, 10, List.of()),
                new Case("1:", 1, 1, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resolvable")
    void resolvesDockerUserForms(Case c) {
        assertThat(ContainerUser.resolve(rootfs, c.spec()))
                .isEqualTo(new ContainerUser(c.uid(), c.gid(), c.additional()));
    }

    record Failure(String spec, String message) {
        @Override
        public String toString() {
            return "'" + spec + "'";
        }
    }

    static Stream<Failure> unresolvable() {
        return Stream.of(
                new Failure("nobody", "unable to find user nobody: no matching entries in passwd file"),
                new Failure("nobody:wheel", "unable to find user nobody: no matching entries in passwd file"),
                new Failure("app:staff", "unable to find group staff: no matching entries in group file"),
                new Failure("99999999999", "unable to find user 99999999999: no matching entries in passwd file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unresolvable")
    void unknownNamesFailWithDockersMessage(Failure f) {
        assertThatThrownBy(() -> ContainerUser.resolve(rootfs, f.spec()))
                .isInstanceOf(SpecificationException.class)
                .hasMessage(f.message());
    }

    @org.junit.jupiter.api.Test
    void absoluteSymlinkToPasswdStaysInsideRootfs() throws IOException {
        Path other = Files.createTempDirectory("tallyman-user-link");
        try {
            Files.createDirectories(other.resolve("etc"));
            Files.createDirectories(other.resolve("real"));
            Files.writeString(other.resolve("real/passwd"), "web:x:33:33::/:/bin/sh\n");
            // Inside the rootfs /real/passwd is meant, not the host's /real/passwd.
            Files.createSymbolicLink(other.resolve("etc/passwd"), Path.of("/real/passwd"));
            assertThat(ContainerUser.resolve(other, "web")).isEqualTo(new ContainerUser(33, 33, List.of()));
            assertThatThrownBy(() -> ContainerUser.resolve(other, "root"))
                    .hasMessage("unable to find user root: no matching entries in passwd file");
        } finally {
            try (Stream<Path> paths = Files.walk(other)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
