package dev.tallyman.images.registry;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code docker push}: sends an image's layers, config and a Docker schema 2 manifest to a registry under a tag.
 *
 * <p>For each layer it first asks the registry for the compressed blobs the layer is known by
 * ({@link LayerSources}: what it was pulled as or last pushed as); a blob the repository has is not sent
 * again, and one held by a sibling repository on the same registry is mounted from there. Otherwise the
 * layer's stored uncompressed tar is gzipped while it uploads (one streamed PATCH), and the digest so learned
 * closes the upload and is recorded as a new source. Nothing local changes except that index.
 */
public final class ImagePusher {
    public static final int DEFAULT_PARALLEL_UPLOADS = 3;

    private final ImageStore images;
    private final LayerSources sources;
    private final RegistryHosts hosts;
    private final HttpClient http;
    private final int parallelUploads;

    public ImagePusher(ImageStore images, LayerSources sources, RegistryHosts hosts) {
        this(images, sources, hosts, RegistryClient.newHttpClient(), DEFAULT_PARALLEL_UPLOADS);
    }

    public ImagePusher(ImageStore images, LayerSources sources, RegistryHosts hosts, HttpClient http, int parallelUploads) {
        if (parallelUploads < 1) {
            throw new IllegalArgumentException("parallel uploads must be at least 1");
        }
        this.images = images;
        this.sources = sources;
        this.hosts = hosts;
        this.http = http;
        this.parallelUploads = parallelUploads;
    }

    /** Pushes anonymously; see {@link #push(ImageReference, Digest, Optional, ProgressListener)}. */
    public PushedImage push(ImageReference reference, Digest imageId, ProgressListener listener) {
        return push(reference, imageId, Optional.empty(), listener);
    }

