package dev.tallyman.images.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads manifests and indexes as registries send them and writes the Docker schema 2 manifests push sends.
 * The wire JSON stays here; the rest of the package sees {@link RemoteManifest}s.
 */
public final class ManifestCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestCodec() {
    }

    /**
     * Reads a manifest. The kind comes from the document's {@code mediaType} field, else from the response's
     * Content-Type; Docker schema 1 and unknown kinds fail with UNSUPPORTED.
     */
    public static RemoteManifest decode(byte[] bytes, String contentType) {
        Digest digest = Digest.sha256(bytes);
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw invalid("decode manifest " + digest + ": not JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("decode manifest " + digest + ": not a JSON object");
        }
        String mediaType = text(root, "mediaType");
        if (mediaType.isEmpty()) {
            mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        }
        if (mediaType.isEmpty() || mediaType.equals("application/json")) {
            // OCI documents may leave mediaType out; tell them apart by what they hold.
            mediaType = root.has("manifests") ? MediaTypes.OCI_INDEX : root.has("config") ? MediaTypes.OCI_MANIFEST : mediaType;
        }
        if (MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
            Descriptor config = descriptor(root.path("config"), digest);
            List<Descriptor> layers = new ArrayList<>();
            for (JsonNode layer : root.path("layers")) {
                layers.add(descriptor(layer, digest));
            }
            return new ImageManifest(mediaType, digest, config, layers, bytes);
        }
        if (MediaTypes.INDEXES.contains(mediaType)) {
            List<Descriptor> manifests = new ArrayList<>();
            for (JsonNode entry : root.path("manifests")) {
                manifests.add(descriptor(entry, digest));
            }
            return new ManifestIndex(mediaType, digest, manifests);
        }
        if (root.path("schemaVersion").asInt() == 1) {
            throw new RegistryException(RegistryException.Reason.UNSUPPORTED, "unsupported manifest format: "
                    + "Docker Image manifest version 2, schema 1 is no longer supported");
        }
        throw new RegistryException(RegistryException.Reason.UNSUPPORTED,
                "unsupported manifest media type and no default available: " + mediaType);
    }

    /** A Docker schema 2 manifest for a config and its layers, compact JSON in the field order Docker writes. */
    public static byte[] encodeDockerManifest(Descriptor config, List<Descriptor> layers) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", MediaTypes.DOCKER_MANIFEST);
        root.set("config", toJson(config));
        ArrayNode array = root.putArray("layers");
        layers.forEach(l -> array.add(toJson(l)));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.SYSTEM, "encode manifest: " + e.getMessage(), e);
        }
    }

    /** An index document (OCI or Docker list, by {@code mediaType}) over the given entries. */
    public static byte[] encodeIndex(String mediaType, List<Descriptor> manifests) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", mediaType);
        ArrayNode array = root.putArray("manifests");
        for (Descriptor d : manifests) {
            ObjectNode entry = toJson(d);
            d.platform().ifPresent(p -> {
                ObjectNode platform = entry.putObject("platform");
                platform.put("architecture", p.architecture());
                platform.put("os", p.os());
                if (!d.variant().isEmpty()) {
                    platform.put("variant", d.variant());
                }
            });
            array.add(entry);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.SYSTEM, "encode index: " + e.getMessage(), e);
        }
    }

    private static ObjectNode toJson(Descriptor d) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", d.mediaType());
        node.put("size", d.size());
        node.put("digest", d.digest().toString());
        return node;
    }

    private static Descriptor descriptor(JsonNode node, Digest manifest) {
        if (!node.isObject()) {
            throw invalid("decode manifest " + manifest + ": missing descriptor");
        }
        Digest digest;
        try {
            digest = Digest.parse(text(node, "digest"));
        } catch (ImageException e) {
            throw invalid("decode manifest " + manifest + ": descriptor digest: " + e.getMessage());
        }
        long size = node.path("size").asLong(-1);
        if (size < 0) {
            throw invalid("decode manifest " + manifest + ": descriptor " + digest + " has no size");
        }
        JsonNode platform = node.path("platform");
        Optional<Platform> p = platform.isObject()
                ? Optional.of(new Platform(text(platform, "os"), text(platform, "architecture")))
                : Optional.empty();
        return new Descriptor(text(node, "mediaType"), digest, size, p, text(platform, "variant"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : "";
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(RegistryException.Reason.INVALID_CONTENT, message);
    }
}
