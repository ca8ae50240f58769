package dev.tallyman.host.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A plugin jar as the record names it.
 *
 * @param path         where it was loaded from
 * @param sha256       {@code sha256:<hex>} of its bytes when loaded
 * @param configuredBy the setting that brought it in: {@code <data root>/plugins} or {@code tallyman.plugin-dirs}
 */
public record PluginJar(Path path, String sha256, String configuredBy) {
    public PluginJar {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(configuredBy, "configuredBy");
    }

    public static PluginJar read(Path path, String configuredBy) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return new PluginJar(path, "sha256:" + HexFormat.of().formatHex(digest.digest()), configuredBy);
    }
}
