package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
    private static final Digest A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));
    private static final Digest C = Digest.sha256("c".getBytes(StandardCharsets.UTF_8));
    private static final Platform AMD64 = new Platform("linux", "amd64");

    @Test
    void readsADockerManifestItWroteAndKeepsItsBytes() {
        byte[] bytes = ManifestCodec.encodeDockerManifest(Descriptor.of(MediaTypes.DOCKER_CONFIG, A, 10),
                List.of(Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, B, 20), Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, C, 30)));

        RemoteManifest read = ManifestCodec.decode(bytes, "");

        assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith(
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":");
        assertThat(read).isInstanceOf(ImageManifest.class);
        ImageManifest manifest = (ImageManifest) read;
        assertThat(manifest.digest()).isEqualTo(Digest.sha256(bytes));
        assertThat(manifest.config().digest()).isEqualTo(A);
        assertThat(manifest.layers()).extracting(Descriptor::digest).containsExactly(B, C);
        assertThat(manifest.layers()).extracting(Descriptor::size).containsExactly(20L, 30L);
    }

    @Test
    void anOciIndexYieldsTheLinuxAmd64Entry() {
        byte[] bytes = ManifestCodec.encodeIndex(MediaTypes.OCI_INDEX, List.of(
                new Descriptor(MediaTypes.OCI_MANIFEST, A, 1, Optional.of(new Platform("linux", "arm64")), "v8"),
                new Descriptor(MediaTypes.OCI_MANIFEST, B, 2, Optional.of(new Platform("windows", "amd64")), ""),
                new Descriptor(MediaTypes.OCI_MANIFEST, C, 3, Optional.of(AMD64), "")));

        ManifestIndex index = (ManifestIndex) ManifestCodec.decode(bytes, MediaTypes.OCI_INDEX);

        assertThat(index.select(AMD64)).map(Descriptor::digest).contains(C);
        assertThat(index.select(new Platform("linux", "s390x"))).isEmpty();
    }

    @Test
    void attestationEntriesWithoutPlatformAreNeverChosen() {
        String json = "{\"schemaVersion\":2,\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + A + "\",\"size\":5,"
                + "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
                + "{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\"" + B + "\",\"size\":6,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

        RemoteManifest read = ManifestCodec.decode(json.getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.index.v1+json");

        assertThat(((ManifestIndex) read).select(AMD64)).map(Descriptor::digest).contains(B);
    }

    @Test
    void aDockerManifestListIsAnIndexToo() {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\"" + B + "\",\"size\":6,"
                + "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

        assertThat(ManifestCodec.decode(json.getBytes(StandardCharsets.UTF_8), "")).isInstanceOf(ManifestIndex.class);
    }

    @Test
    void schemaOneIsRefusedInDockersWords() {
        byte[] bytes = "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ManifestCodec.decode(bytes, "application/vnd.docker.distribution.manifest.v1+prettyjws"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("schema 1 is no longer supported");
    }

    @Test
    void aDescriptorWithoutDigestIsInvalidContent() {
        byte[] bytes = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST
                + "\",\"config\":{\"mediaType\":\"x\",\"size\":1},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ManifestCodec.decode(bytes, ""))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.INVALID_CONTENT));
    }
}
