package dev.tallyman.host.commands.networks;

import java.util.Map;
import java.util.Optional;

/**
 * docker network create, in domain terms.
 *
 * @param subnet --subnet, empty for one from the pools
 * @param gateway --gateway, empty for the subnet's first address
 * @param ipRange --ip-range, empty for the whole subnet
 */
public record CreateNetwork(String name, String driver, Optional<String> subnet, Optional<String> gateway,
                            Optional<String> ipRange, boolean internal, Map<String, String> labels,
                            Map<String, String> options) {
    public CreateNetwork {
        labels = Map.copyOf(labels);
        options = Map.copyOf(options);
    }
}
