package dev.tallyman.network.bridge;

import java.util.Map;
import java.util.Objects;

/**
 * How a bridge driver instance is set up.
 *
 * @param nftTable the nftables table (family {@code ip}) holding all of this instance's rules and sets; each
 *                 instance owns its table whole, so two services (or a service and its tests) never touch
 *                 each other's rules
 * @param ip the iproute2 {@code ip} program
 * @param nft the nftables {@code nft} program
 */
public record BridgeConfig(String nftTable, String ip, String nft) {
    public static final String DEFAULT_TABLE = "tallyman";

    public BridgeConfig {
        Objects.requireNonNull(nftTable, "nftTable");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(nft, "nft");
        if (!nftTable.matches("[A-Za-z][A-Za-z0-9_]{0,31}")) {
            throw new IllegalArgumentException("invalid nft table name: " + nftTable);
        }
    }

    public static BridgeConfig defaults() {
        return new BridgeConfig(DEFAULT_TABLE, "ip", "nft");
    }

    /** Provider options: {@code nft-table}, {@code ip}, {@code nft}; missing ones take the defaults. */
    public static BridgeConfig fromOptions(Map<String, String> options) {
        return new BridgeConfig(options.getOrDefault("nft-table", DEFAULT_TABLE),
                options.getOrDefault("ip", "ip"), options.getOrDefault("nft", "nft"));
    }
}
