package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.fixtures.FileTreeSnapshot;
import dev.tallyman.images.fixtures.TarBuilder;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and random layer tars through import and load, on the vfs driver (the real layer applier). Whatever
 * the tar, nothing may appear or change outside the store (a canary folder beside it is watched), and the
 * outcome is either a clean INVALID_PARAMETER with nothing stored, or an image whose layer tree is sound.
 */
class HostileTarIT {
    private static final int RANDOM_TARS = 200;

    @TempDir(factory = LayerStorageDirs.class)
    Path root;
    TestStores stores;
    Path canary;
    Map<String, String> canaryBefore;

    @BeforeEach
    void storeAndCanary() throws IOException {
        stores = TestStores.vfs(root.resolve("store"));
        canary = root.resolve("canary");
        Files.createDirectories(canary.resolve("dir"));
        Files.writeString(canary.resolve("secret"), "secret\n");
        Files.writeString(canary.resolve("dir/file"), "file\n");
        canaryBefore = FileTreeSnapshot.of(canary);
    }

    enum Outcome { REFUSED, ACCEPTED }

    /** Runs the tar through import and through load, checking the rules each time; returns the common outcome. */
    private Outcome both(String description, byte[] tar, Consumer<Path> checkTree) {
        return both(description, tar, checkTree, true);
    }

    /**
     * @param strict whether a refusal must be INVALID_PARAMETER; random tars may also meet a refusal of the
     *               kernel that the applier does not classify (an empty symlink target: ENOENT), which is still
     *               clean when nothing is left behind
     */
    private Outcome both(String description, byte[] tar, Consumer<Path> checkTree, boolean strict) {
        Outcome imported = attempt(description + " (import)", strict, () -> {
            ImportedImage image = stores.importer().importImage(new ByteArrayInputStream(tar), List.of(), "");
            return image.imageId();
        }, checkTree);
        ArchiveBuilder.Image image = new ArchiveBuilder.Image(List.of(tar), List.of("hostile:1"), "sh");
        Outcome loaded = attempt(description + " (load)", strict, () -> stores.loader()
                .load(new ByteArrayInputStream(ArchiveBuilder.oci(List.of(image))), LoadProgress.NONE).get(0).imageId(), checkTree);
        assertThat(loaded).as(description + ": load and import agree").isEqualTo(imported);
        return imported;
    }

    interface Attempt {
        Digest run();
    }

    private Outcome attempt(String description, boolean strict, Attempt attempt, Consumer<Path> checkTree) {
        Digest imageId;
        try {
            imageId = attempt.run();
        } catch (ImageException e) {
            if (strict || e.kind() != ImageException.Kind.SYSTEM) {
                assertThat(e.kind()).as(description + ": " + e.getMessage()).isEqualTo(ImageException.Kind.INVALID_PARAMETER);
            }
            assertOutsideUntouched(description);
            assertThat(stores.content().list()).as(description + ": blobs after " + e.getMessage()).isEmpty();
            assertThat(stores.driver().list()).as(description + ": layers after " + e.getMessage()).isEmpty();
            assertThat(stores.scratch()).as(description).isEmptyDirectory();
            return Outcome.REFUSED;
        } catch (RuntimeException e) {
            throw new AssertionError(description + ": not a clean refusal", e);
        }
        assertOutsideUntouched(description);
        LayerId layer = stores.images().topLayer(imageId).orElseThrow();
        Path tree = layerFolder(layer);
        assertNoWhiteoutFiles(description, tree);
        checkTree.accept(tree);
        stores.images().delete(imageId, Set.of());
        assertThat(stores.content().list()).as(description + ": blobs after delete").isEmpty();
        assertThat(stores.driver().list()).as(description + ": layers after delete").isEmpty();
        return Outcome.ACCEPTED;
    }

    /** The vfs driver describes a layer as a bind mount of its folder: that folder is the whole tree. */
    private Path layerFolder(LayerId layer) {
        return Path.of(stores.driver().mounts(layer).get(0).source());
    }

