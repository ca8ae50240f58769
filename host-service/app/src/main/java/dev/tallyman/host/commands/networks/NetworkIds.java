package dev.tallyman.host.commands.networks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Network ids (64 random hex, as Docker's) and endpoint ids (derived from the pair, so a repeat finds the same). */
public final class NetworkIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private NetworkIds() {
    }

    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String endpointId(String networkId, String containerId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest((networkId + "/" + containerId).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
