package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.spi.storage.LayerId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push and pull against Debian's real docker-registry on loopback, into the real vfs driver. */
class RegistryIT {
    @TempDir
    static Path registryDir;
    static LocalRegistry registry;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalRegistry.start(registryDir);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    static final class Recorder implements ProgressListener {
        final List<Progress> lines = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void on(Progress progress) {
            lines.add(progress);
        }

        List<String> statuses() {
            synchronized (lines) {
                return lines.stream().map(Progress::status).toList();
            }
        }

        List<String> statusesOf(String id) {
            synchronized (lines) {
                return lines.stream().filter(p -> p.id().equals(id)).map(Progress::status).distinct().toList();
            }
        }
    }

    private ImageReference ref(String text) {
        return ImageReference.parse(registry.host() + "/" + text);
    }

    @Test
    void anImagePushedAndPulledIntoAFreshStoreKeepsItsIdLayersAndTars() throws IOException {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.busybox(source, dir);
        ImageReference reference = ref("tallyman/busybox:v1");

        Recorder pushed = new Recorder();
        PushedImage push = source.pusher(RegistryHosts.defaults()).push(reference, imageId, pushed);

        Digest diffId = source.images().config(imageId).diffIds().get(0);
        assertThat(pushed.lines.get(0)).isEqualTo(Progress.message("The push refers to repository [" + reference.name() + "]"));
        assertThat(pushed.statusesOf(diffId.shortHex())).containsSubsequence("Preparing", "Pushing", "Pushed");
        assertThat(pushed.lines.get(pushed.lines.size() - 1).status())
                .isEqualTo("v1: digest: " + push.manifestDigest() + " size: " + push.manifestSize());
        assertThat(source.sources().of(diffId)).hasSize(1);

        LocalStore target = LocalStore.at(dir.resolve("target"));
        Recorder pulled = new Recorder();
        PulledImage pull = target.puller(RegistryHosts.defaults()).pull(reference, pulled);

        assertThat(pull.imageId()).isEqualTo(imageId);
        assertThat(pull.diffIds()).containsExactly(diffId);
        assertThat(pull.manifestDigest()).isEqualTo(push.manifestDigest());
        assertThat(pull.repoDigest().familiar()).isEqualTo(registry.host() + "/tallyman/busybox@" + push.manifestDigest());
        assertThat(pull.upToDate()).isFalse();
        assertThat(target.images().configBytes(imageId)).isEqualTo(source.images().configBytes(imageId));
        assertThat(target.images().hasLayerTar(diffId)).isTrue();
        assertThat(target.driver().list()).containsExactlyElementsOf(pull.layers());
        assertThat(target.driver().inspect(pull.layers().get(0)).orElseThrow().diffId()).contains(diffId.toString());
        assertThat(pull.sizeBytes()).isGreaterThan(1_000_000);
        assertThat(target.content().list()).containsExactlyInAnyOrder(imageId, diffId);

        String blob = target.sources().of(diffId).get(0).digest().shortHex();
        assertThat(pulled.lines.get(0)).isEqualTo(Progress.of("v1", "Pulling from tallyman/busybox"));
        assertThat(pulled.statusesOf(blob)).containsSubsequence("Pulling fs layer", "Downloading",
                "Verifying Checksum", "Download complete", "Extracting", "Pull complete");
        assertThat(pulled.lines).filteredOn(p -> p.status().equals("Downloading"))
                .allSatisfy(p -> assertThat(p.total()).isEqualTo(push.manifestSize() > 0 ? p.total() : 0))
                .last().satisfies(p -> assertThat(p.current()).isEqualTo(p.total()));
        assertThat(pulled.statuses()).endsWith("Digest: " + push.manifestDigest(),
                "Status: Downloaded newer image for " + reference.familiar());

        Recorder again = new Recorder();
        PulledImage second = target.puller(RegistryHosts.defaults()).pull(reference, again);
        assertThat(second.upToDate()).isTrue();
        assertThat(again.statusesOf(blob)).containsExactly("Already exists");
        assertThat(again.statuses()).endsWith("Status: Image is up to date for " + reference.familiar());

        Recorder repush = new Recorder();
        target.pusher(RegistryHosts.defaults()).push(reference, imageId, repush);
        assertThat(repush.statusesOf(diffId.shortHex())).containsExactly("Preparing", "Layer already exists");

        Recorder mounted = new Recorder();
        PushedImage copy = target.pusher(RegistryHosts.defaults()).push(ref("other/copy:v1"), imageId, mounted);
        assertThat(mounted.statusesOf(diffId.shortHex())).containsExactly("Preparing", "Mounted from tallyman/busybox");
        assertThat(copy.manifestDigest()).isEqualTo(push.manifestDigest());
    }

