package dev.tallyman.network.bridge;

import dev.tallyman.spi.network.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the kernel objects the driver makes, derived from the network and container ids alone, so that a
 * restarted service (or {@code ops/tallyman down}) finds them again without any state of the driver's own.
 * Interface names are at most 15 characters (IFNAMSIZ less the NUL).
 */
final class KernelNames {
    /** Docker's option naming the bridge of a network. */
    static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
    /** Docker's option giving the MTU of a network's interfaces. */
    static final String MTU_OPTION = "com.docker.network.driver.mtu";
    /** Docker's option turning masquerade of the network's outgoing traffic off ({@code false}). */
    static final String MASQUERADE_OPTION = "com.docker.network.bridge.enable_ip_masquerade";
    static final String BRIDGE_PREFIX = "tm-";
    static final String VETH_PREFIX = "tmv";
    private static final int IFNAME_MAX = 15;

    private KernelNames() {
    }

    /** {@code com.docker.network.bridge.name} when given, else {@code tm-} and the first 12 characters of the id. */
    static String bridge(NetworkSpec network) {
        String named = network.options().get(BRIDGE_NAME_OPTION);
        if (named != null && !named.isBlank()) {
            return named;
        }
        return BRIDGE_PREFIX + shortId(network.id());
    }

    /** The host end of an endpoint's veth pair: {@code tmv} and 12 hex digits of a hash of both ids. */
    static String hostVeth(String networkId, String containerId) {
        return VETH_PREFIX + digest(networkId + "/" + containerId).substring(0, 12);
    }

    /** The endpoint's mark in nft element comments: {@code <network id 12> <container id 12>}. */
    static String endpointComment(String networkId, String containerId) {
        return shortId(networkId) + " " + shortId(containerId);
    }

    static boolean isValidInterfaceName(String name) {
        return !name.isEmpty() && name.length() <= IFNAME_MAX && name.chars().noneMatch(
                c -> c == '/' || c == ':' || c == '"' || Character.isWhitespace(c) || c < 0x21 || c > 0x7e);
    }

    private static String shortId(String id) {
        return id.length() <= 12 ? id : id.substring(0, 12);
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
