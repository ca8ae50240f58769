package dev.tallyman.host.commands.networks;

import dev.tallyman.spi.network.Ipv4Subnet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Docker's {@code default-address-pools}: each pool is a large range cut into subnets of one size
 * ({@code 172.17.0.0/12:16} gives 172.17.0.0/16, 172.18.0.0/16, …). A network without {@code --subnet} gets the
 * first subnet, pool by pool, that overlaps nothing in use: no route on the host and no network of ours.
 */
public record SubnetPools(List<Pool> pools) {

    /** One pool: a base range and the prefix length of the subnets cut from it. */
    public record Pool(Ipv4Subnet base, int size) {
        public Pool {
            if (size < base.prefixLength() || size > 30) {
                throw new IllegalArgumentException("invalid address pool " + base + ":" + size
                        + ": the size must be between " + base.prefixLength() + " and 30");
            }
        }
    }

    /** Docker's defaults, with 172.17.0.0/16 first as Docker's own bridge has it. */
    public static final SubnetPools DEFAULT = parse("172.17.0.0/16:16,172.18.0.0/15:16,172.20.0.0/14:16,"
            + "172.24.0.0/14:16,172.28.0.0/14:16,192.168.0.0/16:20");

    public SubnetPools {
        pools = List.copyOf(pools);
    }

    /** {@code base/len:size,base/len:size}; names the bad entry when it throws. */
    public static SubnetPools parse(String text) {
        List<Pool> pools = new ArrayList<>();
        for (String entry : text.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("invalid address pool " + trimmed + ": expected base/length:size");
            }
            try {
                pools.add(new Pool(Ipv4Subnet.parse(trimmed.substring(0, colon)),
                        Integer.parseInt(trimmed.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid address pool " + trimmed + ": expected base/length:size", e);
            }
        }
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("no address pools given");
        }
        return new SubnetPools(pools);
    }

    /** The first subnet of the pools that overlaps none of {@code inUse}; empty when all are taken. */
    public Optional<Ipv4Subnet> firstFree(Collection<Ipv4Subnet> inUse) {
        for (Pool pool : pools) {
            long count = 1L << (pool.size() - pool.base().prefixLength());
            long step = 1L << (32 - pool.size());
            for (long i = 0; i < count; i++) {
                Ipv4Subnet candidate = new Ipv4Subnet((int) (pool.base().network() + i * step), pool.size());
                if (inUse.stream().noneMatch(candidate::overlaps)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