    @Test
    void pullByDigestNamesTheDigestAndFindsTheSameImage() throws IOException {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.random(source, dir, 2, 200_000, "amd64", 11);
        PushedImage push = source.pusher(RegistryHosts.defaults()).push(ref("bydigest/app:v1"), imageId, ProgressListener.IGNORE);

        LocalStore target = LocalStore.at(dir.resolve("target"));
        Recorder pulled = new Recorder();
        ImageReference byDigest = ref("bydigest/app@" + push.manifestDigest());
        PulledImage pull = target.puller(RegistryHosts.defaults()).pull(byDigest, pulled);

        assertThat(pull.imageId()).isEqualTo(imageId);
        assertThat(pull.layers()).hasSize(2);
        assertThat(pull.repoDigest()).isEqualTo(byDigest);
        assertThat(pulled.lines.get(0)).isEqualTo(Progress.of(push.manifestDigest().toString(), "Pulling from bydigest/app"));
        assertThat(pulled.statuses()).endsWith("Status: Downloaded newer image for " + byDigest.familiar());
    }

    @Test
    void anUnknownTagOrRepositoryIsNotFoundInDockersWords() throws IOException {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.random(source, dir, 1, 1000, "amd64", 12);
        source.pusher(RegistryHosts.defaults()).push(ref("known/app:v1"), imageId, ProgressListener.IGNORE);
        LocalStore target = LocalStore.at(dir.resolve("target"));
        ImagePuller puller = target.puller(RegistryHosts.defaults());

        assertThatThrownBy(() -> puller.pull(ref("known/app:nope"), ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ImageException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("manifest for " + registry.host()
                            + "/known/app:nope not found: manifest unknown: manifest unknown");
                });
        assertThatThrownBy(() -> puller.pull(ref("never/pushed:v1"), ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ImageException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).startsWith("manifest for " + registry.host() + "/never/pushed:v1 not found: ")
                            .endsWith(": manifest unknown");
                });
        assertThat(target.content().list()).isEmpty();
        assertThat(target.driver().list()).isEmpty();
    }

    @Test
    void fromAnOciIndexTheLinuxAmd64ImageIsPulled() throws Exception {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest amd64 = TestImages.busybox(source, dir);
        Digest arm64 = TestImages.random(source, dir, 1, 50_000, "arm64", 13);
        ImagePusher pusher = source.pusher(RegistryHosts.defaults());
        PushedImage amdPush = pusher.push(ref("multi/app:amd64"), amd64, ProgressListener.IGNORE);
        PushedImage armPush = pusher.push(ref("multi/app:arm64"), arm64, ProgressListener.IGNORE);
        // arm64 first, so that taking the first entry would be wrong.
        byte[] index = ManifestCodec.encodeIndex(MediaTypes.OCI_INDEX, List.of(
                new Descriptor(MediaTypes.DOCKER_MANIFEST, armPush.manifestDigest(), armPush.manifestSize(),
                        Optional.of(new Platform("linux", "arm64")), "v8"),
                new Descriptor(MediaTypes.DOCKER_MANIFEST, amdPush.manifestDigest(), amdPush.manifestSize(),
                        Optional.of(new Platform("linux", "amd64")), "")));
        HttpResponse<String> put = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.base() + "/v2/multi/app/manifests/latest"))
                        .header("Content-Type", MediaTypes.OCI_INDEX)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(index)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

        LocalStore target = LocalStore.at(dir.resolve("target"));
        PulledImage pull = target.puller(RegistryHosts.defaults()).pull(ref("multi/app:latest"), ProgressListener.IGNORE);

        assertThat(pull.imageId()).isEqualTo(amd64);
        assertThat(pull.config().architecture()).isEqualTo("amd64");
        assertThat(pull.manifestDigest()).isEqualTo(Digest.sha256(index));
        assertThat(target.images().exists(arm64)).isFalse();

        ImagePuller s390x = new ImagePuller(target.images(), target.sources(), RegistryHosts.defaults(),
                RegistryClient.newHttpClient(), new Platform("linux", "s390x"), 3);
        assertThatThrownBy(() -> s390x.pull(ref("multi/app:latest"), ProgressListener.IGNORE))
                .hasMessage("no matching manifest for linux/s390x in the manifest list entries");
    }

    @Test
    void dockerHubNamesArePulledFromTheFirstMirrorThatAnswers() throws IOException {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.busybox(source, dir);
        source.pusher(RegistryHosts.defaults()).push(ref("library/busybox:latest"), imageId, ProgressListener.IGNORE);
        URI dead = URI.create("http://127.0.0.1:" + LocalRegistry.freePort());
        RegistryHosts hosts = new RegistryHosts(List.of(), List.of(dead, registry.base()));

        LocalStore target = LocalStore.at(dir.resolve("target"));
        Recorder pulled = new Recorder();
        PulledImage pull = target.puller(hosts).pull(ImageReference.parse("busybox"), pulled);

        assertThat(pull.imageId()).isEqualTo(imageId);
        assertThat(pull.repoDigest().familiar()).startsWith("busybox@sha256:");
        assertThat(pulled.lines.get(0)).isEqualTo(Progress.of("latest", "Pulling from library/busybox"));
        assertThat(pulled.statuses()).endsWith("Status: Downloaded newer image for busybox:latest");

        assertThatThrownBy(() -> LocalStore.at(dir.resolve("offline")).puller(RegistryHosts.defaults())
                .pull(ImageReference.parse("busybox"), ProgressListener.IGNORE))
                .hasMessageContaining("no registry mirror is configured");
        assertThatThrownBy(() -> LocalStore.at(dir.resolve("deadonly")).puller(new RegistryHosts(List.of(), List.of(dead)))
                .pull(ImageReference.parse("busybox"), ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNREACHABLE))
                .hasMessage("Get \"" + dead + "/v2/library/busybox/manifests/latest\": dial tcp: connect: connection refused");
    }

    /** Not a check of speed, a measurement: prints how long a ~100 MB, 3-layer image takes each way. */
    @Test
    void aHundredMegabyteThreeLayerImageGoesBothWays() throws IOException {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.random(source, dir, 3, 33 * 1024 * 1024, "amd64", 99);

        long pushStart = System.nanoTime();
        source.pusher(RegistryHosts.defaults()).push(ref("bench/big:v1"), imageId, ProgressListener.IGNORE);
        long pushMillis = (System.nanoTime() - pushStart) / 1_000_000;

        LocalStore target = LocalStore.at(dir.resolve("target"));
        long pullStart = System.nanoTime();
        PulledImage pull = target.puller(RegistryHosts.defaults()).pull(ref("bench/big:v1"), ProgressListener.IGNORE);
        long pullMillis = (System.nanoTime() - pullStart) / 1_000_000;

        assertThat(pull.imageId()).isEqualTo(imageId);
        assertThat(pull.layers()).hasSize(3);
        System.out.printf("registry benchmark: 3 x 33 MiB random layers: push %d ms, pull %d ms (%.1f MiB/s)%n",
                pushMillis, pullMillis, 99.0 * 1000 / Math.max(pullMillis, 1));
    }
}
