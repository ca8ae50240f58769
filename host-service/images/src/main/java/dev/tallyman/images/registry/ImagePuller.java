package dev.tallyman.images.registry;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.archive.Compression;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.config.ImageConfigCodec;
import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ContentStore;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code docker pull}: resolves a reference to one image manifest (choosing this host's platform from an
 * index), fetches and checks the config, downloads the layers a few at a time, and stacks them in the storage
 * driver under their chain ids.
 *
 * <p>Each layer blob is checked against its manifest digest and size while it streams, decompressed on the
 * fly, and its uncompressed tar stored in the {@link ContentStore} under its diff id, which must match the
 * config's; only then is it applied. Layers already in the driver with their tar in the store are not
 * fetched again ("Already exists"). The config blob is stored last, so an image exists only once all its
 * layers do. A failure removes every blob and layer this pull made and nothing else.
 */
public final class ImagePuller {
    public static final int DEFAULT_PARALLEL_DOWNLOADS = 3;
    private static final int MAX_CONFIG = 8 * 1024 * 1024;

    private final ImageStore images;
    private final LayerSources sources;
    private final RegistryHosts hosts;
    private final HttpClient http;
    private final Platform platform;
    private final int parallelDownloads;

    /** Pulls for this host's platform with {@value #DEFAULT_PARALLEL_DOWNLOADS} parallel downloads. */
    public ImagePuller(ImageStore images, LayerSources sources, RegistryHosts hosts) {
        this(images, sources, hosts, RegistryClient.newHttpClient(), Platform.host(), DEFAULT_PARALLEL_DOWNLOADS);
    }

