package dev.tallyman.images.archive;

import dev.tallyman.images.fixtures.TarBuilder;
import dev.tallyman.images.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Hand-made docker-archives for load tests, in Docker 25's layout (manifest.json pointing into blobs/sha256). */
final class ArchiveBuilder {
    /** An image to put in an archive: its layer tars, base first, and its RepoTags. */
    record Image(List<byte[]> layers, List<String> tags, String cmd) {
        List<Digest> diffIds() {
            return layers.stream().map(Digest::sha256).toList();
        }

        byte[] config() {
            String diffIds = diffIds().stream().map(d -> "\"" + d + "\"").collect(Collectors.joining(","));
            String history = layers.stream().map(l -> "{\"created\":\"2026-01-01T00:00:00Z\",\"created_by\":\"test\"}")
                    .collect(Collectors.joining(","));
            // Spacing and field order unlike ours, as a received config may be: the id must come from these bytes.
            return ("{\"architecture\":\"amd64\", \"config\":{\"Cmd\":[\"" + cmd + "\"]},\"created\":\"2026-01-01T00:00:00Z\","
                    + "\"history\":[" + history + "],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                    + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
        }

        Digest id() {
            return Digest.sha256(config());
        }
    }

    private ArchiveBuilder() {
    }

    /** Docker 25+: blobs/sha256/<hex> for configs and layers, oci-layout and index.json beside manifest.json. */
    static byte[] oci(List<Image> images) {
        return oci(images, Map.of());
    }

    /** As {@link #oci(List)}, but the layer blob at a given (image, layer) index is replaced by other bytes. */
    static byte[] oci(List<Image> images, Map<List<Integer>, byte[]> swapped) {
        TarBuilder tar = new TarBuilder();
        tar.dir("blobs").dir("blobs/sha256");
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        List<String> manifest = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Image image = images.get(i);
            List<String> layerPaths = new ArrayList<>();
            for (int j = 0; j < image.layers().size(); j++) {
                byte[] layer = swapped.getOrDefault(List.of(i, j), image.layers().get(j));
                String path = "blobs/sha256/" + Digest.sha256(image.layers().get(j)).hex();
                blobs.put(path, layer);
                layerPaths.add("\"" + path + "\"");
            }
            String config = "blobs/sha256/" + image.id().hex();
            blobs.put(config, image.config());
            String tags = image.tags().isEmpty() ? "null"
                    : image.tags().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(",", "[", "]"));
            manifest.add("{\"Config\":\"" + config + "\",\"RepoTags\":" + tags + ",\"Layers\":["
                    + String.join(",", layerPaths) + "]}");
        }
        blobs.forEach((path, bytes) -> tar.file(path, bytes, 0444));
        tar.file("index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
        tar.file("manifest.json", "[" + String.join(",", manifest) + "]");
        tar.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
        return tar.bytes();
    }

    /** A one-file layer tar. */
    static byte[] layer(String path, String content) {
        return new TarBuilder().file(path, content).bytes();
    }
}
