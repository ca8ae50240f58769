package dev.tallyman.images.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a registry holds under a name, without pulling it: the top manifest's descriptor and the platforms it
 * serves ({@code GET /distribution/{name}/json}, which docker-py's {@code get_registry_data} and
 * {@code docker service create} ask). An index names its platforms; a single image's come from its config blob.
 */
public final class DistributionInspector {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CONFIG = 8 * 1024 * 1024;

    private final RegistryHosts hosts;
    private final HttpClient http;

    public DistributionInspector(RegistryHosts hosts) {
        this.hosts = hosts;
        this.http = RegistryClient.newHttpClient();
    }

    /** One platform as Docker's OCI platform JSON names it; variant empty when the registry gives none. */
    public record RemotePlatform(String os, String architecture, String variant) {
    }

    /** The top manifest as a descriptor, and its platforms. */
    public record DistributionInfo(String mediaType, Digest digest, long size, List<RemotePlatform> platforms) {
        public DistributionInfo {
            platforms = List.copyOf(platforms);
        }
    }

    /** @throws RegistryException with the registry's reason (unreachable, unknown name or tag, denied) */
    public DistributionInfo inspect(ImageReference reference, Optional<RegistryCredentials> credentials) {
        String tagOrDigest = reference.digest().map(Digest::toString)
                .orElseGet(() -> reference.tag().orElse(ImageReference.DEFAULT_TAG));
        RegistryClient client = new RegistryClient(http, hosts.registry(reference.domain()), reference.path(),
                credentials, false);
        RegistryClient.FetchedManifest fetched;
        try {
            fetched = client.manifest(tagOrDigest);
        } catch (RegistryException e) {
            throw ImagePuller.translate(e, reference);
        }
        RemoteManifest top = ManifestCodec.decode(fetched.bytes(), fetched.contentType());
        Digest digest = Digest.sha256(fetched.bytes());
        List<RemotePlatform> platforms = new ArrayList<>();
        String mediaType;
        if (top instanceof ManifestIndex index) {
            mediaType = index.mediaType();
            for (Descriptor entry : index.manifests()) {
                entry.platform().ifPresent(p -> platforms.add(new RemotePlatform(p.os(), p.architecture(),
                        entry.variant() == null ? "" : entry.variant())));
            }
        } else if (top instanceof ImageManifest image) {
            mediaType = image.mediaType();
            platforms.add(platformOf(client, image.config().digest()));
        } else {
            throw new IllegalStateException("unknown manifest kind " + top.getClass());
        }
        return new DistributionInfo(mediaType, digest, fetched.bytes().length, platforms);
    }

    private static RemotePlatform platformOf(RegistryClient client, Digest config) {
        RegistryClient.BlobStream blob = client.openBlob(config);
        try (InputStream in = blob.body()) {
            JsonNode node = JSON.readTree(in.readNBytes(MAX_CONFIG));
            return new RemotePlatform(node.path("os").asText(""), node.path("architecture").asText(""),
                    node.path("variant").asText(""));
        } catch (IOException e) {
            throw new UncheckedIOException("read image config " + config + ": " + e.getMessage(), e);
        }
    }
}