    /**
     * Pushes image {@code imageId} as {@code reference}'s tag ({@code latest} when it has none).
     *
     * @throws RegistryException with Docker's words, e.g. {@code Post "http://...": no basic auth credentials}
     * @throws ImageException    NOT_FOUND when the image is not here; INVALID_PARAMETER for a digest reference
     */
    public PushedImage push(ImageReference reference, Digest imageId, Optional<RegistryCredentials> credentials,
                            ProgressListener listener) {
        if (reference.digest().isPresent()) {
            throw ImageException.invalid("cannot push a digest reference");
        }
        String tag = reference.tag().orElse(ImageReference.DEFAULT_TAG);
        byte[] configBytes = images.configBytes(imageId);
        ImageConfig config = images.config(imageId);
        RegistryEndpoint endpoint = hosts.registry(reference.domain());
        RegistryClient client = new RegistryClient(http, endpoint, reference.path(), credentials, true);
        ProgressListener out = ProgressListener.serialized(listener);
        out.on(Progress.message("The push refers to repository [" + reference.name() + "]"));

        // Docker lists the top layer first.
        List<Digest> unique = new ArrayList<>(new LinkedHashSet<>(config.diffIds()));
        List<Digest> topFirst = new ArrayList<>(unique);
        Collections.reverse(topFirst);
        topFirst.forEach(d -> out.on(Progress.of(d.shortHex(), "Preparing")));
        for (int i = parallelUploads; i < topFirst.size(); i++) {
            out.on(Progress.of(topFirst.get(i).shortHex(), "Waiting"));
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelUploads, r -> {
            Thread t = new Thread(r, "push-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Map<Digest, Future<Descriptor>> uploads = new LinkedHashMap<>();
        Map<Digest, Descriptor> pushed = new LinkedHashMap<>();
        try {
            for (Digest diffId : topFirst) {
                uploads.put(diffId, pool.submit(() -> pushLayer(client, diffId, out)));
            }
            for (Map.Entry<Digest, Future<Descriptor>> upload : uploads.entrySet()) {
                pushed.put(upload.getKey(), await(upload.getValue(), reference));
            }
        } catch (RuntimeException e) {
            uploads.values().forEach(f -> f.cancel(true));
            throw e;
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        if (client.blobSize(imageId).isEmpty()) {
            client.uploadBytes(imageId, configBytes);
        }
        List<Descriptor> layers = config.diffIds().stream().map(pushed::get).toList();
        byte[] manifest = ManifestCodec.encodeDockerManifest(
                Descriptor.of(MediaTypes.DOCKER_CONFIG, imageId, configBytes.length), layers);
        Digest digest = client.putManifest(tag, MediaTypes.DOCKER_MANIFEST, manifest);
        out.on(Progress.message(tag + ": digest: " + digest + " size: " + manifest.length));
        return new PushedImage(tag, digest, manifest.length,
                new ImageReference(reference.domain(), reference.path(), Optional.empty(), Optional.of(digest)));
    }

    private Descriptor pushLayer(RegistryClient client, Digest diffId, ProgressListener out) {
        String id = diffId.shortHex();
        String here = client.endpoint().authority() + "/" + client.repository();
        Optional<String> mountFrom = Optional.empty();
        Optional<LayerSource> mountable = Optional.empty();
        List<LayerSource> known = new ArrayList<>(sources.of(diffId));
        Collections.reverse(known); // newest first
        for (LayerSource source : known) {
            if (!isGzipLayer(source.mediaType())) {
                continue;
            }
            Optional<Long> size = client.blobSize(source.digest());
            if (size.isPresent()) {
                out.on(Progress.of(id, "Layer already exists"));
                return Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, source.digest(), size.get() >= 0 ? size.get() : source.size());
            }
            String prefix = client.endpoint().authority() + "/";
            if (mountable.isEmpty() && source.repository().startsWith(prefix) && !source.repository().equals(here)) {
                mountable = Optional.of(source);
                mountFrom = Optional.of(source.repository().substring(prefix.length()));
            }
        }
        RegistryClient.UploadStart start = client.startUpload(mountable.map(LayerSource::digest), mountFrom);
        if (start instanceof RegistryClient.Mounted) {
            LayerSource source = mountable.get();
            out.on(Progress.of(id, "Mounted from " + mountFrom.get()));
            sources.add(diffId, new LayerSource(source.digest(), source.size(), MediaTypes.DOCKER_LAYER_GZIP, here));
            return Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, source.digest(), source.size());
        }
        URI location = ((RegistryClient.Started) start).location();
        long total = images.content().size(diffId);
        Throttle throttle = new Throttle();
        GzipCompressingStream gzip;
        try (InputStream tar = new CountingInputStream(images.layerTar(diffId), n -> {
            if (throttle.due(n == total)) {
                out.on(new Progress(id, "Pushing", n, total));
            }
        })) {
            gzip = new GzipCompressingStream(tar);
            URI finish = client.uploadChunk(location, gzip);
            client.finishUpload(finish, gzip.digest(), new byte[0]);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.SYSTEM, "push layer " + diffId + ": read layer tar: "
                    + e.getMessage(), e);
        }
        out.on(Progress.of(id, "Pushed"));
        sources.add(diffId, new LayerSource(gzip.digest(), gzip.size(), MediaTypes.DOCKER_LAYER_GZIP, here));
        return Descriptor.of(MediaTypes.DOCKER_LAYER_GZIP, gzip.digest(), gzip.size());
    }

    private static boolean isGzipLayer(String mediaType) {
        return mediaType.equals(MediaTypes.DOCKER_LAYER_GZIP) || mediaType.equals(MediaTypes.OCI_LAYER_GZIP);
    }

    private static Descriptor await(Future<Descriptor> upload, ImageReference reference) {
        try {
            return upload.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ImageException(ImageException.Kind.SYSTEM, "push " + reference.familiar() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException(ImageException.Kind.SYSTEM, "push " + reference.familiar() + ": interrupted");
        }
    }
}