    private void assertOutsideUntouched(String description) {
        assertThat(FileTreeSnapshot.of(canary)).as(description + ": canary").isEqualTo(canaryBefore);
        try (Stream<Path> top = Files.list(root)) {
            assertThat(top.map(p -> p.getFileName().toString())).as(description + ": test root")
                    .containsExactlyInAnyOrder("store", "canary");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertNoWhiteoutFiles(String description, Path tree) {
        try (Stream<Path> walk = Files.walk(tree)) {
            assertThat(walk.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".wh.")))
                    .as(description + ": whiteouts are applied, never copied").isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String up() {
        return "../".repeat(root.getNameCount() + 8);
    }

    @Test
    void pathsLeadingOutAreRefusedOrKeptInside() {
        assertThat(both("dot-dot path", new TarBuilder().file(up() + canary.toString().substring(1) + "/pwned", "x").bytes(),
                t -> { })).isEqualTo(Outcome.REFUSED);
        assertThat(both("dot-dot inside a path", new TarBuilder().dir("a").file("a/../../pwned", "x").bytes(),
                t -> { })).isEqualTo(Outcome.REFUSED);
        assertThat(both("absolute path", new TarBuilder().file(canary + "/pwned", "x").bytes(),
                t -> assertThat(t.resolve(canary.toString().substring(1)).resolve("pwned")).hasContent("x")))
                .isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void symlinksAreNeverWrittenThrough() {
        assertThat(both("write through an absolute symlink",
                new TarBuilder().symlink("escape", canary.toString()).file("escape/pwned", "x").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("write through a relative symlink",
                new TarBuilder().symlink("escape", up() + canary.toString().substring(1)).file("escape/pwned", "x").bytes(),
                t -> { })).isEqualTo(Outcome.REFUSED);
        assertThat(both("a directory replaced by a symlink, then written into",
                new TarBuilder().dir("d").symlink("d", canary.toString()).file("d/pwned", "x").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("a symlink loop", new TarBuilder().symlink("loop", "loop").file("loop/x", "x").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("a file replacing a symlink to a file outside",
                new TarBuilder().symlink("f", canary + "/secret").file("f", "overwritten").bytes(),
                t -> assertThat(t.resolve("f")).isRegularFile().hasContent("overwritten")))
                .isEqualTo(Outcome.ACCEPTED);
        assertThat(both("a symlink pointing out is kept as a symlink",
                new TarBuilder().symlink("out", canary + "/secret").bytes(),
                t -> assertThat(Files.isSymbolicLink(t.resolve("out"))).isTrue()))
                .isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void hardLinksMustStayInside() {
        assertThat(both("hard link to an absolute path outside",
                new TarBuilder().hardlink("h", canary + "/secret").bytes(), t -> { })).isEqualTo(Outcome.REFUSED);
        assertThat(both("hard link with dot-dot", new TarBuilder().hardlink("h", up() + "etc/passwd").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("hard link through a symlink",
                new TarBuilder().symlink("s", canary.toString()).hardlink("h", "s/secret").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("hard link to a symlink that points out, then written",
                new TarBuilder().symlink("s", canary + "/secret").hardlink("h", "s").file("h", "overwritten").bytes(),
                t -> assertThat(t.resolve("h")).hasContent("overwritten"))).isEqualTo(Outcome.ACCEPTED);
        assertThat(both("hard link inside", new TarBuilder().file("a", "same").hardlink("b", "a").bytes(), t -> {
            try {
                assertThat(FileStat.of(t.resolve("b")).ino()).isEqualTo(FileStat.of(t.resolve("a")).ino());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        })).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void devicesFifosAndSetuidBitsAreKeptAsInTheTar() {
        byte[] tar = new TarBuilder().dir("dev").charDevice("dev/null", 1, 3).fifo("dev/pipe")
                .file("bin/su", bytes("#!/bin/sh\n"), 04755).file("bin/sg", bytes("x"), 02755).bytes();
        assertThat(both("devices and set-id bits", tar, t -> {
            try {
                FileStat nul = FileStat.of(t.resolve("dev/null"));
                assertThat(nul.isCharacterDevice()).isTrue();
                assertThat(nul.major()).isEqualTo(1);
                assertThat(nul.minor()).isEqualTo(3);
                assertThat(FileStat.of(t.resolve("dev/pipe")).isFifo()).isTrue();
                assertThat(FileStat.of(t.resolve("bin/su")).permissions()).isEqualTo(04755);
                assertThat(FileStat.of(t.resolve("bin/sg")).permissions()).isEqualTo(02755);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        })).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void whiteoutsLeadingOutAreRefused() {
        assertThat(both("whiteout with dot-dot", new TarBuilder().file("../.wh.secret", "").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("whiteout of dot-dot", new TarBuilder().file("a/.wh..", "").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("whiteout through a symlink",
                new TarBuilder().symlink("s", canary.toString()).file("s/.wh.secret", "").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("opaque marker through a symlink",
                new TarBuilder().symlink("s", canary.toString()).file("s/.wh..wh..opq", "").bytes(), t -> { }))
                .isEqualTo(Outcome.REFUSED);
        assertThat(both("whiteout of a symlink pointing out",
                new TarBuilder().symlink("s", canary.toString()).file(".wh.s", "").bytes(),
                t -> assertThat(t.resolve("s")).doesNotExist())).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void whiteoutsOfALoadedStackAreAppliedNotCopied() {
        byte[] lower = new TarBuilder().dir("a").file("a/x", "x").file("a/y", "y").dir("b").file("b/z", "z")
                .file("keep", "k").bytes();
        byte[] upper = new TarBuilder().file(".wh.keep", "").dir("a").file("a/.wh..wh..opq", "").file("a/new", "n")
                .file("b/.wh.z", "").bytes();
        ArchiveBuilder.Image image = new ArchiveBuilder.Image(List.of(lower, upper), List.of("stack:1"), "sh");

        Digest id = stores.loader().load(new ByteArrayInputStream(ArchiveBuilder.oci(List.of(image))), LoadProgress.NONE)
                .get(0).imageId();

        Path tree = layerFolder(stores.images().topLayer(id).orElseThrow());
        assertThat(FileTreeSnapshot.of(tree).keySet()).containsExactlyInAnyOrder("a", "a/new", "b");
        assertThat(FileTreeSnapshot.of(layerFolder(stores.images().layers(id).get(0))).keySet())
                .containsExactlyInAnyOrder("a", "a/x", "a/y", "b", "b/z", "keep");
        assertOutsideUntouched("stack");
    }

    @Test
    void randomTarsNeverEscapeAndNeverLeaveHalfAnImage() {
        Random random = new Random(20261125L);
        String abs = canary.toString();
        List<String> names = List.of("a", "b", "a/b", "a/b/c", "./a", "/a", "a//b", "../a", "a/../../b", up() + abs.substring(1),
                abs + "/x", abs + "/secret", ".wh.a", "a/.wh.b", ".wh..wh..opq", "a/.wh..wh..opq", ".wh..wh.plnk", ".wh..",
                "s/x", "s/.wh.secret", "l", "l/x", "dev/n", "a/s");
        List<String> targets = List.of("a", "a/b", "/", abs, abs + "/secret", "..", up(), "s", "l", "../a", "b/../a", "");
        int accepted = 0;
        int refused = 0;
        for (int round = 0; round < RANDOM_TARS; round++) {
            TarBuilder tar = new TarBuilder();
            int entries = 1 + random.nextInt(10);
            StringBuilder description = new StringBuilder("random tar " + round + ":");
            for (int i = 0; i < entries; i++) {
                String name = names.get(random.nextInt(names.size()));
                String target = targets.get(random.nextInt(targets.size()));
                int kind = random.nextInt(8);
                description.append(' ').append(kind).append(':').append(name);
                switch (kind) {
                    case 0, 1 -> tar.file(name, "content " + i);
                    case 2 -> tar.dir(name);
                    case 3 -> tar.symlink(name, target);
                    case 4 -> tar.hardlink(name, target);
                    case 5 -> tar.charDevice(name, 1, 3);
                    case 6 -> tar.fifo(name);
                    default -> tar.file(name, bytes("setuid"), 04755);
                }
                if (kind >= 3 && kind <= 4) {
                    description.append("->").append(target);
                }
            }
            byte[] bytes = tar.bytes();
            int damage = random.nextInt(10);
            if (damage == 0) {
                bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                description.append(" (cut)");
            } else if (damage == 1) {
                bytes[random.nextInt(Math.min(bytes.length, 2048))] ^= (byte) (1 + random.nextInt(255));
                description.append(" (flipped)");
            }
            Outcome outcome = both(description.toString(), bytes, t -> { }, false);
            if (outcome == Outcome.ACCEPTED) {
                accepted++;
            } else {
                refused++;
            }
        }
        // Both kinds must occur, or the generator tests nothing.
        assertThat(accepted).isGreaterThan(20);
        assertThat(refused).isGreaterThan(20);
        if (Files.exists(Path.of("/x"), LinkOption.NOFOLLOW_LINKS)) {
            fail("a random tar wrote /x on the host");
        }
    }
}
