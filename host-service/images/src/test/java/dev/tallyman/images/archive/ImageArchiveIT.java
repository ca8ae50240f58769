package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.fixtures.BusyboxRootfs;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker save and docker load against the vfs driver: layouts, round trips, and failures that leave nothing. */
class ImageArchiveIT {
    @TempDir(factory = LayerStorageDirs.class)
    Path root;
    TestStores here;
    TestStores there;

    static final ArchiveBuilder.Image BASE = new ArchiveBuilder.Image(
            List.of(ArchiveBuilder.layer("etc/base", "base\n"), ArchiveBuilder.layer("etc/top", "top\n")),
            List.of("example.com/app:1.0", "app:latest"), "sh");

    @BeforeEach
    void stores() {
        here = TestStores.vfs(root.resolve("here"));
        there = TestStores.vfs(root.resolve("there"));
    }

    private static List<LoadedImage> load(TestStores stores, byte[] archive) {
        return stores.loader().load(new ByteArrayInputStream(archive), LoadProgress.NONE);
    }

    private static byte[] save(TestStores stores, List<SaveRequest> requests) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stores.saver().save(requests, out);
        return out.toByteArray();
    }

    /** Entry name -> bytes (symlinks as "-> target"), in archive order. */
    private static Map<String, byte[]> entries(byte[] archive) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.put(e.getName(), e.isSymbolicLink()
                        ? ("-> " + e.getLinkName()).getBytes(StandardCharsets.UTF_8) : tar.readAllBytes());
            }
        }
        return entries;
    }

    private Map<String, String> filesOf(TestStores stores, LayerId layer) {
        Path target = stores.root().resolve("view-" + layer.value().substring(0, 12));
        try (LayerMount view = LayerMount.readOnly(stores.driver(), layer, target)) {
            return dev.tallyman.images.fixtures.FileTreeSnapshot.of(view.root());
        }
    }

    private void assertNothingStored(TestStores stores) {
        assertThat(stores.content().list()).isEmpty();
        assertThat(stores.driver().list()).isEmpty();
        assertThat(stores.scratch()).isEmptyDirectory();
    }

    @Test
    void loadsDocker25LayoutWithTagsLayersTarsAndTheConfigByteForByte() throws IOException {
        List<String> progress = new ArrayList<>();

        List<LoadedImage> loaded = here.loader().load(new ByteArrayInputStream(ArchiveBuilder.oci(List.of(BASE))),
                (chain, read, total) -> progress.add(chain.shortHex() + " " + read + "/" + total));

        assertThat(loaded).hasSize(1);
        LoadedImage image = loaded.get(0);
        assertThat(image.imageId()).isEqualTo(BASE.id());
        assertThat(here.images().configBytes(image.imageId())).isEqualTo(BASE.config());
        assertThat(image.diffIds()).isEqualTo(BASE.diffIds());
        assertThat(image.layers()).isEqualTo(ChainIds.layerIds(BASE.diffIds()));
        assertThat(image.tags()).containsExactly(ImageReference.parse("example.com/app:1.0"), ImageReference.parse("app"));
        assertThat(image.config().config().cmd()).containsExactly("sh");
        assertThat(image.created()).isPresent();
        for (int i = 0; i < 2; i++) {
            try (InputStream kept = here.images().layerTar(BASE.diffIds().get(i))) {
                assertThat(kept.readAllBytes()).isEqualTo(BASE.layers().get(i));
            }
        }
        assertThat(filesOf(here, image.layers().get(1))).containsKeys("etc/base", "etc/top");
        assertThat(here.scratch()).isEmptyDirectory();
        // Both layers are reported, each ending at its full size.
        List<Digest> chains = ChainIds.of(BASE.diffIds());
        for (int i = 0; i < 2; i++) {
            int size = BASE.layers().get(i).length;
            assertThat(progress).contains(chains.get(i).shortHex() + " " + size + "/" + size);
        }
    }

    @Test
    void saveWritesTheClassicLayoutDeterministically() throws IOException {
        LoadedImage image = load(here, ArchiveBuilder.oci(List.of(BASE))).get(0);
        List<Digest> chain = ChainIds.of(image.diffIds());
        List<SaveRequest> request = List.of(new SaveRequest(image.imageId(), image.tags()));

        byte[] first = save(here, request);
        byte[] second = save(here, request);

        assertThat(second).isEqualTo(first);
        Map<String, byte[]> entries = entries(first);
        assertThat(entries.keySet()).containsExactly(
                chain.get(0).hex() + "/", chain.get(0).hex() + "/layer.tar",
                chain.get(1).hex() + "/", chain.get(1).hex() + "/layer.tar",
                image.imageId().hex() + ".json", "manifest.json", "repositories");
        assertThat(entries.get(chain.get(1).hex() + "/layer.tar")).isEqualTo(BASE.layers().get(1));
        assertThat(entries.get(image.imageId().hex() + ".json")).isEqualTo(BASE.config());
        assertThat(new String(entries.get("manifest.json"), StandardCharsets.UTF_8)).isEqualTo(
                "[{\"Config\":\"" + image.imageId().hex() + ".json\",\"RepoTags\":[\"example.com/app:1.0\",\"app:latest\"],"
                        + "\"Layers\":[\"" + chain.get(0).hex() + "/layer.tar\",\"" + chain.get(1).hex() + "/layer.tar\"]}]");
        assertThat(new String(entries.get("repositories"), StandardCharsets.UTF_8)).isEqualTo(
                "{\"app\":{\"latest\":\"" + chain.get(1).hex() + "\"},\"example.com/app\":{\"1.0\":\"" + chain.get(1).hex() + "\"}}");
    }

    @Test
    void savedImagesLoadElsewhereWithTheSameIdsTagsAndFiles() throws IOException {
        byte[] busyboxTar = busyboxTar();
        ImportedImage busybox = here.importer().importImage(new ByteArrayInputStream(busyboxTar), List.of("CMD [\"sh\"]"), "");
        LoadedImage app = load(here, ArchiveBuilder.oci(List.of(BASE))).get(0);
        ImageReference busyboxTag = ImageReference.parse("busybox:1");

        byte[] archive = save(here, List.of(new SaveRequest(busybox.imageId(), List.of(busyboxTag)),
                new SaveRequest(app.imageId(), List.of()),
                new SaveRequest(app.imageId(), List.of(ImageReference.parse("app:2")))));
        List<LoadedImage> loaded = load(there, archive);

        assertThat(loaded).extracting(LoadedImage::imageId).containsExactly(busybox.imageId(), app.imageId());
        assertThat(loaded.get(0).tags()).containsExactly(busyboxTag);
        assertThat(loaded.get(1).tags()).containsExactly(ImageReference.parse("app:2"));
        assertThat(there.images().configBytes(busybox.imageId())).isEqualTo(here.images().configBytes(busybox.imageId()));
        assertThat(filesOf(there, loaded.get(0).layers().get(0))).isEqualTo(filesOf(here, busybox.layers().get(0)));
        assertThat(filesOf(there, loaded.get(1).layers().get(1))).isEqualTo(filesOf(here, app.layers().get(1)));
        assertThat(save(there, List.of(new SaveRequest(busybox.imageId(), List.of(busyboxTag)),
                new SaveRequest(app.imageId(), List.of(ImageReference.parse("app:2")))))).isEqualTo(archive);
    }

    @Test
    void aLayerSavedTwiceIsASymlinkAndLoadsThroughIt() throws IOException {
        byte[] shared = ArchiveBuilder.layer("shared", "same bytes\n");
        ArchiveBuilder.Image alone = new ArchiveBuilder.Image(List.of(shared), List.of("alone:1"), "a");
        ArchiveBuilder.Image stacked = new ArchiveBuilder.Image(List.of(ArchiveBuilder.layer("below", "x"), shared),
                List.of("stacked:1"), "b");
        List<LoadedImage> made = load(here, ArchiveBuilder.oci(List.of(alone, stacked)));

        byte[] archive = save(here, made.stream().map(i -> new SaveRequest(i.imageId(), i.tags())).toList());

        String secondCopy = ChainIds.of(stacked.diffIds()).get(1).hex() + "/layer.tar";
        assertThat(new String(entries(archive).get(secondCopy), StandardCharsets.UTF_8))
                .isEqualTo("-> ../" + alone.diffIds().get(0).hex() + "/layer.tar");
        List<LoadedImage> loaded = load(there, archive);
        assertThat(loaded).extracting(LoadedImage::imageId).containsExactly(alone.id(), stacked.id());
        assertThat(filesOf(there, loaded.get(1).layers().get(1))).containsKeys("below", "shared");
    }

    @Test
    void aCompressedArchiveLoads() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GzipCompressorOutputStream(gz)) {
            out.write(ArchiveBuilder.oci(List.of(BASE)));
        }

        assertThat(load(here, gz.toByteArray())).extracting(LoadedImage::imageId).containsExactly(BASE.id());
    }

    @Test
    void aTruncatedArchiveLeavesNothing() {
        byte[] archive = ArchiveBuilder.oci(List.of(BASE));
        for (int cut : new int[] {100, 1024, archive.length / 3, archive.length / 2, archive.length - 3000}) {
            assertThatThrownBy(() -> load(here, Arrays.copyOf(archive, cut)))
                    .as("archive cut at %d", cut)
                    .isInstanceOfSatisfying(ImageException.class,
                            e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER));
            assertNothingStored(here);
        }
    }

    @Test
    void aLayerThatIsNotItsDiffIdIsRefusedAndTheLayersBeforeItAreTakenBack() {
        byte[] other = ArchiveBuilder.layer("etc/top", "tampered\n");
        byte[] archive = ArchiveBuilder.oci(List.of(BASE), Map.of(List.of(0, 1), other));

        assertThatThrownBy(() -> load(here, archive))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessage("invalid diffID for layer 1: expected \"" + BASE.diffIds().get(1) + "\", got \""
                        + Digest.sha256(other) + "\"");
        assertNothingStored(here);
    }

    @Test
    void aFailingImageTakesBackTheArchivesEarlierImagesButNothingThatWasThere() throws IOException {
        ImportedImage busybox = here.importer().importImage(new ByteArrayInputStream(busyboxTar()), List.of(), "");
        Set<Digest> blobsBefore = new HashSet<>(here.content().list());
        Set<LayerId> layersBefore = new HashSet<>(here.driver().list());
        byte[] busyboxLayer;
        try (InputStream in = here.images().layerTar(busybox.diffIds().get(0))) {
            busyboxLayer = in.readAllBytes();
        }
        ArchiveBuilder.Image onBusybox = new ArchiveBuilder.Image(List.of(busyboxLayer, ArchiveBuilder.layer("app", "1")),
                List.of("on-busybox:1"), "sh");
        ArchiveBuilder.Image broken = new ArchiveBuilder.Image(List.of(ArchiveBuilder.layer("x", "x")), List.of("broken:1"), "sh");
        byte[] archive = ArchiveBuilder.oci(List.of(onBusybox, broken),
                Map.of(List.of(1, 0), "not a tar at all, just text".repeat(40).getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> load(here, archive))
                .isInstanceOf(ImageException.class)
                .hasMessage("archive/tar: invalid tar header");

        assertThat(here.content().list()).containsExactlyInAnyOrderElementsOf(blobsBefore);
        assertThat(here.driver().list()).containsExactlyInAnyOrderElementsOf(layersBefore);
        assertThat(here.images().exists(busybox.imageId())).isTrue();
        assertThat(here.scratch()).isEmptyDirectory();
    }

    record Refused(String description, String manifest, String message) {
    }

    @Test
    void badManifestsAreRefusedInDockersWordsBeforeAnythingIsStored() {
        byte[] layer = ArchiveBuilder.layer("a", "a");
        ArchiveBuilder.Image image = new ArchiveBuilder.Image(List.of(layer), List.of(), "sh");
        String config = "blobs/sha256/" + image.id().hex();
        String layerPath = "blobs/sha256/" + Digest.sha256(layer).hex();
        List<Refused> cases = List.of(
                new Refused("bare name", "[{\"Config\":\"" + config + "\",\"RepoTags\":[\"app\"],\"Layers\":[\"" + layerPath + "\"]}]",
                        "invalid tag \"app\""),
                new Refused("too many layers", "[{\"Config\":\"" + config + "\",\"RepoTags\":null,\"Layers\":[\"" + layerPath
                        + "\",\"" + layerPath + "\"]}]", "invalid manifest, layers length mismatch: expected 2, got 1"),
                new Refused("missing config", "[{\"Config\":\"nope.json\",\"Layers\":[]}]",
                        "open nope.json: no such file in image archive"),
                new Refused("config outside", "[{\"Config\":\"../../etc/passwd\",\"Layers\":[]}]",
                        "invalid image archive entry ../../etc/passwd: leads outside the archive"),
                new Refused("not a list", "{}", "decode manifest.json: not a list of images"),
                new Refused("entries of the wrong shape", "[{\"Config\":\"c\",\"Layers\":\"no list\"}]",
                        "decode manifest.json: not a list of images"));
        for (Refused c : cases) {
            byte[] archive = new dev.tallyman.images.fixtures.TarBuilder()
                    .file(config, image.config(), 0644).file(layerPath, layer, 0644).file("manifest.json", c.manifest()).bytes();
            assertThatThrownBy(() -> load(here, archive)).as(c.description())
                    .isInstanceOfSatisfying(ImageException.class,
                            e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                    .hasMessage(c.message());
            assertNothingStored(here);
        }
        byte[] noManifest = new dev.tallyman.images.fixtures.TarBuilder().file("hello", "hi").bytes();
        assertThatThrownBy(() -> load(here, noManifest)).hasMessage("open manifest.json: no such file in image archive");
    }

    @Test
    void saveOfAnUnknownImageFailsBeforeWritingAnything() {
        Digest unknown = Digest.ofHex("1".repeat(64));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> here.saver().save(List.of(new SaveRequest(unknown, List.of())), out))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.NOT_FOUND))
                .hasMessage("No such image: " + unknown);
        assertThat(out.size()).isZero();
    }

    @Test
    void deletingTheLastImageOfALayerDeletesItsTarButNotASharedOne() {
        byte[] shared = ArchiveBuilder.layer("shared", "s");
        byte[] own = ArchiveBuilder.layer("own", "o");
        ArchiveBuilder.Image a = new ArchiveBuilder.Image(List.of(shared), List.of(), "a");
        ArchiveBuilder.Image b = new ArchiveBuilder.Image(List.of(own, shared), List.of(), "b");
        load(here, ArchiveBuilder.oci(List.of(a, b)));

        here.images().delete(b.id(), Set.copyOf(here.images().layers(a.id())));

        assertThat(here.content().list()).containsExactlyInAnyOrder(a.id(), Digest.sha256(shared));
        here.images().delete(a.id(), Set.of());
        assertThat(here.content().list()).isEmpty();
        assertThat(here.driver().list()).isEmpty();
    }

    private byte[] busyboxTar() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BusyboxRootfs.write(out, Map.of());
        return out.toByteArray();
    }
}