    /**
     * @param http              see {@link RegistryClient#newHttpClient()}
     * @param platform          which entry of a multi-platform index to take
     * @param parallelDownloads layers downloaded at once
     */
    public ImagePuller(ImageStore images, LayerSources sources, RegistryHosts hosts, HttpClient http,
                       Platform platform, int parallelDownloads) {
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("parallel downloads must be at least 1");
        }
        this.images = images;
        this.sources = sources;
        this.hosts = hosts;
        this.http = http;
        this.platform = platform;
        this.parallelDownloads = parallelDownloads;
    }

    /** Pulls anonymously; see {@link #pull(ImageReference, Optional, ProgressListener)}. */
    public PulledImage pull(ImageReference reference, ProgressListener listener) {
        return pull(reference, Optional.empty(), listener);
    }

    /**
     * Pulls the image a tag or digest names. Progress goes to {@code listener} one line at a time, in Docker's
     * words. Registry failures are {@link RegistryException}s with Docker's messages, e.g.
     * {@code manifest for localhost:5000/app:v1 not found: manifest unknown: manifest unknown}.
     *
     * @param reference   with a tag or a digest (a bare name should have been given {@code latest} already)
     * @param credentials what to log in with, if anything
     */
    public PulledImage pull(ImageReference reference, Optional<RegistryCredentials> credentials,
                            ProgressListener listener) {
        ProgressListener out = ProgressListener.serialized(listener);
        String tagOrDigest = reference.digest().map(Digest::toString)
                .orElseGet(() -> reference.tag().orElse(ImageReference.DEFAULT_TAG));
        List<RegistryEndpoint> endpoints = hosts.endpoints(reference.domain());
        Resolved resolved = null;
        RegistryException last = null;
        for (RegistryEndpoint endpoint : endpoints) {
            RegistryClient client = new RegistryClient(http, endpoint, reference.path(), credentials, false);
            try {
                resolved = resolve(client, reference, tagOrDigest);
                break;
            } catch (RegistryException e) {
                last = e;
                // A mirror that fails in any way hands over to the next one, as Docker's mirrors do.
                if (!endpoint.mirror()) {
                    throw e;
                }
            }
        }
        if (resolved == null) {
            throw last;
        }
        out.on(Progress.of(tagOrDigest, "Pulling from " + reference.path()));
        return new Transfer(resolved, reference, out).run();
    }

    private record Resolved(RegistryClient client, Digest topDigest, ImageManifest manifest, byte[] configBytes,
                            ImageConfig config) {
    }

    private Resolved resolve(RegistryClient client, ImageReference reference, String tagOrDigest) {
        RegistryClient.FetchedManifest fetched;
        try {
            fetched = client.manifest(tagOrDigest);
        } catch (RegistryException e) {
            throw translate(e, reference);
        }
        Digest topDigest = Digest.sha256(fetched.bytes());
        if (reference.digest().isPresent() && !reference.digest().get().equals(topDigest)) {
            throw new RegistryException(RegistryException.Reason.INVALID_CONTENT,
                    "manifest verification failed for digest " + reference.digest().get());
        }
        RemoteManifest top = ManifestCodec.decode(fetched.bytes(), fetched.contentType());
        ImageManifest manifest;
        if (top instanceof ManifestIndex index) {
            Descriptor entry = index.select(platform).orElseThrow(() -> new RegistryException(
                    RegistryException.Reason.UNSUPPORTED, "no matching manifest for " + platform.os() + "/"
                    + platform.architecture() + " in the manifest list entries"));
            RegistryClient.FetchedManifest chosen;
            try {
                chosen = client.manifest(entry.digest().toString());
            } catch (RegistryException e) {
                throw translate(e, reference);
            }
            if (!Digest.sha256(chosen.bytes()).equals(entry.digest())) {
                throw new RegistryException(RegistryException.Reason.INVALID_CONTENT,
                        "manifest verification failed for digest " + entry.digest());
            }
            RemoteManifest inner = ManifestCodec.decode(chosen.bytes(), chosen.contentType());
            if (!(inner instanceof ImageManifest image)) {
                throw new RegistryException(RegistryException.Reason.UNSUPPORTED,
                        "manifest " + entry.digest() + ": an index inside an index is not supported");
            }
            manifest = image;
        } else if (top instanceof ImageManifest image) {
            manifest = image;
        } else {
            throw new IllegalStateException("unknown manifest kind " + top.getClass());
        }
        for (Descriptor layer : manifest.layers()) {
            if (!MediaTypes.LAYERS.contains(layer.mediaType())) {
                throw new RegistryException(RegistryException.Reason.UNSUPPORTED,
                        "unsupported layer media type " + layer.mediaType() + " for layer " + layer.digest());
            }
        }
        byte[] configBytes = fetchConfig(client, manifest.config());
        ImageConfig config;
        try {
            config = ImageConfigCodec.decode(configBytes);
        } catch (ImageException e) {
            throw new RegistryException(RegistryException.Reason.INVALID_CONTENT, "image config "
                    + manifest.config().digest() + ": " + e.getMessage(), e);
        }
        if (config.diffIds().size() != manifest.layers().size()) {
            throw new RegistryException(RegistryException.Reason.INVALID_CONTENT,
                    "layers from manifest don't match image configuration");
        }
        return new Resolved(client, topDigest, manifest, configBytes, config);
    }

    private static byte[] fetchConfig(RegistryClient client, Descriptor config) {
        if (config.size() > MAX_CONFIG) {
            throw new RegistryException(RegistryException.Reason.INVALID_CONTENT,
                    "image config " + config.digest() + ": " + config.size() + " bytes is too large");
        }
        RegistryClient.BlobStream blob = client.openBlob(config.digest());
        try (InputStream body = blob.body();
             VerifyingInputStream in = new VerifyingInputStream(body, config.digest(), config.size(),
                     "image config", n -> { })) {
            return in.readAllBytes();
        } catch (VerifyingInputStream.VerificationFailed e) {
            throw new RegistryException(RegistryException.Reason.INVALID_CONTENT, e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Reason.UNREACHABLE, "read image config "
                    + config.digest() + ": " + RegistryClient.describe(e), e);
        }
    }

    /** Docker's wording for a manifest the registry refused (moby's distribution notFoundError). */
    static RegistryException translate(RegistryException e, ImageReference reference) {
        String code = e.registryCode().orElse("");
        return switch (code) {
            case "MANIFEST_UNKNOWN" -> e.prefixed("manifest for " + reference.familiar() + " not found: ");
            case "NAME_UNKNOWN" -> e.prefixed("repository " + reference.familiarName() + " not found: ");
            case "DENIED" -> e.prefixed("pull access denied for " + reference.familiarName()
                    + ", repository does not exist or may require 'docker login': ");
            default -> e;
        };
    }

    /** One pull's downloads, extraction and undo. */
    private final class Transfer {
        private final Resolved resolved;
        private final ImageReference reference;
        private final ProgressListener out;
        private final ContentStore content = images.content();
        private final StorageDriver driver = images.driver();
        private final AtomicBoolean failed = new AtomicBoolean();
        private final Set<Digest> createdTars = ConcurrentHashMap.newKeySet();
        private final List<LayerId> appliedLayers = new ArrayList<>();
        private boolean createdConfig;

        Transfer(Resolved resolved, ImageReference reference, ProgressListener out) {
            this.resolved = resolved;
            this.reference = reference;
            this.out = out;
        }

        PulledImage run() {
            ImageManifest manifest = resolved.manifest();
            List<Digest> diffIds = resolved.config().diffIds();
            List<LayerId> layerIds = ChainIds.layerIds(diffIds);
            Digest imageId = manifest.config().digest();
            boolean configExisted = images.exists(imageId);

            boolean[] needsApply = new boolean[diffIds.size()];
            Map<Digest, Integer> toDownload = new LinkedHashMap<>();
            for (int i = 0; i < diffIds.size(); i++) {
                boolean hasTar = images.hasLayerTar(diffIds.get(i));
                needsApply[i] = driver.inspect(layerIds.get(i)).isEmpty();
                String id = shortId(manifest.layers().get(i));
                if (hasTar && !needsApply[i]) {
                    out.on(Progress.of(id, "Already exists"));
                    continue;
                }
                out.on(Progress.of(id, "Pulling fs layer"));
                if (!hasTar) {
                    toDownload.putIfAbsent(diffIds.get(i), i);
                }
            }
            int queued = 0;
            for (int index : toDownload.values()) {
                if (queued++ >= parallelDownloads) {
                    out.on(Progress.of(shortId(manifest.layers().get(index)), "Waiting"));
                }
            }

            AtomicInteger threads = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(parallelDownloads, r -> {
                Thread t = new Thread(r, "pull-download-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            Map<Digest, Future<?>> downloads = new LinkedHashMap<>();
            try {
                toDownload.forEach((diffId, index) ->
                        downloads.put(diffId, pool.submit(() -> download(manifest.layers().get(index), diffId))));
                for (int i = 0; i < diffIds.size(); i++) {
                    Future<?> download = downloads.get(diffIds.get(i));
                    if (download != null) {
                        await(download);
                    }
                    String id = shortId(manifest.layers().get(i));
                    if (needsApply[i]) {
                        apply(id, diffIds.get(i), layerIds.get(i), i == 0 ? Optional.empty() : Optional.of(layerIds.get(i - 1)));
                        out.on(Progress.of(id, "Pull complete"));
                    } else if (download != null) {
                        out.on(Progress.of(id, "Pull complete"));
                    }
                }
                images.putBytes(resolved.configBytes());
                createdConfig = !configExisted;
                recordSources(manifest, diffIds);
                long size = 0;
                for (LayerId layer : layerIds) {
                    size += driver.inspect(layer).map(LayerInfo::sizeBytes).orElseThrow(() -> new ImageException(
                            ImageException.Kind.SYSTEM, "pull " + reference.familiar() + ": layer " + layer
                            + " vanished from " + driver.name()));
                }
                out.on(Progress.message("Digest: " + resolved.topDigest()));
                boolean upToDate = configExisted && toDownload.isEmpty();
                out.on(Progress.message((upToDate ? "Status: Image is up to date for " : "Status: Downloaded newer image for ")
                        + reference.familiar()));
                ImageReference repoDigest = new ImageReference(reference.domain(), reference.path(), Optional.empty(),
                        Optional.of(resolved.topDigest()));
                return new PulledImage(imageId, diffIds, layerIds, size, resolved.config().created(),
                        resolved.config(), resolved.topDigest(), repoDigest, upToDate);
            } catch (RuntimeException e) {
                failed.set(true);
                downloads.values().forEach(f -> f.cancel(true));
                stop(pool, e);
                undo(e);
                throw e;
            } finally {
                stop(pool, null);
            }
        }

        private void download(Descriptor blob, Digest diffId) {
            String id = shortId(blob);
            if (failed.get()) {
                return;
            }
            Throttle throttle = new Throttle();
            RegistryClient.BlobStream stream = resolved.client().openBlob(blob.digest());
            try (InputStream body = stream.body()) {
                VerifyingInputStream raw = new VerifyingInputStream(body, blob.digest(), blob.size(),
                        "filesystem layer", n -> {
                            if (failed.get()) {
                                throw new CancellationException("pull cancelled");
                            }
                            if (throttle.due(n == blob.size())) {
                                out.on(new Progress(id, "Downloading", n, blob.size()));
                            }
                        });
                try {
                    images.putLayerTar(new EndOfBlobCheck(Compression.decompress(raw), raw), diffId);
                } catch (UncheckedIOException | ImageException e) {
                    throw blameTheBlob(raw, blob, e);
                }
                createdTars.add(diffId);
            } catch (IOException e) {
                throw downloadFailure(blob, e);
            }
            out.on(Progress.of(id, "Verifying Checksum"));
            out.on(Progress.of(id, "Download complete"));
        }

        /**
         * A tampered blob often breaks the decompressor (a gzip CRC) before its own end is reached; reading the
         * rest tells whether the blob was at fault, which is the failure to report.
         */
        private RuntimeException blameTheBlob(VerifyingInputStream raw, Descriptor blob, RuntimeException failure) {
            Throwable cause = failure instanceof UncheckedIOException && failure.getCause() != null ? failure.getCause() : failure;
            if (!(cause instanceof VerifyingInputStream.VerificationFailed) && !(cause instanceof CancellationException)) {
                try {
                    raw.drain();
                } catch (VerifyingInputStream.VerificationFailed e) {
                    cause = e;
                } catch (IOException | RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            if (cause instanceof VerifyingInputStream.VerificationFailed) {
                return new RegistryException(RegistryException.Reason.INVALID_CONTENT, cause.getMessage(), cause);
            }
            if (failure instanceof RegistryException) {
                return failure;
            }
            if (failure instanceof ImageException image) {
                if (image.getMessage().startsWith("verify blob")) {
                    return new RegistryException(RegistryException.Reason.INVALID_CONTENT,
                            "layers from manifest don't match image configuration", image);
                }
                return new RegistryException(RegistryException.Reason.UNSUPPORTED, "pull layer " + blob.digest()
                        + ": " + image.getMessage(), image);
            }
            return downloadFailure(blob, cause);
        }

        private RegistryException downloadFailure(Descriptor blob, Throwable cause) {
            if (cause instanceof VerifyingInputStream.VerificationFailed) {
                return new RegistryException(RegistryException.Reason.INVALID_CONTENT, cause.getMessage(), cause);
            }
            return new RegistryException(RegistryException.Reason.UNREACHABLE, "read layer " + blob.digest() + ": "
                    + RegistryClient.describe(cause), cause);
        }

        private void apply(String id, Digest diffId, LayerId layer, Optional<LayerId> parent) {
            long total = content.size(diffId);
            Throttle throttle = new Throttle();
            try (InputStream tar = new CountingInputStream(images.layerTar(diffId), n -> {
                if (throttle.due(n == total)) {
                    out.on(new Progress(id, "Extracting", n, total));
                }
            })) {
                LayerInfo info = driver.applyLayer(layer, parent, tar);
                appliedLayers.add(layer);
                if (info.diffId().isPresent() && !info.diffId().get().equals(diffId.toString())) {
                    throw new RegistryException(RegistryException.Reason.INVALID_CONTENT, "apply layer " + layer
                            + ": driver read diff id " + info.diffId().get() + ", expected " + diffId);
                }
            } catch (DriverException e) {
                if (e.kind() != DriverException.Kind.ALREADY_EXISTS) {
                    throw new ImageException(ImageException.Kind.SYSTEM, "pull " + reference.familiar()
                            + ": apply layer " + layer + ": " + e.getMessage(), e);
                }
                // Another pull of the same layer won the race; its layer serves this image as well.
            } catch (IOException e) {
                throw new UncheckedIOException("pull " + reference.familiar() + ": read layer tar " + diffId
                        + ": " + e.getMessage(), e);
            }
        }

        private void recordSources(ImageManifest manifest, List<Digest> diffIds) {
            String repository = resolved.client().endpoint().authority() + "/" + resolved.client().repository();
            for (int i = 0; i < diffIds.size(); i++) {
                Descriptor blob = manifest.layers().get(i);
                sources.add(diffIds.get(i), new LayerSource(blob.digest(), blob.size(), blob.mediaType(), repository));
            }
        }

        private void await(Future<?> download) {
            try {
                download.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new ImageException(ImageException.Kind.SYSTEM, "pull " + reference.familiar() + ": "
                        + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException(ImageException.Kind.SYSTEM, "pull " + reference.familiar() + ": interrupted");
            }
        }

        private void stop(ExecutorService pool, RuntimeException failure) {
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(2, TimeUnit.MINUTES) && failure != null) {
                    failure.addSuppressed(new IllegalStateException("pull: downloads still running after cancel"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        // Top layer first, as a layer cannot go while another sits on it.
        private void undo(RuntimeException failure) {
            for (int i = appliedLayers.size() - 1; i >= 0; i--) {
                try {
                    driver.remove(appliedLayers.get(i));
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            for (Digest tar : createdTars) {
                try {
                    content.delete(tar);
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            if (createdConfig) {
                try {
                    content.delete(resolved.manifest().config().digest());
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    private static String shortId(Descriptor blob) {
        return blob.digest().shortHex();
    }

    /**
     * Ends the decompressed stream only after the compressed blob was read to its end and verified: gzip may
     * stop before the blob's last bytes, and a tampered tail must still fail the pull before the tar is kept.
     */
    private static final class EndOfBlobCheck extends FilterInputStream {
        private final VerifyingInputStream raw;

        EndOfBlobCheck(InputStream decompressed, VerifyingInputStream raw) {
            super(decompressed);
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                raw.drain();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                raw.drain();
            }
            return n;
        }
    }
}
