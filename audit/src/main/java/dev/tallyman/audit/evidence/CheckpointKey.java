package dev.tallyman.audit.evidence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The service's Ed25519 checkpoint key, kept outside the database: the private key in a file of mode 0600
 * (base64 of its PKCS#8 form), the public key beside it in {@code <file>.pub} (base64 of its X.509 form), so an
 * auditor can check checkpoints with the public file alone. Created at the first start.
 */
public final class CheckpointKey {
    private static final String ALGORITHM = "Ed25519";

    private final PublicKey publicKey;
    private final Optional<PrivateKey> privateKey;
    private final String keyId;

    private CheckpointKey(PublicKey publicKey, Optional<PrivateKey> privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.keyId = keyIdOf(publicKey);
    }

    /** The public file of a private key file. */
    public static Path publicFile(Path privateFile) {
        return privateFile.resolveSibling(privateFile.getFileName() + ".pub");
    }

    /** Reads the key pair at {@code file}, or makes one there (0600, folder made 0700) when no file exists. */
    public static CheckpointKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                return create(file);
            }
            KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(decode(file)));
            return new CheckpointKey(readPublic(publicFile(file)), Optional.of(privateKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("read checkpoint key " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("read checkpoint key " + file + ": " + e.getMessage(), e);
        }
    }

    /** Only the public key, for verifying where the private key is not at hand (an auditor's copy). */
    public static CheckpointKey publicOnly(Path publicFile) {
        try {
            return new CheckpointKey(readPublic(publicFile), Optional.empty());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("read checkpoint public key " + publicFile + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("read checkpoint public key " + publicFile + ": " + e.getMessage(), e);
        }
    }

    private static CheckpointKey create(Path file) throws GeneralSecurityException, IOException {
        KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        Path folder = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        // created 0600 from the start: never a moment where the private key is readable by others
        Path part = file.resolveSibling(file.getFileName() + ".part");
        Files.deleteIfExists(part);
        Files.createFile(part, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(part, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n",
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(publicFile(file), Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n");
        Files.move(part, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new CheckpointKey(pair.getPublic(), Optional.of(pair.getPrivate()));
    }

    private static PublicKey readPublic(Path publicFile) throws GeneralSecurityException, IOException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(decode(publicFile)));
    }

    private static byte[] decode(Path file) throws IOException {
        return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
    }

    /** The first 16 hex digits of the SHA-256 of the public key: names the key in every checkpoint. */
    public String keyId() {
        return keyId;
    }

    private static String keyIdOf(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("checkpoint key id: " + e.getMessage(), e);
        }
    }

    /** Signs (position, head hash) at {@code at}. */
    public Checkpoint sign(long position, String headHash, Instant at) {
        PrivateKey key = privateKey.orElseThrow(() -> new IllegalStateException("sign checkpoint " + position
                + ": only the public key of " + keyId + " is loaded"));
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(Checkpoint.signedText(position, headHash, at, keyId));
            return new Checkpoint(position, headHash, at, keyId, Base64.getEncoder().encodeToString(signer.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sign checkpoint " + position + ": " + e.getMessage(), e);
        }
    }

    /** Why the checkpoint's signature does not hold under this key, or empty when it does. */
    public Optional<String> check(Checkpoint checkpoint) {
        if (!checkpoint.keyId().equals(keyId)) {
            return Optional.of("signed by key " + checkpoint.keyId() + ", not by this service's key " + keyId);
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(publicKey);
            verifier.update(checkpoint.signedText());
            byte[] signature = Base64.getDecoder().decode(checkpoint.signature());
            return verifier.verify(signature) ? Optional.empty()
                    : Optional.of("signature does not match position, head hash and time");
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return Optional.of("signature unreadable: " + e.getMessage());
        }
    }
}
