package dev.tallyman.images.reference;

import dev.tallyman.images.ImageException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lower-case hex>}: the name of a blob, an image id, a diff id or a chain id.
 * Only sha256 is accepted, as Docker itself only produces sha256.
 */
public record Digest(String algorithm, String hex) {
    public static final String SHA256 = "sha256";

    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");
    // go-digest's shape test comes before the algorithm and length checks, so its errors are ours too.
    private static final Pattern SHAPE = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    public Digest {
        if (!SHA256.equals(algorithm)) {
            throw ImageException.invalid("unsupported digest algorithm");
        }
        if (hex == null || !HEX64.matcher(hex).matches()) {
            throw ImageException.invalid("invalid checksum digest length");
        }
    }

    /** Reads {@code sha256:<hex>}, failing with go-digest's messages (invalid checksum digest format/length, unsupported digest algorithm). */
    public static Digest parse(String text) {
        if (text == null || !SHAPE.matcher(text).matches()) {
            throw ImageException.invalid("invalid checksum digest format");
        }
        int colon = text.indexOf(':');
        String algorithm = text.substring(0, colon);
        String encoded = text.substring(colon + 1);
        if (!SHA256.equals(algorithm)) {
            throw ImageException.invalid("unsupported digest algorithm");
        }
        if (encoded.length() != 64) {
            throw ImageException.invalid("invalid checksum digest length");
        }
        if (!HEX64.matcher(encoded).matches()) {
            throw ImageException.invalid("invalid checksum digest format");
        }
        return new Digest(algorithm, encoded);
    }

    /** True when {@code text} is exactly {@code sha256:<64 lower-case hex>}. */
    public static boolean isValid(String text) {
        return text != null && text.startsWith(SHA256 + ":") && HEX64.matcher(text.substring(SHA256.length() + 1)).matches();
    }

    public static Digest ofHex(String hex) {
        return new Digest(SHA256, hex);
    }

    /** The digest of the given bytes. */
    public static Digest sha256(byte[] bytes) {
        MessageDigest sha = newSha256();
        return fromBytes(sha.digest(bytes));
    }

    /** Wraps the 32 bytes a sha256 {@link MessageDigest} produced. */
    public static Digest fromBytes(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("sha256 digest must be 32 bytes, got " + sha256.length);
        }
        return new Digest(SHA256, HexFormat.of().formatHex(sha256));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The first 12 hex characters, as {@code docker images} shows an image id. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
