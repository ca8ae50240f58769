package dev.tallyman.images.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tallyman.images.ImageException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The wire shape of a docker-archive's {@code manifest.json} (one entry per image: config file, tags, layer
 * files base first) and {@code repositories} (repository, tag, top layer folder), as Docker's tarexporter
 * writes and reads them. Paths are names inside the archive.
 */
final class ArchiveManifest {
    static final String MANIFEST = "manifest.json";
    static final String REPOSITORIES = "repositories";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ArchiveManifest() {
    }

    /** One image. {@code repoTags} is null for an image saved by id, as Docker writes it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"Config", "RepoTags", "Layers"})
    record Entry(
            @JsonProperty("Config") String config,
            @JsonProperty("RepoTags") List<String> repoTags,
            @JsonProperty("Layers") List<String> layers) {
    }

    static byte[] encode(List<Entry> entries) {
        return write(entries);
    }

    /** {@code repository -> tag -> layer folder}, keys sorted. */
    static byte[] encodeRepositories(Map<String, Map<String, String>> repositories) {
        return write(repositories);
    }

    static List<Entry> decode(byte[] json) {
        List<Entry> entries;
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree == null || !tree.isArray()) {
                throw ImageException.invalid("decode " + MANIFEST + ": not a list of images");
            }
            entries = JSON.convertValue(tree, new TypeReference<List<Entry>>() { });
        } catch (IOException e) {
            String cause = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            throw ImageException.invalid("decode " + MANIFEST + ": " + cause);
        } catch (IllegalArgumentException e) {
            throw ImageException.invalid("decode " + MANIFEST + ": not a list of images");
        }
        if (entries == null) {
            throw ImageException.invalid("decode " + MANIFEST + ": empty document");
        }
        for (Entry entry : entries) {
            if (entry == null || entry.config() == null || entry.config().isEmpty()) {
                throw ImageException.invalid("decode " + MANIFEST + ": an entry names no Config");
            }
        }
        return entries;
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new ImageException(ImageException.Kind.SYSTEM, "encode " + MANIFEST + ": " + e.getMessage(), e);
        }
    }
}
